/**
 * The site's pages through `app.inject()` on a real SQLite file: pages answer HTML, unknown
 * addresses get a friendly 404 page (JSON stays the answer under /api), the stylesheet is cached
 * with an ETag, and a publisher's text (titles with `<script>`, `javascript:` links, `onerror=`
 * attributes) renders inert everywhere it appears.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addItem,
  assertInert,
  EVIL_DESCRIPTION,
  EVIL_TITLE,
  openPagesSite,
} from '../../../test/pages-fixtures.js';
import { login, multipart } from '../../../test/site-fixtures.js';

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

test('the item page: metadata, licence badge, tags to search, Markdown description, downloads, swarm, embed', async (t) => {
  const s = await openPagesSite(t);
  const item = await addItem(s, {
    title: 'A quiet river',
    description: '# Notes\n\nRecorded at *dawn*. [More](https://example.org/river)',
    tags: ['nature', 'field recording'],
  });
  const res = await s.app.inject({ method: 'GET', url: `/items/${item.id}` });
  assert.equal(res.statusCode, 200);
  const html = res.body;
  assert.match(html, /<title>A quiet river · Seedcast<\/title>/);
  assert.match(html, /<h1 id="item-title">A quiet river<\/h1>/);
  assert.match(html, /<span id="item-creator">Field Recordist<\/span>/);
  assert.match(
    html,
    /<a class="license-badge" href="https:\/\/creativecommons.org\/licenses\/by-sa\/4.0\/" rel="license noopener" id="license">.*CC BY-SA 4.0<\/a>/,
  );
  assert.match(html, /<a href="\/search\?tag=field%20recording" rel="tag">field recording<\/a>/);
  assert.match(html, /<h1>Notes<\/h1>\s*<p>Recorded at <em>dawn<\/em>\./);
  assert.match(html, /<a href="\/items\/\d+\.torrent" id="torrent-link" download>|id="torrent-link"/);
  assert.match(html, /href="magnet:\?xt=urn:btih:[0-9a-f]{40}&amp;dn=river&amp;xl=123456&amp;tr=/);
  assert.match(
    html,
    /<a href="\/items\/\d+\/files\/river\/river.mp3">river\/river.mp3<\/a> <span class="muted">\(123.5 KB\)<\/span>/,
  );
  assert.match(
    html,
    // preload="none": the P2P player (src/web/player) decides where the bytes come from.
    /<audio controls preload="none" aria-label="Audio: A quiet river"><source src="\/items\/\d+\/files\/river\/river.mp3" type="audio\/mpeg" data-label="original" data-origin="original">/,
  );
  assert.match(html, new RegExp(`data-swarm-url="/api/v1/items/${item.id}"`));
  assert.match(html, /<dd data-swarm="seeders">0<\/dd>/);
  assert.match(html, /Bandwidth saved by the swarm: <strong data-swarm="saved">0 B<\/strong>/);
  assert.match(
    html,
    /<textarea id="embed-code" class="embed-code" readonly rows="4">&lt;iframe src=&quot;http:\/\/site.test\/items\/\d+\/embed&quot;/,
  );
  assert.match(html, /id="comments"/);
});

test('the item page renders a hostile title, description and tags inert', async (t) => {
  const s = await openPagesSite(t);
  const item = await addItem(s, {
    title: EVIL_TITLE,
    description: EVIL_DESCRIPTION,
    tags: ['"><script>alert(3)</script>'],
    license: null,
  });
  const res = await s.app.inject({ method: 'GET', url: `/items/${item.id}` });
  assert.equal(res.statusCode, 200);
  assertInert(res.body);
  assert.match(res.body, /<strong>bold<\/strong>/);
  assert.match(res.body, /<a href="https:\/\/example.org\/" rel="nofollow ugc noopener">ok<\/a>/);
  assert.match(res.body, /\[click\]\(javascript:alert\(1\)\)/);
  assert.match(res.body, /No licence given/);
  // The embed code is text inside a textarea: the title cannot close it.
  assert.doesNotMatch(res.body, /<\/textarea><script/);
});

test('unknown, malformed and taken-down items are the friendly 404 page; .torrent stays a file route', async (t) => {
  const s = await openPagesSite(t);
  const item = await addItem(s);
  await s.site.items.update(item.id, { status: 'taken_down' });
  for (const url of [`/items/${item.id}`, '/items/999999', '/items/abc', '/items/0', '/items/1e3']) {
    const res = await s.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.match(res.body, /Page not found/, url);
  }
  // the file routes say why a taken-down item is gone: 451 (docs/api.md)
  const torrent = await s.app.inject({ method: 'GET', url: `/items/${item.id}.torrent` });
  assert.equal(torrent.statusCode, 451);
  assert.equal(torrent.json().error.code, 'ITEM_TAKEN_DOWN');
  const missing = await s.app.inject({ method: 'GET', url: '/items/999999.torrent' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'NOT_FOUND');
});

test('a published text file gets a text preview read through the blob store', async (t) => {
  const s = await openPagesSite(t);
  const auth = await login(s.app);
  const form = multipart([
    { name: 'title', value: 'Plain notes' },
    {
      name: 'file',
      filename: 'notes.txt',
      type: 'text/plain',
      value: 'first line <b>not bold</b>\nsecond line\n',
    },
  ]);
  const pub = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    headers: { ...auth, ...form.headers },
    payload: form.payload,
  });
  assert.equal(pub.statusCode, 201, pub.body);
  const res = await s.app.inject({ method: 'GET', url: `/items/${pub.json().id}` });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<pre>first line &lt;b&gt;not bold&lt;\/b&gt;\nsecond line\n<\/pre>/);
  assert.match(res.body, /href="magnet:\?xt=urn:btih:[0-9a-f]{40}&amp;dn=notes.txt/);
});

test('item cards show the thumbnail when the item has one, with empty alt text (the title is the link)', async (t) => {
  const s = await openPagesSite(t);
  const plain = await addItem(s, { title: 'No picture' });
  const pictured = await addItem(s, { title: 'With picture' });
  await s.site.items.update(pictured.id, { thumbnailKey: `items/${pictured.id}/thumbnail` });
  for (const url of ['/', '/search?q=picture']) {
    const res = await s.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.match(
      res.body,
      new RegExp(`<img class="thumb" src="/items/${pictured.id}/thumbnail.jpg" alt="" loading="lazy"`),
      url,
    );
    assert.doesNotMatch(res.body, new RegExp(`/items/${plain.id}/thumbnail.jpg`), url);
  }
});
