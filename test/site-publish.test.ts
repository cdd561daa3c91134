/**
 * Publishing and distribution through the API on both databases (`app.inject()`, real catalog, blob
 * store, engine and tracker): a multipart upload becomes an item with a v1 torrent (the default; a
 * site or an upload may ask for hybrid) whose tracker
 * is the site and whose web seed is the item's file URL; the tracker accepts exactly its hashes; the
 * files come back with Range, ETag, HEAD and the right type. Bad input gets a 4xx JSON error and
 * leaves no item, no blob and no staged file behind, and nothing is ever written outside the data
 * folder whatever the file names say.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { BASE, login, multipart, openTestSite, type Part, type TestSite } from './site-fixtures.js';

const VIDEO = Buffer.alloc(200_000, 0).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function publish(s: TestSite, auth: Record<string, string>, parts: Part[]) {
  const body = multipart(parts);
  return s.app.inject({
    method: 'POST',
    url: '/api/v1/items',
    payload: body.payload,
    headers: { ...body.headers, ...auth },
  });
}

function assertError(
  res: { statusCode: number; json(): unknown },
  status: number,
  code: string,
  field?: string,
) {
  assert.equal(res.statusCode, status, res.statusCode >= 500 ? 'server error' : JSON.stringify(res.json()));
  const { error } = res.json() as { error: { code: string; message: string } };
  assert.equal(error.code, code);
  if (field) assert.match(error.message, new RegExp(field));
}

/** Nothing left behind: no item in any state, no blob, no staged upload. */
async function assertNothingLeft(s: TestSite) {
  assert.deepEqual(s.files(), [], 'no blob or staged file left');
  for (const status of ['pending', 'ready'] as const)
    assert.deepEqual(await s.site.items.newest({ status }), [], `no ${status} item left`);
}

const announce = (hash: string) =>
  `/announce?info_hash=${hash.replace(/../g, '%$&')}&peer_id=-TEST-00000000000000&port=6881&left=10`;

