/**
 * Collections through the API (`app.inject()`, real services on SQLite): create, add two items,
 * reorder, remove; visibility (unlisted: reachable by id with `noindex`, listed only to its owner);
 * bad input (empty title 400 naming `title`, unknown item 400 naming `item`, a reorder that is not a
 * permutation 400 naming `items`, unknown collection 404), other people's collection 403; the feeds
 * in collection order, the embed page with its CSP, and the creation rate limit.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Parser from 'rss-parser';
import { login, openTestSite } from '../../../test/site-fixtures.js';
import { openDatabase } from '../../db/index.js';

test('collections over the API: create, items, order, visibility, refusals, feeds, embed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-collections-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const s = await openTestSite(db, {
    limits: { actions: { collections: { max: 3, timeWindow: 3_600_000 } } },
  });
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  await login(s.app, 'root'); // the first account is the admin (never rate-limited)
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const owner = (await s.site.users.byName('bob'))!;
  const make = (title: string, status: 'ready' | 'pending' = 'ready') =>
    s.site.items.create({ ownerId: owner.id, title, files: [{ path: `${title}.bin`, length: 1 }], status });
  const one = await make('First song');
  const two = await make('Second song');
  const pending = await make('Not yet', 'pending');
  const api = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers = ada,
  ) => s.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  // create
  assert.equal((await api('POST', '/api/v1/collections', { title: 'x' }, {})).statusCode, 401);
  const empty = await api('POST', '/api/v1/collections', { title: '   ' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.json().error.message, /title/);
  const missing = await api('POST', '/api/v1/collections', { description: 'no title' });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.json().error.message, /title/);
  const badVisibility = await api('POST', '/api/v1/collections', { title: 'x', visibility: 'secret' });
  assert.equal(badVisibility.statusCode, 400);
  assert.match(badVisibility.json().error.message, /visibility/);
  const created = await api('POST', '/api/v1/collections', {
    title: 'Road trip',
    description: 'Songs *for* the car',
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id, url } = created.json();
  assert.equal(url, `http://site.test/collections/${id}`);
  const base = `/api/v1/collections/${id}`;

  // items: add two, twice is a no-op, unknown or pending refused naming the field
  assert.equal((await api('POST', `${base}/items`, { item: two.id })).statusCode, 201);
  const added = await api('POST', `${base}/items`, { item: one.id });
  assert.equal(added.statusCode, 201);
  assert.deepEqual(added.json().items, [two.id, one.id]);
  const again = await api('POST', `${base}/items`, { item: one.id });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().added, false);
  for (const item of [99_999, pending.id]) {
    const refused = await api('POST', `${base}/items`, { item });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().error.message, /item/);
  }
  assert.equal((await api('POST', '/api/v1/collections/99999/items', { item: one.id })).statusCode, 404);

  // other people's collection: 403 for every change; reading works
  assert.equal((await api('POST', `${base}/items`, { item: one.id }, bob)).statusCode, 403);
  assert.equal((await api('PATCH', base, { title: 'Mine now' }, bob)).statusCode, 403);
  assert.equal((await api('PUT', `${base}/items`, { items: [one.id, two.id] }, bob)).statusCode, 403);
  assert.equal((await api('DELETE', `${base}/items/${one.id}`, undefined, bob)).statusCode, 403);
  assert.equal((await api('DELETE', base, undefined, bob)).statusCode, 403);

  // reorder: a permutation, or 400 naming items
  for (const items of [[one.id], [one.id, one.id], [one.id, two.id, 99_999]]) {
    const bad = await api('PUT', `${base}/items`, { items });
    assert.equal(bad.statusCode, 400, JSON.stringify(items));
    assert.match(bad.json().error.message, /items/);
  }
  const reordered = await api('PUT', `${base}/items`, { items: [one.id, two.id] });
  assert.equal(reordered.statusCode, 200, reordered.body);
  assert.deepEqual(reordered.json().items, [one.id, two.id]);
  const shown = await api('GET', base, undefined, {});
  assert.equal(shown.statusCode, 200);
  assert.deepEqual(
    shown.json().items.map((i: { id: number; title: string }) => [i.id, i.title]),
    [
      [one.id, 'First song'],
      [two.id, 'Second song'],
    ],
  );
  assert.equal(shown.json().owner, 'ada');
  assert.equal(shown.json().itemCount, 2);
  assert.equal(shown.json().feeds.rss, `${url}/feed.rss`);
  assert.equal(shown.headers['x-robots-tag'], undefined);

  // the feeds, in collection order
  const rss = await s.app.inject({ url: `/collections/${id}/feed.rss` });
  assert.equal(rss.statusCode, 200);
  assert.match(String(rss.headers['content-type']), /rss/);
  const feed = await new Parser().parseString(rss.body);
  assert.equal(feed.title, 'Road trip');
  assert.deepEqual(
    feed.items.map((i) => i.title),
    ['First song', 'Second song'],
  );
  const json = await s.app.inject({ url: `/collections/${id}/feed.json` });
  assert.deepEqual(
    json.json().items.map((i: { title: string }) => i.title),
    ['First song', 'Second song'],
  );
  const atom = await s.app.inject({ url: `/collections/${id}/feed.atom` });
  assert.equal(atom.statusCode, 200);
  const notModified = await s.app.inject({
    url: `/collections/${id}/feed.rss`,
    headers: { 'if-none-match': String(rss.headers.etag) },
  });
  assert.equal(notModified.statusCode, 304);
  assert.equal((await s.app.inject({ url: '/collections/99999/feed.rss' })).statusCode, 404);

  // the embed: a compact player listing the items, framable anywhere
  const embed = await s.app.inject({ url: `/embed/collections/${id}` });
  assert.equal(embed.statusCode, 200);
  assert.match(String(embed.headers['content-security-policy']), /frame-ancestors \*/);
  assert.ok(embed.body.indexOf('First song') < embed.body.indexOf('Second song'));
  assert.match(embed.body, new RegExp(`aria-current="true" data-item-id="${one.id}"`));

  // remove an item
  assert.equal((await api('DELETE', `${base}/items/${one.id}`)).statusCode, 204);
  assert.equal((await api('DELETE', `${base}/items/${one.id}`)).statusCode, 404);
  assert.deepEqual(
    (await api('GET', base)).json().items.map((i: { id: number }) => i.id),
    [two.id],
  );

  // visibility: unlisted is reachable by id (noindex) but listed only to its owner
  const patched = await api('PATCH', base, { visibility: 'unlisted', title: 'Road trip 2' });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().visibility, 'unlisted');
  assert.equal(patched.json().title, 'Road trip 2');
  const badPatch = await api('PATCH', base, { title: '' });
  assert.equal(badPatch.statusCode, 400);
  assert.match(badPatch.json().error.message, /title/);
  const byId = await api('GET', base, undefined, {});
  assert.equal(byId.statusCode, 200);
  assert.equal(byId.headers['x-robots-tag'], 'noindex');
  const publicOne = (await api('POST', '/api/v1/collections', { title: 'Open' })).json();
  const listed = (who: Record<string, string>) =>
    api('GET', '/api/v1/collections?user=ada', undefined, who).then((r) =>
      r.json().collections.map((c: { id: number }) => c.id),
    );
  assert.deepEqual(await listed({}), [publicOne.id]);
  assert.deepEqual(await listed(bob), [publicOne.id]);
  assert.deepEqual(await listed(ada), [publicOne.id, id]);
  assert.equal((await api('GET', '/api/v1/collections?user=nobody')).statusCode, 404);
  assert.equal((await api('GET', '/api/v1/collections/99999')).statusCode, 404);

  // creation is rate-limited per account (3 an hour here: the third succeeds, the fourth waits)
  assert.equal((await api('POST', '/api/v1/collections', { title: 'Third' })).statusCode, 201);
  const limited = await api('POST', '/api/v1/collections', { title: 'Fourth' });
  assert.equal(limited.statusCode, 429);
  assert.ok(limited.headers['retry-after']);

  // delete
  assert.equal((await api('DELETE', base)).statusCode, 204);
  assert.equal((await api('GET', base)).statusCode, 404);
  assert.ok(await s.site.items.get(two.id), 'the items stay');
});
