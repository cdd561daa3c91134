/**
 * The search page and the user and channel pages over the catalogue's search (`app.inject()`, real
 * SQLite with FTS5): words, facets that add and remove filters, sorts, pagination, the form kept
 * and an error shown for invalid input, user and channel listings, and hostile text rendered inert.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addItem, assertInert, EVIL_TITLE, openPagesSite } from '../../../test/pages-fixtures.js';

test('search: words find items; facets link to filtered searches; the query stays in the form', async (t) => {
  const s = await openPagesSite(t);
  await addItem(s, { title: 'River at dawn', tags: ['nature', 'water'] });
  await addItem(s, { title: 'River in the city', tags: ['city'], license: 'MIT' });
  await addItem(s, { title: 'Mountain wind', tags: ['nature'] });
  const res = await s.app.inject({ method: 'GET', url: '/search?q=river' });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<h2 id="results-title" aria-live="polite">2 results<\/h2>/);
  assert.match(res.body, /River at dawn/);
  assert.match(res.body, /River in the city/);
  assert.doesNotMatch(res.body, /Mountain wind/);
  assert.match(res.body, /<input type="search" id="nav-q" name="q" value="river"/);
  assert.match(res.body, /<input type="search" value="river" id="s-q" name="q">/);
  // Facets count over the matches and link to the filtered search.
  assert.match(
    res.body,
    /<a href="\/search\?q=river&amp;tag=city">city<\/a> <span class="muted">\(1\)<\/span>/,
  );
  assert.match(
    res.body,
    /<a href="\/search\?q=river&amp;license=MIT">MIT License<\/a> <span class="muted">\(1\)<\/span>/,
  );
  const filtered = await s.app.inject({ method: 'GET', url: '/search?q=river&tag=city' });
  assert.match(filtered.body, /1 result</);
  assert.match(filtered.body, /River in the city/);
  assert.doesNotMatch(filtered.body, /River at dawn/);
  // The active facet is marked and its link removes the filter.
  assert.match(filtered.body, /<a href="\/search\?q=river" aria-current="true">✓ city<\/a>/);
  assert.match(filtered.body, /<input type="hidden" name="tag" value="city">/);
});

test('search: sort and pagination links keep the other parameters', async (t) => {
  const s = await openPagesSite(t);
  for (let i = 0; i < 30; i++)
    await addItem(s, { title: `Episode ${String(i).padStart(2, '0')} of the show` });
  const first = await s.app.inject({ method: 'GET', url: '/search?q=episode&sort=title' });
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /30 results/);
  assert.match(first.body, /<option value="title" selected>Title<\/option>/);
  assert.match(first.body, /<a href="\/search\?q=episode&amp;sort=title&amp;page=2" rel="next">/);
  assert.match(first.body, /Episode 00 of the show/);
  const second = await s.app.inject({ method: 'GET', url: '/search?q=episode&sort=title&page=2' });
  assert.match(second.body, /<span aria-current="page">2<\/span>/);
  assert.match(second.body, /Episode 29 of the show/);
  assert.doesNotMatch(second.body, /Episode 00 of the show/);
  const browse = await s.app.inject({ method: 'GET', url: '/search' });
  assert.equal(browse.statusCode, 200);
  assert.match(browse.body, /Browse everything/);
});

test('search: invalid input re-shows the form with the error and keeps what was typed', async (t) => {
  const s = await openPagesSite(t);
  await addItem(s);
  for (const url of [
    '/search?q=river&type=hologram',
    '/search?q=river&sort=loudest',
    '/search?q=river&page=zero',
  ]) {
    const res = await s.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 400, url);
    assert.match(res.body, /<div class="notice error" role="alert" id="form-error">/, url);
    assert.match(res.body, /<input type="search" value="river" id="s-q" name="q">/, url);
  }
});

test('search results render hostile titles inert', async (t) => {
  const s = await openPagesSite(t);
  await addItem(s, { title: `${EVIL_TITLE} river`, tags: ['"><b>x</b>'] });
  const res = await s.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent('river <script>')}` });
  assert.equal(res.statusCode, 200);
  assertInert(res.body);
  assert.match(res.body, /&lt;script&gt;alert/);
});

test('user and channel pages list their items; unknown ones are the 404 page', async (t) => {
  const s = await openPagesSite(t);
  const item = await addItem(s, { title: 'Owned item' });
  const channel = await s.site.channels.create({
    ownerId: item.ownerId,
    slug: 'field-notes',
    title: 'Field <notes>',
    description: 'Sounds *outside*.',
  });
  await s.site.items.update(item.id, { channelId: channel.id });
  const user = await s.app.inject({ method: 'GET', url: '/users/owner' });
  assert.equal(user.statusCode, 200);
  assert.match(user.body, /<h1 id="user-title">owner<\/h1>/);
  assert.match(user.body, /Owned item/);
  assert.match(user.body, /<a href="\/channels\/field-notes">Field &lt;notes&gt;<\/a>/);
  const ch = await s.app.inject({ method: 'GET', url: '/channels/field-notes' });
  assert.equal(ch.statusCode, 200);
  assert.match(ch.body, /<h1 id="channel-title">Field &lt;notes&gt;<\/h1>/);
  assert.match(ch.body, /Sounds <em>outside<\/em>\./);
  assert.match(ch.body, /Owned item/);
  for (const url of ['/users/nobody', '/channels/none', '/users/owner?page=-1']) {
    const res = await s.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.match(res.body, /Page not found/);
  }
});