describeOnEachDatabase('publishing API', (fresh) => {
  test('a multipart upload becomes an item with a v1 torrent, tracked and web-seeded by the site', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const res = await publish(s, auth, [
      { name: 'title', value: 'Big Buck Clip' },
      { name: 'description', value: 'A short test clip.\nTwo lines.' },
      { name: 'creator', value: 'Blender Foundation' },
      { name: 'date', value: '2008-05-20' },
      { name: 'language', value: 'en' },
      { name: 'license', value: 'https://creativecommons.org/licenses/by/3.0' },
      { name: 'tags', value: 'Animation, open movie,animation' },
      { name: 'file', filename: 'clip.mp4', value: VIDEO, type: 'video/mp4' },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const item = res.json();
    assert.equal(item.url, `${BASE}/items/${item.id}`);
    assert.equal(item.torrentUrl, `${BASE}/items/${item.id}.torrent`);
    assert.match(item.infoHash, /^[0-9a-f]{40}$/);
    assert.equal(item.infoHashV2, null, 'v1 by default: no v2 hash');
    assert.match(item.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${item.infoHash}&`));
    assert.doesNotMatch(item.magnet, /btmh/);
    assert.deepEqual(item.files, [
      {
        path: 'clip.mp4',
        length: VIDEO.length,
        mimeType: 'video/mp4',
        sha256: sha256(VIDEO),
        url: `${BASE}/items/${item.id}/files/clip.mp4`,
      },
    ]);
    assert.equal(item.license, 'CC-BY-3.0');
    assert.deepEqual(item.tags, ['animation', 'open movie']);
    assert.equal(item.mediaType, 'video');

    const torrentRes = await s.app.inject({ url: `/items/${item.id}.torrent` });
    assert.equal(torrentRes.statusCode, 200);
    assert.equal(torrentRes.headers['content-type'], 'application/x-bittorrent');
    const meta = parseTorrent(torrentRes.rawPayload);
    assert.equal(meta.version, 'v1');
    assert.equal(meta.infoHash, item.infoHash);
    assert.equal(meta.infoHashV2, undefined);
    assert.deepEqual(meta.announce, [[`${BASE}/announce`], [`${BASE.replace('http', 'ws')}/announce`]]);
    assert.deepEqual(meta.urlList, [`${BASE}/items/${item.id}/files/`]);
    assert.equal(meta.name, 'clip.mp4');
    assert.equal(meta.length, VIDEO.length);

    // The tracker serves exactly the site's items.
    assert.doesNotMatch((await s.app.inject({ url: announce(item.infoHash) })).body, /failure reason/);
    assert.match((await s.app.inject({ url: announce('ab'.repeat(20)) })).body, /failure reason/);

    const got = await s.app.inject({ url: `/api/v1/items/${item.id}` });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().title, 'Big Buck Clip');
    assert.equal(got.json().description, 'A short test clip.\nTwo lines.');
    assert.deepEqual(got.json().swarm.leechers, 1, 'the test announce above counts as a leecher');
    assert.equal(typeof got.json().swarm.seeders, 'number');
    assert.equal(typeof got.json().swarm.completed, 'number');
    assert.ok(
      s.files().every((f) => f.startsWith('blobs/')),
      `only blobs remain: ${s.files()}`,
    );
  });

  test('a site configured for hybrid makes hybrid torrents, tracked by both hashes; an upload may ask for v1 or hybrid', async (t) => {
    const s = await openTestSite(await fresh(), { torrentFormat: 'hybrid' });
    t.after(() => s.close());
    const auth = await login(s.app);
    const clip = { name: 'file', filename: 'clip.mp4', value: VIDEO, type: 'video/mp4' };
    const hybrid = (await publish(s, auth, [{ name: 'title', value: 'Hybrid' }, clip])).json();
    assert.match(hybrid.infoHashV2, /^[0-9a-f]{64}$/);
    assert.match(hybrid.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${hybrid.infoHash}&xt=urn:btmh:1220`));
    const meta = parseTorrent((await s.app.inject({ url: `/items/${hybrid.id}.torrent` })).rawPayload);
    assert.equal(meta.version, 'hybrid');
    assert.equal(meta.infoHashV2, hybrid.infoHashV2);
    assert.equal(hybrid.files[0].sha256, sha256(VIDEO));
    // The tracker serves it by v1 hash and by the truncated v2 hash (as BEP 52 clients announce).
    assert.doesNotMatch((await s.app.inject({ url: announce(hybrid.infoHash) })).body, /failure reason/);
    assert.doesNotMatch(
      (await s.app.inject({ url: announce(hybrid.infoHashV2.slice(0, 40)) })).body,
      /failure/,
    );
    // per item: the `format` field wins over the site's
    const v1 = await publish(s, auth, [
      { name: 'title', value: 'V1' },
      { name: 'format', value: 'v1' },
      clip,
    ]);
    assert.equal(v1.statusCode, 201, v1.body);
    assert.equal(v1.json().infoHashV2, null);
    const several = await publish(s, auth, [
      { name: 'format', value: 'v1' },
      { name: 'title', value: 'Two files' },
      { name: 'file', filename: 'b.txt', value: VIDEO.subarray(0, 70_000) },
      { name: 'file', filename: 'a.txt', value: VIDEO.subarray(5) },
    ]);
    assert.equal(several.statusCode, 201, several.body);
    const two = parseTorrent((await s.app.inject({ url: `/items/${several.json().id}.torrent` })).rawPayload);
    assert.equal(two.version, 'v1');
    assert.deepEqual(
      two.files.map((f) => [f.path.join('/'), f.length, f.padding]),
      [
        ['Two files/b.txt', 70_000, false],
        ['Two files/a.txt', VIDEO.length - 5, false],
      ],
      'v1: the files in upload order, back to back, no padding files',
    );
    assert.equal(two.pieceCount, Math.ceil((70_000 + VIDEO.length - 5) / two.pieceLength));
    // WebTorrent 3 asks for a single-file torrent's bytes at the web seed URL itself (no name
    // appended): the one file answers there; an item of several files has nothing at that URL.
    const single = await s.app.inject({
      url: `/items/${v1.json().id}/files/`,
      headers: { range: 'bytes=0-99' },
    });
    assert.equal(single.statusCode, 206);
    assert.deepEqual(single.rawPayload, VIDEO.subarray(0, 100));
    assertError(await s.app.inject({ url: `/items/${several.json().id}/files/` }), 404, 'NOT_FOUND');
  });

  test('file URLs answer Range, HEAD, ETag and count the bytes served', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const item = (
      await publish(s, auth, [
        { name: 'title', value: 'Clip' },
        { name: 'file', filename: 'clip.webm', value: VIDEO },
      ])
    ).json();
    const url = `/items/${item.id}/files/clip.webm`;
    const whole = await s.app.inject({ url });
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['content-type'], 'video/webm');
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers.etag, `"${sha256(VIDEO)}"`);
    assert.ok(whole.rawPayload.equals(VIDEO));

    const part = await s.app.inject({ url, headers: { range: 'bytes=1000-1999' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 1000-1999/${VIDEO.length}`);
    assert.ok(part.rawPayload.equals(VIDEO.subarray(1000, 2000)));
    const tail = await s.app.inject({ url, headers: { range: 'bytes=-10' } });
    assert.ok(tail.rawPayload.equals(VIDEO.subarray(-10)));
    const beyond = await s.app.inject({ url, headers: { range: `bytes=${VIDEO.length}-` } });
    assert.equal(beyond.statusCode, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${VIDEO.length}`);
    const stale = await s.app.inject({ url, headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
    assert.equal(stale.statusCode, 200, 'If-Range with another validator gets the whole file');
    const cached = await s.app.inject({ url, headers: { 'if-none-match': whole.headers.etag as string } });
    assert.equal(cached.statusCode, 304);
    const head = await s.app.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(VIDEO.length));
    assert.equal(head.body, '');
    const torrentHead = await s.app.inject({ method: 'HEAD', url: `/items/${item.id}.torrent` });
    assert.equal(torrentHead.headers['content-type'], 'application/x-bittorrent');

    assertError(await s.app.inject({ url: `/items/${item.id}/files/other.webm` }), 404, 'NOT_FOUND');
    assertError(
      await s.app.inject({ url: `/items/${item.id}/files/..%2f..%2fetc%2fpasswd` }),
      404,
      'NOT_FOUND',
    );
    assertError(await s.app.inject({ url: '/items/999.torrent' }), 404, 'NOT_FOUND');
    assertError(await s.app.inject({ url: '/api/v1/items/999' }), 404, 'NOT_FOUND');
    assertError(await s.app.inject({ url: '/api/v1/items/abc' }), 400, 'HTTP_BAD_REQUEST');

    await new Promise((r) => setTimeout(r, 50)); // the counter is written once each response ends
    const answer = (await s.app.inject({ url: `/api/v1/items/${item.id}` })).json();
    // No browser or BitTorrent client headers: plain HTTP downloads, none of it web seed.
    assert.equal(answer.swarm.served.http, VIDEO.length * 2 + 1000 + 10);
    assert.equal(answer.traffic.httpDownload, VIDEO.length * 2 + 1000 + 10);
    assert.equal(answer.swarm.served.webSeed, 0);
  });

  test('several files: safe names whatever the client says, nothing written outside the data folder', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const res = await publish(s, auth, [
      { name: 'title', value: 'Tricky / names' },
      { name: 'file', filename: '../../evil.sh', value: 'a' },
      { name: 'file', filename: '/etc/passwd', value: 'b' },
      { name: 'file', filename: 'C:\\Windows\\win.ini', value: 'c' },
      { name: 'file', filename: '.hidden', value: 'd' },
      { name: 'file', filename: 'same.txt', value: 'e' },
      { name: 'file', filename: 'same.txt', value: 'f' },
      { name: 'file', filename: 'bell\u0007.txt', value: 'g' },
      { name: 'file', filename: '..', value: 'h' },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const paths = res
      .json()
      .files.map((f: { path: string }) => f.path)
      .sort();
    assert.deepEqual(paths, [
      'Tricky _ names/_hidden',
      'Tricky _ names/bell.txt',
      'Tricky _ names/evil.sh',
      'Tricky _ names/file-8',
      'Tricky _ names/passwd',
      'Tricky _ names/same (2).txt',
      'Tricky _ names/same.txt',
      'Tricky _ names/win.ini',
    ]);
    assert.ok(
      s.files().every((f) => f.startsWith('blobs/')),
      `${s.files()}`,
    );
    const meta = parseTorrent(
      (await s.app.inject({ url: res.json().torrentUrl.slice(BASE.length) })).rawPayload,
    );
    assert.equal(meta.name, 'Tricky _ names');
    const evil = res.json().files.find((f: { path: string }) => f.path.endsWith('evil.sh'));
    const body = await s.app.inject({ url: evil.url.slice(BASE.length) });
    assert.equal(body.body, 'a');
    assert.equal(body.headers['content-type'], 'application/octet-stream', 'unknown types are downloads');
    assert.match(String(body.headers['content-disposition']), /^attachment/);
  });

  test('bad input: 4xx JSON errors naming the field, and no half item left behind', async (t) => {
    const s = await openTestSite(await fresh(), { limits: { uploadBytes: 50_000 } });
    t.after(() => s.close());
    const auth = await login(s.app);
    const file: Part = { name: 'file', filename: 'a.mp3', value: 'abc' };
    assertError(await publish(s, auth, [file]), 400, 'ITEM_INVALID', 'title');
    assertError(
      await publish(s, auth, [{ name: 'title', value: '   ' }, file]),
      400,
      'ITEM_INVALID',
      'title',
    );
    assertError(await publish(s, auth, [{ name: 'title', value: 'x' }]), 400, 'ITEM_INVALID', 'file');
    for (const license of ['CC-BY-5.0', 'https://creativecommons.org/licenses/by/9.0/', 'proprietary'])
      assertError(
        await publish(s, auth, [{ name: 'title', value: 'x' }, { name: 'license', value: license }, file]),
        400,
        'ITEM_INVALID',
        'license',
      );
    assertError(
      await publish(s, auth, [{ name: 'title', value: 'x' }, { name: 'date', value: 'yesterday' }, file]),
      400,
      'ITEM_INVALID',
      'date',
    );
    assertError(
      await publish(s, auth, [{ name: 'title', value: 'x' }, { name: 'format', value: 'v3' }, file]),
      400,
      'ITEM_INVALID',
      'format',
    );
    // a v1 site hashes the files for v1 only: a hybrid request after them comes too late
    assertError(
      await publish(s, auth, [{ name: 'title', value: 'x' }, file, { name: 'format', value: 'hybrid' }]),
      400,
      'ITEM_INVALID',
      'format: send the format field before the file parts',
    );
    assertError(
      await publish(s, auth, [{ name: 'title', value: 'x' }, { name: 'channel', value: 'nope' }, file]),
      400,
      'ITEM_INVALID',
      'channel',
    );
    assertError(
      await publish(s, auth, [
        { name: 'title', value: 'x' },
        { name: 'file', filename: 'big.mp4', value: VIDEO },
      ]),
      413,
      'HTTP_TOO_LARGE',
    );
    assertError(
      await publish(s, auth, [
        { name: 'title', value: 'x' },
        { name: 'file', filename: 'a.mp4', value: VIDEO.subarray(0, 30_000) },
        { name: 'file', filename: 'b.mp4', value: VIDEO.subarray(0, 30_000) },
      ]),
      413,
      'HTTP_TOO_LARGE',
    );
    assertError(
      await publish(s, auth, [
        { name: 'title', value: 'x' },
        { name: 'torrent', filename: 'x.torrent', value: 'd1:ae' },
      ]),
      400,
      'ITEM_INVALID',
      'torrent',
    );
    const garbled = await s.app.inject({
      method: 'POST',
      url: '/api/v1/items',
      headers: { ...auth, 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nunterminated',
    });
    assert.ok(garbled.statusCode >= 400 && garbled.statusCode < 500, `${garbled.statusCode} ${garbled.body}`);
    assert.ok(garbled.json().error.code);
    assertError(
      await s.app.inject({ method: 'POST', url: '/api/v1/items', headers: auth, payload: { title: 'x' } }),
      415,
      'HTTP_UNSUPPORTED',
    );
    await assertNothingLeft(s);
  });

  test('uploads are rate-limited per account', async (t) => {
    const s = await openTestSite(await fresh(), {
      limits: { actions: { uploads: { max: 2, timeWindow: 60_000 } } },
    });
    t.after(() => s.close());
    const admin = await login(s.app); // the first account: admins are never limited
    const auth = await login(s.app, 'bea');
    const parts = (n: number): Part[] => [
      { name: 'title', value: `Take ${n}` },
      { name: 'file', filename: `take-${n}.mp3`, value: `take ${n}` },
    ];
    assert.equal((await publish(s, auth, parts(1))).statusCode, 201);
    assert.equal((await publish(s, auth, parts(2))).statusCode, 201);
    const refused = await publish(s, auth, parts(3));
    assertError(refused, 429, 'HTTP_RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');
    assert.equal((await publish(s, admin, parts(4))).statusCode, 201, 'the admin is not limited');
  });
});
