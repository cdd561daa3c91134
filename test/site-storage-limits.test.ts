/**
 * Storage limits through the site's HTTP routes (issue 15, findings 1 and 7), on both databases
 * (`app.inject()`, real catalog, blob store, engine and tracker):
 * - a torrent-only item declaring 1 TiB, or 10,001 files, is refused at publish (API and form) with
 *   413 TORRENT_TOO_LARGE naming `torrent`, and nothing is recorded;
 * - each account has a storage quota (the site's default, or one an admin sets; admins have none by
 *   default): a multipart upload, a tus creation (its declared length is a reservation) or a
 *   torrent-only item (its declared size) that would go over it is 413 QUOTA_EXCEEDED and leaves
 *   nothing behind;
 * - with a free-space reserve above what the disk has, uploads and tus creations are 507 DISK_FULL,
 *   while a torrent-only registration (which stores no content) still works.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encode } from '../src/bencode/index.js';
import { createTorrent } from '../src/torrent/index.js';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { tempDir } from './helpers/tools.js';
import { login, multipart, openTestSite, type Part, type TestSite } from './site-fixtures.js';

type Auth = Record<string, string>;

/** A v1 torrent declaring `files` (path, length) with `pieceLength`-sized pieces (the hashes are zeros). */
function declaredTorrent(files: { path: string; length: number }[], pieceLength = 16 * 1024 * 1024): Buffer {
  const total = files.reduce((s, f) => s + f.length, 0);
  const pieces = Buffer.alloc(20 * Math.ceil(total / pieceLength));
  const info =
    files.length === 1
      ? { length: files[0]!.length, name: files[0]!.path, 'piece length': pieceLength, pieces }
      : {
          files: files.map((f) => ({ length: f.length, path: [f.path] })),
          name: 'many',
          'piece length': pieceLength,
          pieces,
        };
  return encode({ announce: 'http://elsewhere.example/announce', info });
}

const torrentPart = (value: Uint8Array): Part => ({
  name: 'torrent',
  filename: 'x.torrent',
  value,
  type: 'application/x-bittorrent',
});

async function post(s: TestSite, auth: Auth, parts: Part[]) {
  const body = multipart(parts);
  return s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...auth },
  });
}

function tusCreate(s: TestSite, auth: Auth, length: number) {
  return s.app.inject({
    method: 'POST',
    url: '/api/v1/uploads',
    headers: { ...auth, 'tus-resumable': '1.0.0', 'upload-length': String(length) },
  });
}

function assertError(
  res: { statusCode: number; body: string },
  status: number,
  code: string,
  pattern?: RegExp,
) {
  assert.equal(res.statusCode, status, res.body);
  const { error } = JSON.parse(res.body) as { error: { code: string; message: string } };
  assert.equal(error.code, code);
  if (pattern) assert.match(error.message, pattern);
}

const fields = (title: string): Part[] => [
  { name: 'title', value: title },
  { name: 'license', value: 'CC0-1.0' },
];

async function itemCount(s: TestSite): Promise<number> {
  return (await s.site.items.lastChange()).count;
}

describeOnEachDatabase('storage limits', (fresh) => {
  test('a torrent-only item over the size or file-count bound is 413 TORRENT_TOO_LARGE naming the torrent (API and form)', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const huge = declaredTorrent([{ path: 'huge.bin', length: 1024 ** 4 }]);
    assertError(
      await post(s, auth, [...fields('Huge'), torrentPart(huge)]),
      413,
      'TORRENT_TOO_LARGE',
      /^torrent: .*1\.0 TiB/,
    );
    const many = declaredTorrent(
      Array.from({ length: 10_001 }, (_, i) => ({ path: `f${i}.txt`, length: 1 })),
      16 * 1024,
    );
    assertError(
      await post(s, auth, [...fields('Many'), torrentPart(many)]),
      413,
      'TORRENT_TOO_LARGE',
      /10001 files/,
    );
    assert.equal(await itemCount(s), 0, 'nothing recorded');

    // The upload form answers the same, next to the torrent field.
    const user = (await s.site.users.byName('ada'))!;
    const { cookie } = await s.site.sessions.create(user.id);
    const page = await s.app.inject({
      method: 'GET',
      url: '/upload',
      headers: { cookie: `sc_session=${cookie}` },
    });
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
    const body = multipart([
      { name: '_csrf', value: csrf },
      { name: 'mode', value: 'torrent' },
      ...fields('Huge by form'),
      torrentPart(huge),
    ]);
    const res = await s.app.inject({
      method: 'POST',
      url: '/upload',
      headers: { ...body.headers, cookie: `sc_session=${cookie}` },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 413, res.body.slice(0, 300));
    assert.match(
      res.body,
      /id="f-torrent-error">[^<]*1\.0 TiB of content; this site takes at most 64\.0 GiB/,
    );
    assert.equal(await itemCount(s), 0);
  });

  test('an account cannot store more than its quota by upload, tus or torrent-only: 413 QUOTA_EXCEEDED; admins set quotas', async (t) => {
    const s = await openTestSite(await fresh(), { quotas: { userQuota: 200_000 } });
    t.after(() => s.close());
    const admin = await login(s.app, 'root');
    const ada = await login(s.app, 'ada');
    const quota = async (auth: Auth) =>
      (await s.app.inject({ method: 'GET', url: '/api/v1/users/ada/quota', headers: auth })).json();
    assert.deepEqual(await quota(ada), {
      username: 'ada',
      setting: 'default',
      quota: 200_000,
      used: 0,
      remaining: 200_000,
    });

    const file = (n: number): Part => ({ name: 'file', filename: `f${n}.bin`, value: Buffer.alloc(n, 1) });
    assert.equal((await post(s, ada, [...fields('Fits'), file(150_000)])).statusCode, 201);
    const blobsBefore = s.files().filter((f) => f.startsWith('blobs/')).length;
    assertError(await post(s, ada, [...fields('Too much'), file(100_000)]), 413, 'QUOTA_EXCEEDED', /quota/);
    assert.equal(
      s.files().filter((f) => f.startsWith('blobs/')).length,
      blobsBefore,
      'the refused upload left no blob',
    );

    // tus: the declared length is reserved at creation.
    assertError(await tusCreate(s, ada, 60_000), 413, 'QUOTA_EXCEEDED');
    assert.equal((await tusCreate(s, ada, 40_000)).statusCode, 201);
    assertError(await tusCreate(s, ada, 20_000), 413, 'QUOTA_EXCEEDED');
    assert.equal((await quota(admin)).used, 190_000);

    // torrent-only: the declared size counts.
    const dir = tempDir(t);
    mkdirSync(join(dir, 'show'));
    writeFileSync(join(dir, 'show', 'a.bin'), Buffer.alloc(50_000, 2));
    const created = await createTorrent(join(dir, 'show', 'a.bin'), { version: 'v1' });
    assertError(
      await post(s, ada, [...fields('Torrent'), torrentPart(created.torrent)]),
      413,
      'QUOTA_EXCEEDED',
    );

    // Only admins set quotas; "none" lifts it.
    const set = (auth: Auth, value: unknown) =>
      s.app.inject({
        method: 'PUT',
        url: '/api/v1/users/ada/quota',
        headers: auth,
        payload: { quota: value },
      });
    assertError(await set(ada, 'none'), 403, 'FORBIDDEN');
    assert.equal((await set(admin, 'none')).json().quota, null);
    assert.equal((await post(s, ada, [...fields('Torrent'), torrentPart(created.torrent)])).statusCode, 201);
    assert.equal((await set(admin, 1000)).json().remaining, 0);
    assertError(await tusCreate(s, ada, 1), 413, 'QUOTA_EXCEEDED');
    // The admin has no quota unless one is set.
    assert.equal((await post(s, admin, [...fields('Admin'), file(250_000)])).statusCode, 201);
  });
});

