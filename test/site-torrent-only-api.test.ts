/**
 * Torrent-only publishing through the API on both databases (`app.inject()`, real catalog, blob
 * store, engine and tracker; archiving off, so the item stays as registered): one `torrent` part
 * (v1 or hybrid) becomes an item with `torrentOnly` and files without blobs or URLs; the stored
 * `.torrent` names the site's tracker first and keeps the info dictionary byte for byte (same info
 * hash); the tracker allow-lists it; a second registration is 409. Bad torrent parts (malformed
 * bencode, a symbolic link or v2-only, which the site does not host, a torrent with files, a wrong
 * part name) get a 400 JSON error naming the field (and the rule and path) and leave nothing behind.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode, encode, isDict } from '../src/bencode/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { describeOnEachDatabase } from './helpers/postgres.js';
import { tempDir } from './helpers/tools.js';
import { BASE, login, multipart, openTestSite, type Part, type TestSite } from './site-fixtures.js';

const CONTENT = Buffer.from(new Uint8Array(300_000).map((_, i) => (i * 31 + (i >> 8)) & 0xff));

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
  field: string,
) {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  const { error } = res.json() as { error: { code: string; message: string } };
  assert.equal(error.code, code);
  assert.match(error.message, new RegExp(field));
}

/** A folder with two files and its torrent, made by our creator with an outside tracker. */
async function makeTorrent(dir: string, version: 'v1' | 'hybrid' | 'v2') {
  const folder = join(dir, `show-${version}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'episode.mp3'), CONTENT);
  writeFileSync(join(folder, 'notes.txt'), 'show notes\n');
  return createTorrent(folder, {
    version,
    pieceLength: 32768,
    announce: ['http://elsewhere.example/announce'],
  });
}

const torrentPart = (value: Uint8Array, name = 'torrent'): Part => ({
  name,
  filename: 'show.torrent',
  value,
  type: 'application/x-bittorrent',
});

describeOnEachDatabase('torrent-only publishing API', (fresh) => {
  test('a v1 torrent becomes a torrent-only item, tracked, its torrent naming the site first', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const created = await makeTorrent(tempDir(t), 'v1');
    const res = await publish(s, auth, [
      { name: 'title', value: 'A show' },
      { name: 'license', value: 'CC-BY-4.0' },
      { name: 'tags', value: 'radio,show' },
      torrentPart(created.torrent),
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const item = res.json();
    assert.equal(item.infoHash, created.infoHash);
    assert.equal(item.torrentOnly, true);
    assert.equal(item.archived, false);
    assert.equal(item.torrentUrl, `${BASE}/items/${item.id}.torrent`);
    assert.match(item.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${created.infoHash}`));
    assert.match(decodeURIComponent(item.magnet), new RegExp(`tr=${BASE}/announce`));
    assert.deepEqual(
      item.files.map((f: { path: string; length: number; url: string | null }) => [f.path, f.length, f.url]),
      [
        [`show-v1/episode.mp3`, CONTENT.length, null],
        ['show-v1/notes.txt', 11, null],
      ],
    );
    const stored = await s.site.items.get(item.id);
    assert.equal(stored?.status, 'ready');
    assert.deepEqual(
      stored?.files.map((f) => f.blobKey),
      [null, null],
    );

    // The stored torrent: same info dictionary bytes, the site's tracker first, then the publisher's.
    const got = await s.app.inject({ method: 'GET', url: `/items/${item.id}.torrent` });
    assert.equal(got.statusCode, 200);
    const served = parseTorrent(got.rawPayload);
    assert.equal(served.infoHash, created.infoHash);
    assert.ok(Buffer.from(served.infoBytes).equals(Buffer.from(parseTorrent(created.torrent).infoBytes)));
    assert.deepEqual(served.announce, [
      [`${BASE}/announce`],
      [`${BASE.replace('http', 'ws')}/announce`],
      ['http://elsewhere.example/announce'],
    ]);

    // The tracker allows its hash; the files are not served (the site does not hold them).
    const peer = await s.app.inject({
      method: 'GET',
      url: `/announce?info_hash=${created.infoHash!.replace(/../g, '%$&')}&peer_id=-TEST-00000000000000&port=6881&left=0`,
    });
    assert.doesNotMatch(peer.body, /failure reason/);
    assert.equal(
      (await s.app.inject({ method: 'GET', url: `/items/${item.id}/files/show-v1/notes.txt` })).statusCode,
      404,
    );
    const view = (await s.app.inject({ method: 'GET', url: `/api/v1/items/${item.id}` })).json();
    assert.equal(view.torrentOnly, true);
    assert.equal(view.archived, false);
    assert.equal(view.swarm.seeders, 1);

    // The same torrent again (even with other trackers outside info) is a conflict.
    const again = decode(created.torrent);
    assert.ok(isDict(again));
    again.delete('announce');
    assertError(
      await publish(s, auth, [{ name: 'title', value: 'Again' }, torrentPart(encode(again))]),
      409,
      'ITEM_CONFLICT',
      created.infoHash!,
    );
  });

  test('a hybrid torrent keeps both hashes; a v2-only one is refused', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const dir = tempDir(t);
    const hybrid = await makeTorrent(dir, 'hybrid');
    const res = await publish(s, auth, [{ name: 'title', value: 'Hybrid' }, torrentPart(hybrid.torrent)]);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().infoHash, hybrid.infoHash);
    assert.equal(res.json().infoHashV2, hybrid.infoHashV2);
    assert.equal(res.json().files.length, 2, 'padding files are not item files');
    const v2 = await makeTorrent(dir, 'v2');
    assertError(
      await publish(s, auth, [{ name: 'title', value: 'v2' }, torrentPart(v2.torrent)]),
      400,
      'ITEM_INVALID',
      'torrent: the site does not host v2-only torrents.*\\(rule "v2-only"\\)',
    );
  });

  test('bad torrent parts: 400 JSON naming the field, nothing left behind', async (t) => {
    const s = await openTestSite(await fresh());
    t.after(() => s.close());
    const auth = await login(s.app);
    const title: Part = { name: 'title', value: 'Bad' };
    const good = await makeTorrent(tempDir(t), 'v1');
    const info = (files: unknown[]) =>
      encode({
        announce: 'http://x/announce',
        info: { name: 'show', 'piece length': 16384, pieces: Buffer.alloc(20), files } as never,
      });

    assertError(
      await publish(s, auth, [title, torrentPart(Buffer.from('d4:infod'))]),
      400,
      'ITEM_INVALID',
      'torrent',
    );
    assertError(
      await publish(s, auth, [title, torrentPart(Buffer.from('not bencode'))]),
      400,
      'ITEM_INVALID',
      'torrent',
    );
    assertError(
      await publish(s, auth, [title, torrentPart(Buffer.alloc(0))]),
      400,
      'ITEM_INVALID',
      'torrent',
    );
    // What the site will not host says which rule and which path (odd paths are not refused:
    // they are stored under sanitised names, see site-torrent-only-odd-paths.test.ts).
    assertError(
      await publish(s, auth, [
        title,
        torrentPart(
          info([
            { length: 5, path: ['a'] },
            { length: 0, path: ['link'], attr: 'l', 'symlink path': ['a'] },
          ]),
        ),
      ]),
      400,
      'ITEM_INVALID',
      'torrent: the site does not host symbolic links: "show/link" is a link.*\\(rule "symlinks"\\)',
    );
    assertError(await publish(s, auth, [torrentPart(good.torrent)]), 400, 'ITEM_INVALID', 'title');
    assertError(
      await publish(s, auth, [
        title,
        { name: 'license', value: 'all rights reserved' },
        torrentPart(good.torrent),
      ]),
      400,
      'ITEM_INVALID',
      'license',
    );
    assertError(
      await publish(s, auth, [title, torrentPart(good.torrent, 'torrentfile')]),
      400,
      'HTTP_BAD_REQUEST',
      'torrentfile',
    );
    assertError(
      await publish(s, auth, [title, torrentPart(good.torrent), torrentPart(good.torrent)]),
      400,
      'ITEM_INVALID',
      'torrent',
    );
    assertError(
      await publish(s, auth, [
        title,
        torrentPart(good.torrent),
        { name: 'file', filename: 'a.mp3', value: 'abc' },
      ]),
      400,
      'ITEM_INVALID',
      'file',
    );
    assertError(
      await publish(s, auth, [
        title,
        { name: 'file', filename: 'a.mp3', value: 'abc' },
        torrentPart(good.torrent),
      ]),
      400,
      'ITEM_INVALID',
      'torrent',
    );
    assert.deepEqual(s.files(), [], 'no blob or staged file left');
    for (const status of ['pending', 'ready'] as const)
      assert.deepEqual(await s.site.items.newest({ status }), [], `no ${status} item left`);
  });
});
