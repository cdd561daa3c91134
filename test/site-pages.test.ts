/**
 * The site's pages through `app.inject()` on a real SQLite file: pages answer HTML, unknown
 * addresses get a friendly 404 page (JSON stays the answer under /api), the stylesheet is cached
 * with an ETag, and a publisher's text (titles with `<script>`, `javascript:` links, `onerror=`
 * attributes) renders inert everywhere it appears.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addItem, assertInert, EVIL_TITLE, openPagesSite } from './pages-fixtures.js';

test('the home page is HTML with the newest items, escaped', async (t) => {
  const s = await openPagesSite(t);
  await addItem(s, { title: EVIL_TITLE });
  await addItem(s, { title: 'Second item' });
  const res = await s.app.inject({ method: 'GET', url: '/' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
  assert.match(res.body, /^<!doctype html>\n<html lang="en">/);
  assert.match(res.body, /<a class="skip-link" href="#main">/);
  assert.match(res.body, /id="newest"/);
  assert.match(res.body, /Second item/);
  assert.match(res.body, /&lt;script&gt;alert\(&quot;title&quot;\)&lt;\/script&gt;/);
  assertInert(res.body);
  assert.match(res.headers['content-security-policy'] as string, /script-src 'self'/);
  assert.match(
    res.headers['set-cookie']!.toString(),
    /sc_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/,
  );
});

test('unknown pages are a friendly 404 page; unknown API paths stay JSON', async (t) => {
  const s = await openPagesSite(t);
  const page = await s.app.inject({ method: 'GET', url: '/no/such/page' });
  assert.equal(page.statusCode, 404);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /<h1 id="error-title">Page not found<\/h1>/);
  assert.match(page.body, /href="\/search"/);
  const api = await s.app.inject({ method: 'GET', url: '/api/v1/nothing' });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().error.code, 'NOT_FOUND');
});

test('the stylesheet is served with an ETag, long caching when versioned, and 304', async (t) => {
  const s = await openPagesSite(t);
  const home = await s.app.inject({ method: 'GET', url: '/' });
  const href = /<link rel="stylesheet" href="([^"]+)"/.exec(home.body)![1]!;
  assert.match(href, /^\/static\/site\.css\?v=[A-Za-z0-9_-]{12}$/);
  const css = await s.app.inject({ method: 'GET', url: href });
  assert.equal(css.statusCode, 200);
  assert.match(css.headers['content-type'] as string, /^text\/css/);
  assert.match(css.body, /prefers-color-scheme: dark/);
  assert.match(css.headers['cache-control'] as string, /immutable/);
  const again = await s.app.inject({
    method: 'GET',
    url: '/static/site.css',
    headers: { 'if-none-match': css.headers.etag as string },
  });
  assert.equal(again.statusCode, 304);
  assert.match(again.headers['cache-control'] as string, /max-age=300/);
  const js = await s.app.inject({ method: 'GET', url: '/static/site.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /^text\/javascript/);
  assert.equal((await s.app.inject({ method: 'GET', url: '/static/../site.db' })).statusCode, 404);
});
