/**
 * Comments, favourites and reports through the API (`app.inject()`, real services on SQLite):
 * threads come back newest first, each in reply order, with author names; posting needs an account (401) and a body
 * within limits (400); favourites toggle and list; reports from anyone, listed and resolved by
 * admins only (403 for others); hidden items are 404.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { login, openTestSite } from '../../../test/site-fixtures.js';
import { openDatabase } from '../../db/index.js';

test('comments, favourites and reports over the API', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-community-'));
  const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') });
  const s = await openTestSite(db);
  t.after(async () => {
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const admin = await login(s.app, 'root');
  const ada = await login(s.app, 'ada');
  const adaUser = (await s.site.users.byName('ada'))!;
  const item = await s.site.items.create({
    ownerId: adaUser.id,
    title: 'Commented',
    files: [{ path: 'c.bin', length: 1 }],
    status: 'ready',
  });
  const hidden = await s.site.items.create({
    ownerId: adaUser.id,
    title: 'Pending',
    files: [{ path: 'p.bin', length: 1 }],
  });
  const url = `/api/v1/items/${item.id}`;

  const post = (payload: object, headers = ada) =>
    s.app.inject({ method: 'POST', url: `${url}/comments`, payload, headers });
  assert.equal((await post({ body: 'hi' }, {})).statusCode, 401);
  const first = await post({ body: 'First!' });
  assert.equal(first.statusCode, 201, first.body);
  const second = await post({ body: 'Another' }, admin);
  const reply = await post({ body: 'A reply', parentId: first.json().id }, admin);
  assert.equal(reply.statusCode, 201);
  assert.equal((await post({ body: '' })).statusCode, 400);
  assert.equal((await post({ body: 'x'.repeat(5001) })).statusCode, 400);
  assert.match((await post({ body: 'x', parentId: 99999 })).json().error.message, /parent/);
  const hiddenPost = await s.app.inject({
    method: 'POST',
    url: `/api/v1/items/${hidden.id}/comments`,
    payload: { body: 'x' },
    headers: ada,
  });
  assert.equal(hiddenPost.statusCode, 404);
  const thread = (await s.app.inject({ url: `${url}/comments` })).json().comments;
  assert.deepEqual(
    thread.map((c: { id: number; depth: number; author: string; body: string }) => [
      c.id,
      c.depth,
      c.author,
      c.body,
    ]),
    [
      [second.json().id, 0, 'root', 'Another'],
      [first.json().id, 0, 'ada', 'First!'],
      [reply.json().id, 1, 'root', 'A reply'],
    ],
    'newest thread first, each thread in reply order',
  );

  assert.equal((await s.app.inject({ method: 'PUT', url: `${url}/favourite` })).statusCode, 401);
  const fav = await s.app.inject({ method: 'PUT', url: `${url}/favourite`, headers: ada });
  assert.deepEqual(fav.json(), { count: 1, mine: true });
  const favs = (await s.app.inject({ url: '/api/v1/users/ada/favourites' })).json();
  assert.deepEqual(
    favs.items.map((i: { id: number }) => i.id),
    [item.id],
  );
  assert.equal((await s.app.inject({ url: '/api/v1/users/nobody/favourites' })).statusCode, 404);
  const unfav = await s.app.inject({ method: 'DELETE', url: `${url}/favourite`, headers: ada });
  assert.deepEqual(unfav.json(), { count: 0, mine: false });

  const report = await s.app.inject({
    method: 'POST',
    url: `${url}/reports`,
    payload: { reason: 'Not free' },
  });
  assert.equal(report.statusCode, 201, report.body);
  assert.equal((await s.app.inject({ method: 'POST', url: `${url}/reports`, payload: {} })).statusCode, 400);
  assert.equal((await s.app.inject({ url: '/api/v1/reports' })).statusCode, 401);
  assert.equal((await s.app.inject({ url: '/api/v1/reports', headers: ada })).statusCode, 403);
  const open = (await s.app.inject({ url: '/api/v1/reports', headers: admin })).json().reports;
  assert.deepEqual(
    open.map((r: { id: number; reason: string; reporter: string | null }) => [r.id, r.reason, r.reporter]),
    [[report.json().id, 'Not free', null]],
  );
  const resolve = (headers: Record<string, string>) =>
    s.app.inject({ method: 'POST', url: `/api/v1/reports/${report.json().id}/resolve`, headers });
  assert.equal((await resolve(ada)).statusCode, 403);
  assert.equal((await resolve(admin)).statusCode, 200);
  assert.equal((await resolve(admin)).statusCode, 404);
  assert.deepEqual((await s.app.inject({ url: '/api/v1/reports', headers: admin })).json().reports, []);
});