test('with the free-space reserve above what the disk has, uploads and tus creations are 507 DISK_FULL', async (t) => {
  const { openDatabase } = await import('../src/db/index.js');
  const dir = tempDir(t);
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  t.after(() => db.destroy());
  const s = await openTestSite(db, { quotas: { minFreeBytes: 2 ** 52 } });
  t.after(() => s.close());
  const auth = await login(s.app);
  const res = await post(s, auth, [
    ...fields('No room'),
    { name: 'file', filename: 'a.bin', value: Buffer.alloc(1000) },
  ]);
  assertError(res, 507, 'DISK_FULL', /free/);
  assertError(await tusCreate(s, auth, 1000), 507, 'DISK_FULL');
  assert.deepEqual(
    s.files().filter((f) => f.startsWith('blobs/') || f.startsWith('uploads/')),
    [],
    'nothing was written',
  );
  // Registering a torrent stores no content: still accepted (its archiving waits for room).
  mkdirSync(join(dir, 'show'));
  writeFileSync(join(dir, 'show', 'a.bin'), Buffer.alloc(50_000, 2));
  const created = await createTorrent(join(dir, 'show', 'a.bin'), { version: 'v1' });
  assert.equal((await post(s, auth, [...fields('Torrent'), torrentPart(created.torrent)])).statusCode, 201);
});

test('admins set an account’s quota with the /admin/quota form; others cannot', async (t) => {
  const { openDatabase } = await import('../src/db/index.js');
  const dir = tempDir(t);
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  t.after(() => db.destroy());
  const s = await openTestSite(db, { quotas: { userQuota: 1000 } });
  t.after(() => s.close());
  const root = await s.site.users.register({ username: 'root', password: 'correct horse' });
  const ada = await s.site.users.register({ username: 'ada', password: 'correct horse' });
  const cookieOf = async (id: number) => `sc_session=${(await s.site.sessions.create(id)).cookie}`;
  const rootCookie = await cookieOf(root.id);
  const admin = await s.app.inject({ method: 'GET', url: '/admin', headers: { cookie: rootCookie } });
  assert.match(admin.body, /<a href="\/admin\/quota" id="quota-link">/, 'the admin page links the form');
  const page = await s.app.inject({
    method: 'GET',
    url: '/admin/quota?user=ada',
    headers: { cookie: rootCookie },
  });
  assert.equal(page.statusCode, 200, page.body.slice(0, 300));
  assert.match(page.body, /id="quota-usage">0 B used of 1.0 KB \(the site’s default\)/);
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
  const set = (cookie: string, quota: string) =>
    s.app.inject({
      method: 'POST',
      url: '/admin/quota',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, user: 'ada', quota }).toString(),
    });
  const done = await set(rootCookie, '5G');
  assert.equal(done.statusCode, 303, done.body.slice(0, 300));
  assert.equal(await s.site.quotas!.quotaOf(ada.id), 5 * 1024 ** 3);
  assert.equal((await set(rootCookie, 'lots')).statusCode, 400);
  assert.equal((await set(rootCookie, 'none')).statusCode, 303);
  assert.equal(await s.site.quotas!.quotaOf(ada.id), 'none');
  const adaCookie = await cookieOf(ada.id);
  assert.equal(
    (await s.app.inject({ method: 'GET', url: '/admin/quota', headers: { cookie: adaCookie } })).statusCode,
    403,
  );
  assert.equal((await set(adaCookie, '1')).statusCode, 403);
  assert.equal(await s.site.quotas!.quotaOf(ada.id), 'none');
});
