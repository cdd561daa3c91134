/**
 * tus 1.0 resumable uploads through the API on both databases (`app.inject()`, real catalog and
 * upload folder): OPTIONS, creation (with and without a body, deferred length), HEAD, PATCH in
 * pieces, offset mismatch 409, another version 412, another user's upload 404, oversize 413,
 * checksums (460 discards the chunk), termination, expiry and the sweep, X-HTTP-Method-Override,
 * and `Tus-Resumable` on every answer, errors included.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Database } from '../src/db/index.js';
import { parseTorrent } from '../src/torrent/index.js';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { login, multipart, openTestSite, type Part, type TestSite } from './site-fixtures.js';

const TUS = { 'tus-resumable': '1.0.0' };
const OCTETS = { 'content-type': 'application/offset+octet-stream' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function create(s: TestSite, auth: Record<string, string>, headers: Record<string, string>) {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/uploads',
    headers: { ...TUS, ...auth, ...headers },
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers['tus-resumable'], '1.0.0');
  const location = String(res.headers.location);
  assert.match(location, /\/api\/v1\/uploads\/[0-9a-f]{32}$/);
  return new URL(location).pathname;
}

function patch(
  s: TestSite,
  auth: Record<string, string>,
  url: string,
  offset: number,
  body: Buffer,
  extra = {},
) {
  return s.app.inject({
    method: 'PATCH',
    url,
    headers: { ...TUS, ...OCTETS, ...auth, 'upload-offset': String(offset), ...extra },
    payload: body,
  });
}

function head(s: TestSite, auth: Record<string, string>, url: string) {
  return s.app.inject({ method: 'HEAD', url, headers: { ...TUS, ...auth } });
}

function assertError(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  status: number,
  code: string,
) {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.headers['tus-resumable'], '1.0.0', 'Tus-Resumable on errors too');
  if (res.body) assert.equal(JSON.parse(res.body).error.code, code);
}

const uploadFile = (s: TestSite, url: string) => join(s.dir, 'uploads', url.split('/').pop()!);

describeOnEachDatabase('tus uploads', (fresh) => {
  let db: Database;
  const site = async (t: { after(fn: () => unknown): void }, limits = {}) => {
    db = await fresh();
    const s = await openTestSite(db, { limits });
    t.after(() => s.close());
    return s;
  };

  test('OPTIONS describes the server; creation, HEAD and PATCH in pieces; the bytes are kept', async (t) => {
    const s = await site(t, { uploadBytes: 1_000_000 });
    const options = await s.app.inject({ method: 'OPTIONS', url: '/api/v1/uploads' });
    assert.equal(options.statusCode, 204);
    assert.equal(options.headers['tus-resumable'], '1.0.0');
    assert.equal(options.headers['tus-version'], '1.0.0');
    assert.equal(options.headers['tus-max-size'], '1000000');
    for (const ext of [
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
      'checksum',
    ])
      assert.ok(String(options.headers['tus-extension']).split(',').includes(ext), ext);
    assert.equal(options.headers['tus-checksum-algorithm'], 'sha1,sha256');

    const auth = await login(s.app);
    const data = randomBytes(300_000);
    const url = await create(s, auth, {
      'upload-length': String(data.length),
      'upload-metadata': `filename ${b64('clip é.ogg')},filetype ${b64('audio/ogg')},empty`,
    });
    let h = await head(s, auth, url);
    assert.equal(h.statusCode, 200);
    assert.equal(h.headers['upload-offset'], '0');
    assert.equal(h.headers['upload-length'], String(data.length));
    assert.equal(h.headers['cache-control'], 'no-store');
    assert.ok(Date.parse(String(h.headers['upload-expires'])) > Date.now(), 'Upload-Expires is a date ahead');
    const meta = Object.fromEntries(
      String(h.headers['upload-metadata'])
        .split(',')
        .map((p) => {
          const [k, v] = p.split(' ');
          return [k, v === undefined ? '' : Buffer.from(v, 'base64').toString()];
        }),
    );
    assert.deepEqual(meta, { filename: 'clip é.ogg', filetype: 'audio/ogg', empty: '' });

    let res = await patch(s, auth, url, 0, data.subarray(0, 100_000));
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.headers['upload-offset'], '100000');
    assert.equal(res.headers['tus-resumable'], '1.0.0');
    // a stale offset is a conflict, and changes nothing
    assertError(await patch(s, auth, url, 0, data.subarray(0, 10)), 409, 'UPLOAD_OFFSET');
    h = await head(s, auth, url);
    assert.equal(h.headers['upload-offset'], '100000');
    res = await patch(s, auth, url, 100_000, data.subarray(100_000));
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.headers['upload-offset'], String(data.length));
    assert.ok(readFileSync(uploadFile(s, url)).equals(data), 'the file holds exactly the bytes sent');
    // nothing more fits
    assertError(await patch(s, auth, url, data.length, Buffer.from('x')), 413, 'HTTP_TOO_LARGE');
    assert.equal(readFileSync(uploadFile(s, url)).length, data.length);
  });

  test('creation-with-upload, deferred length, and X-HTTP-Method-Override', async (t) => {
    const s = await site(t);
    const auth = await login(s.app);
    const first = await s.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...TUS, ...OCTETS, ...auth, 'upload-defer-length': '1' },
      payload: Buffer.from('hello '),
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['upload-offset'], '6');
    const url = new URL(String(first.headers.location)).pathname;
    let h = await head(s, auth, url);
    assert.equal(h.headers['upload-defer-length'], '1');
    assert.equal(h.headers['upload-length'], undefined);
    // the length is declared with a later PATCH
    const res = await s.app.inject({
      method: 'POST',
      url,
      headers: {
        ...TUS,
        ...OCTETS,
        ...auth,
        'x-http-method-override': 'PATCH',
        'upload-offset': '6',
        'upload-length': '11',
      },
      payload: Buffer.from('world'),
    });
    assert.equal(res.statusCode, 204, res.body);
    h = await s.app.inject({
      method: 'POST',
      url,
      headers: { ...TUS, ...auth, 'x-http-method-override': 'HEAD' },
    });
    assert.equal(h.headers['upload-length'], '11');
    assert.equal(h.headers['upload-offset'], '11');
    assert.equal(h.headers['upload-expires'], undefined, 'a finished upload shows no expiry');
    assert.equal(readFileSync(uploadFile(s, url), 'utf8'), 'hello world');
    // and cannot change again
    assertError(
      await patch(s, auth, url, 11, Buffer.alloc(0), { 'upload-length': '12' }),
      400,
      'UPLOAD_INVALID',
    );
    // neither length nor defer is a bad request
    const neither = await s.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...TUS, ...auth },
    });
    assertError(neither, 400, 'UPLOAD_INVALID');
  });

  test('wrong version 412, no account 401, another user 404, oversize 413, wrong type 415', async (t) => {
    const s = await site(t, { uploadBytes: 1000 });
    const ada = await login(s.app, 'ada');
    const bob = await login(s.app, 'bob');
    const url = await create(s, ada, { 'upload-length': '10' });

    const old = await s.app.inject({ method: 'HEAD', url, headers: { ...ada, 'tus-resumable': '0.2.2' } });
    assert.equal(old.statusCode, 412);
    assert.equal(old.headers['tus-version'], '1.0.0');
    assert.equal(old.headers['tus-resumable'], '1.0.0');
    const none = await s.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...ada, 'upload-length': '1' },
    });
    assertError(none, 412, 'UPLOAD_VERSION');

    assertError(
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/uploads',
        headers: { ...TUS, 'upload-length': '1' },
      }),
      401,
      'AUTH_REQUIRED',
    );
    assertError(await head(s, {}, url), 401, 'AUTH_REQUIRED');

    assertError(await head(s, bob, url), 404, 'NOT_FOUND');
    assertError(await patch(s, bob, url, 0, Buffer.from('x')), 404, 'NOT_FOUND');
    assertError(await s.app.inject({ method: 'DELETE', url, headers: { ...TUS, ...bob } }), 404, 'NOT_FOUND');
    assertError(await head(s, ada, '/api/v1/uploads/not-an-id'), 404, 'NOT_FOUND');
    assert.equal((await head(s, ada, url)).statusCode, 200, "bob's attempts changed nothing");

    const big = await s.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...TUS, ...ada, 'upload-length': '1001' },
    });
    assertError(big, 413, 'HTTP_TOO_LARGE');
    const deferred = await create(s, ada, { 'upload-defer-length': '1' });
    assertError(await patch(s, ada, deferred, 0, Buffer.alloc(1001)), 413, 'HTTP_TOO_LARGE');
    assertError(
      await patch(s, ada, deferred, 0, Buffer.alloc(1), { 'upload-length': '5000' }),
      413,
      'HTTP_TOO_LARGE',
    );
    assertError(await patch(s, ada, url, 0, Buffer.alloc(11)), 413, 'HTTP_TOO_LARGE');

    const wrongType = await s.app.inject({
      method: 'PATCH',
      url,
      headers: { ...TUS, ...ada, 'upload-offset': '0', 'content-type': 'application/octet-stream' },
      payload: Buffer.from('x'),
    });
    assert.equal(wrongType.statusCode, 415, wrongType.body);
    assert.equal(wrongType.headers['tus-resumable'], '1.0.0');
    assertError(
      await patch(s, ada, url, 0, Buffer.from('x'), { 'upload-offset': 'abc' }),
      400,
      'UPLOAD_INVALID',
    );
  });

  test('checksums: a matching chunk is kept, a mismatch is 460 and discarded, unknown algorithms 400', async (t) => {
    const s = await site(t);
    const auth = await login(s.app);
    const url = await create(s, auth, { 'upload-length': '8' });
    const sum = (alg: string, b: Buffer) => `${alg} ${createHash(alg).update(b).digest('base64')}`;
    let res = await patch(s, auth, url, 0, Buffer.from('abcd'), {
      'upload-checksum': sum('sha1', Buffer.from('abcd')),
    });
    assert.equal(res.statusCode, 204, res.body);
    res = await patch(s, auth, url, 4, Buffer.from('efgh'), {
      'upload-checksum': sum('sha256', Buffer.from('EFGH')),
    });
    assertError(res, 460, 'UPLOAD_CHECKSUM');
    assert.equal((await head(s, auth, url)).headers['upload-offset'], '4');
    assert.equal(readFileSync(uploadFile(s, url), 'utf8'), 'abcd');
    res = await patch(s, auth, url, 4, Buffer.from('efgh'), {
      'upload-checksum': sum('md5', Buffer.from('efgh')),
    });
    assertError(res, 400, 'UPLOAD_CHECKSUM_ALGORITHM');
    res = await patch(s, auth, url, 4, Buffer.from('efgh'), {
      'upload-checksum': sum('sha256', Buffer.from('efgh')),
    });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(readFileSync(uploadFile(s, url), 'utf8'), 'abcdefgh');
  });

  test('termination removes the upload; an expired upload is gone (410) and swept', async (t) => {
    const s = await site(t);
    const auth = await login(s.app);
    const url = await create(s, auth, { 'upload-length': '100' });
    assert.ok(existsSync(uploadFile(s, url)));
    const del = await s.app.inject({ method: 'DELETE', url, headers: { ...TUS, ...auth } });
    assert.equal(del.statusCode, 204);
    assert.equal(del.headers['tus-resumable'], '1.0.0');
    assert.ok(!existsSync(uploadFile(s, url)), 'the file is removed');
    assertError(await head(s, auth, url), 404, 'NOT_FOUND');

    const late = await create(s, auth, { 'upload-length': '100' });
    const kept = await create(s, auth, { 'upload-length': '100' });
    assert.equal((await patch(s, auth, late, 0, Buffer.alloc(10))).statusCode, 204);
    const id = late.split('/').pop()!;
    await db
      .updateTable('uploads')
      .set({ expires_at: Date.now() - 1000 })
      .where('id', '=', id)
      .execute();
    assertError(await head(s, auth, late), 410, 'UPLOAD_GONE');
    assert.ok(!existsSync(uploadFile(s, late)), 'an expired upload is removed when seen');

    const swept = await create(s, auth, { 'upload-length': '100' });
    await db
      .updateTable('uploads')
      .set({ expires_at: Date.now() - 1000 })
      .where('id', '=', swept.split('/').pop()!)
      .execute();
    assert.equal(await s.site.uploads.sweep(), 1);
    assert.ok(!existsSync(uploadFile(s, swept)), 'the sweep removes expired uploads');
    assert.ok(existsSync(uploadFile(s, kept)), 'and leaves the others');
    assert.equal((await head(s, auth, kept)).statusCode, 200);
  });
});

describeOnEachDatabase('publishing a tus upload', (fresh) => {
  test('a finished upload becomes an item named by its metadata, and is consumed', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const ada = await login(s.app, 'ada');
    const bob = await login(s.app, 'bob');
    const data = randomBytes(150_000);
    const url = await create(s, ada, {
      'upload-length': String(data.length),
      'upload-metadata': `filename ${b64('../Talk: part 1.ogg')},filetype ${b64('audio/ogg')}`,
    });
    const id = url.split('/').pop()!;
    const publishWith = (auth: Record<string, string>, parts: Part[]) => {
      const body = multipart(parts);
      return s.app.inject({
        method: 'POST',
        url: '/api/v1/items',
        payload: body.payload,
        headers: { ...body.headers, ...auth },
      });
    };
    const nothingPublished = async () => {
      for (const status of ['pending', 'ready'] as const)
        assert.deepEqual(await s.site.items.newest({ status }), [], `no ${status} item`);
      assert.deepEqual(
        s.files().filter((f) => f.startsWith('blobs')),
        [],
        'no blob',
      );
    };

    // unfinished: refused, nothing published
    let res = await publishWith(ada, [
      { name: 'title', value: 'Talk' },
      { name: 'upload', value: id },
    ]);
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().error.message, /upload: not finished/);
    assert.equal((await patch(s, ada, url, 0, data)).statusCode, 204);
    // another account's upload is unknown to bob
    res = await publishWith(bob, [
      { name: 'title', value: 'Talk' },
      { name: 'upload', value: id },
    ]);
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().error.message, /upload: you have no upload/);
    // an invalid publish (no title, bad licence) leaves no half item and keeps the upload
    res = await publishWith(ada, [{ name: 'upload', value: id }]);
    assert.equal(res.statusCode, 400, res.body);
    res = await publishWith(ada, [
      { name: 'title', value: 'Talk' },
      { name: 'license', value: 'no such licence' },
      { name: 'upload', value: id },
    ]);
    assert.equal(res.statusCode, 400, res.body);
    await nothingPublished();
    assert.ok(existsSync(uploadFile(s, url)), 'the upload is kept for another try');
    res = await publishWith(ada, [
      { name: 'title', value: 'Talk' },
      { name: 'upload', value: id },
      { name: 'file', value: 'x', filename: 'x.txt' },
    ]);
    assert.equal(res.statusCode, 400, res.body);

    res = await publishWith(ada, [
      { name: 'title', value: 'Talk, part 1' },
      { name: 'license', value: 'CC-BY-4.0' },
      { name: 'upload', value: id },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const item = res.json();
    assert.deepEqual(
      item.files.map((f: { path: string; length: number }) => [f.path, f.length]),
      [['Talk: part 1.ogg', data.length]],
    );
    assert.equal(item.mediaType, 'audio');
    const file = await s.app.inject({ method: 'GET', url: new URL(item.files[0].url).pathname });
    assert.equal(file.statusCode, 200);
    assert.ok(file.rawPayload.equals(data), 'the published file is the uploaded bytes');
    const torrent = parseTorrent(
      (await s.app.inject({ method: 'GET', url: new URL(item.torrentUrl).pathname })).rawPayload,
    );
    assert.equal(torrent.infoHash, item.infoHash);
    assert.ok(!existsSync(uploadFile(s, url)), 'the upload was consumed');
    assertError(await head(s, ada, url), 404, 'NOT_FOUND');
    res = await publishWith(ada, [
      { name: 'title', value: 'Again' },
      { name: 'upload', value: id },
    ]);
    assert.equal(res.statusCode, 400, 'an upload publishes once');
  });
});
