/**
 * Editing, deleting and taking down items through the API (`app.inject()`, real services on
 * SQLite; the item is published with `POST /api/v1/items`): the owner or an admin edits metadata
 * and search follows; others get 403 and anonymous requests 401; an admin's takedown hides the item
 * from search, stops tracking it and answers 451 for its JSON (except to admins), files and
 * `.torrent`, and is reversible; delete removes the item and its blobs.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { login, multipart, openTestSite } from '../../../test/site-fixtures.js';
import { openDatabase } from '../../db/index.js';

test('edit, takedown, restore and delete over the API, with permissions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-item-admin-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const admin = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const bob = await login(s.app, 'bob');
  const body = multipart([
    { name: 'title', value: 'Original title' },
    { name: 'description', value: 'Words about a kingfisher.' },
    { name: 'file', filename: 'clip.ogg', value: Buffer.alloc(40_000, 3) },
  ]);
  const published = await s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...ada },
  });
  assert.equal(published.statusCode, 201, published.body);
  const item = published.json();
  const url = `/api/v1/items/${item.id}`;
  const found = async (q: string) =>
    (await s.app.inject({ url: `/api/v1/search?q=${q}` })).json().items.map((i: { id: number }) => i.id);
  assert.deepEqual(await found('kingfisher'), [item.id]);

  const patch = (payload: object, headers: Record<string, string>) =>
    s.app.inject({ method: 'PATCH', url, payload, headers });
  assert.equal((await patch({ title: 'x' }, {})).statusCode, 401);
  assert.equal((await patch({ title: 'x' }, bob)).statusCode, 403);
  assert.match((await patch({ license: 'mine' }, ada)).json().error.message, /license/);
  assert.match((await patch({ channel: 'nope' }, ada)).json().error.message, /channel/);
  const edited = await patch(
    { title: 'Heron at the pond', tags: 'birds, water', license: 'cc-by-4.0', description: 'A heron.' },
    ada,
  );
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().title, 'Heron at the pond');
  assert.deepEqual(edited.json().tags, ['birds', 'water']);
  assert.equal(edited.json().license, 'CC-BY-4.0');
  assert.deepEqual(await found('kingfisher'), [], 'the old description is gone from the index');
  assert.deepEqual(await found('heron'), [item.id]);
  assert.deepEqual(await found('water'), [item.id]);
  assert.equal((await patch({ creator: 'Admin edit' }, admin)).statusCode, 200, 'admins edit anything');

  const takedown = (headers: Record<string, string>) =>
    s.app.inject({ method: 'POST', url: `${url}/takedown`, payload: { reason: 'DMCA notice 42' }, headers });
  assert.equal((await takedown({})).statusCode, 401);
  assert.equal((await takedown(ada)).statusCode, 403);
  const down = await takedown(admin);
  assert.equal(down.statusCode, 200, down.body);
  assert.equal(down.json().status, 'taken_down');
  assert.deepEqual(await found('heron'), []);
  assert.equal(s.site.seeding.isSeeding(item.id), false);
  assert.equal(await s.site.seeding.allow(Buffer.from(item.infoHash, 'hex')), false, 'no longer tracked');
  assert.equal((await s.app.inject({ url })).statusCode, 451);
  assert.equal((await s.app.inject({ url, headers: ada })).statusCode, 451);
  const seen = await s.app.inject({ url, headers: admin });
  assert.equal(seen.statusCode, 200);
  assert.equal(seen.json().takedown.reason, 'DMCA notice 42');
  assert.equal((await s.app.inject({ url: `/items/${item.id}.torrent` })).statusCode, 451);
  assert.equal(
    (await s.app.inject({ url: item.files[0].url.replace('http://site.test', '') })).statusCode,
    451,
  );
  assert.equal((await patch({ title: 'sneaky' }, ada)).statusCode, 404, 'the owner cannot edit it back');

  const restore = await s.app.inject({ method: 'DELETE', url: `${url}/takedown`, headers: admin });
  assert.equal(restore.statusCode, 200, restore.body);
  assert.deepEqual(await found('heron'), [item.id]);
  assert.equal(s.site.seeding.isSeeding(item.id), true);
  assert.equal((await s.app.inject({ url: `/items/${item.id}.torrent` })).statusCode, 200);

  assert.equal((await s.app.inject({ method: 'DELETE', url })).statusCode, 401);
  assert.equal((await s.app.inject({ method: 'DELETE', url, headers: bob })).statusCode, 403);
  assert.ok(s.files().some((f) => f.startsWith('blobs/')));
  const gone = await s.app.inject({ method: 'DELETE', url, headers: ada });
  assert.equal(gone.statusCode, 204, gone.body);
  assert.equal((await s.app.inject({ url })).statusCode, 404);
  assert.deepEqual(await found('heron'), []);
  assert.equal(s.site.seeding.isSeeding(item.id), false);
  assert.deepEqual(
    s.files().filter((f) => f.startsWith('blobs/')),
    [],
    'no blob left',
  );
});
