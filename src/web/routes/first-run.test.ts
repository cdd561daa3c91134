/**
 * The first run through `app.inject()` on a real SQLite file (issue 19): until the first account
 * exists every page shows the banner saying it becomes the admin (and it is gone after); the home
 * page says what the site is, from the settings or a default text, with a Publish call to action;
 * `/about` renders the admin's Markdown (escaped) or the default text, with the contact; the layout
 * carries the site's name in the header and title; `/favicon.svg` and `/favicon.ico` answer 200.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPagesSite } from '../../../test/pages-fixtures.js';

const BANNER = "The first account you create becomes the site's admin.";

test('the banner shows on every page until the first account exists, then never again', async (t) => {
  const s = await openPagesSite(t);
  for (const url of ['/', '/about', '/login', '/register', '/search?q=x', '/no-such-page']) {
    const page = await s.app.inject({ method: 'GET', url });
    assert.ok(
      page.body.includes(BANNER.replace("'", '&#39;')) || page.body.includes(BANNER),
      `${url}: banner`,
    );
    assert.match(page.body, /id="first-run-banner"[\s\S]*href="\/register"/, url);
  }
  const register = await s.app.inject({ method: 'GET', url: '/register' });
  assert.match(register.body, /This first account becomes the site/);
  const made = await s.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: 'root', password: 'correct horse' },
  });
  assert.equal(made.statusCode, 201);
  for (const url of ['/', '/about', '/register']) {
    const page = await s.app.inject({ method: 'GET', url });
    assert.doesNotMatch(page.body, /first-run-banner/, `${url}: no banner once an account exists`);
  }
});

test('the home page says what the site is, with a Publish call to action; the settings change it', async (t) => {
  const s = await openPagesSite(t);
  const home = await s.app.inject({ method: 'GET', url: '/' });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /<h1 id="site-title">Seedcast<\/h1>/);
  assert.match(home.body, /Everyone downloads it over BitTorrent/);
  assert.match(home.body, /id="publish-cta" href="\/register"/, 'visitors are sent to register first');
  assert.match(home.body, /<title>Home · Seedcast<\/title>/);
  assert.match(home.body, /rel="icon" type="image\/svg\+xml" href="\/favicon.svg"/);
  for (const link of ['/channels', '/upload', '/about'])
    assert.ok(home.body.includes(`href="${link}"`), link);

  await s.site.siteSettings!.update({ name: 'Radio <Commons>', description: 'Shows & talks.' });
  const changed = await s.app.inject({ method: 'GET', url: '/' });
  assert.match(changed.body, /<h1 id="site-title">Radio &lt;Commons&gt;<\/h1>/);
  assert.match(changed.body, /Shows &amp; talks\./);
  assert.match(changed.body, /<title>Home · Radio &lt;Commons&gt;<\/title>/);
  assert.match(changed.body, /class="brand" href="\/">Radio &lt;Commons&gt;</);
});

test('the about page: the default text, then the admin Markdown (escaped) and the contact', async (t) => {
  const s = await openPagesSite(t);
  const empty = await s.app.inject({ method: 'GET', url: '/about' });
  assert.equal(empty.statusCode, 200);
  assert.match(empty.body, /everyone\s+downloads it over <strong>BitTorrent<\/strong>/);
  await s.site.siteSettings!.update({
    about: '## Our rules\n\nBe *kind*. <script>alert(1)</script>',
    contact: 'team@example.org',
  });
  const about = await s.app.inject({ method: 'GET', url: '/about' });
  assert.match(about.body, /<h2>Our rules<\/h2>/);
  assert.match(about.body, /<em>kind<\/em>/);
  assert.doesNotMatch(about.body, /<script>alert/);
  assert.match(about.body, /href="mailto:team@example.org"/);
});

test('the favicon answers at /favicon.svg and /favicon.ico', async (t) => {
  const s = await openPagesSite(t);
  for (const url of ['/favicon.svg', '/favicon.ico']) {
    const res = await s.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^image\/svg\+xml/);
    assert.match(res.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  }
});
