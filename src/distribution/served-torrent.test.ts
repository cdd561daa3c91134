import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode, encode, isDict } from '../bencode/index.js';
import { LocalDiskStore } from '../storage/index.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { ServedTorrents, servedTorrent } from './served-torrent.js';

const HTTP = 'http://site.test/announce';
const SITE = [HTTP, 'udp://site.test:8080', 'ws://site.test/announce'];

/** A torrent of one small file, listing only the site's HTTP tracker (as items published before issue 17). */
async function oldTorrent(version: 'v1' | 'hybrid' | 'v2'): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'served-torrent-'));
  try {
    await writeFile(join(dir, 'clip.webm'), Buffer.alloc(70_000, 9));
    const created = await createTorrent(join(dir, 'clip.webm'), {
      version,
      pieceLength: 16384,
      announce: [HTTP],
      urlList: ['http://site.test/items/1/files/'],
      comment: 'kept',
      creationDate: null,
      threads: 1,
      mainThread: true,
    });
    return created.torrent;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const version of ['v1', 'hybrid', 'v2'] as const) {
  test(`a ${version} torrent that lists only the HTTP tracker is served with HTTP, UDP and WebSocket tiers and the same info hashes`, async () => {
    const stored = await oldTorrent(version);
    const before = parseTorrent(stored);
    assert.deepEqual(before.announce, [[HTTP]]);
    const served = servedTorrent(stored, SITE);
    const after = parseTorrent(served);
    assert.equal(after.infoHash, before.infoHash);
    assert.equal(after.infoHashV2, before.infoHashV2);
    assert.ok(version === 'v1' ? after.infoHashV2 === undefined : after.infoHashV2);
    assert.ok(Buffer.from(after.infoBytes).equals(Buffer.from(before.infoBytes)));
    assert.deepEqual(
      after.announce,
      SITE.map((u) => [u]),
    );
    assert.deepEqual(after.urlList, ['http://site.test/items/1/files/']);
    assert.equal(after.comment, 'kept');
    const top = decode(served);
    assert.ok(isDict(top));
    assert.equal(Buffer.from(top.get('announce') as Uint8Array).toString(), HTTP);
    // Serving what is served changes nothing: a torrent already up to date is served as stored.
    assert.equal(servedTorrent(served, SITE), served);
  });
}

test("a torrent-only item's publisher trackers follow the site's, once each", () => {
  const info = { name: 'clip.mp4', 'piece length': 16384, length: 5, pieces: Buffer.alloc(20, 7) };
  const stored = encode({
    announce: HTTP,
    'announce-list': [[HTTP], ['udp://tracker.example:6969', 'http://tracker.example/announce'], [HTTP]],
    info,
  } as never);
  const served = parseTorrent(servedTorrent(stored, SITE));
  assert.equal(served.infoHash, parseTorrent(stored).infoHash);
  assert.deepEqual(served.announce, [
    ...SITE.map((u) => [u]),
    ['udp://tracker.example:6969', 'http://tracker.example/announce'],
  ]);
});

test('a stored torrent the parser refuses is served as stored', () => {
  for (const stored of [Buffer.from('d4:infoi1ee'), Buffer.from('not bencode'), encode({ announce: HTTP })]) {
    assert.equal(servedTorrent(stored, SITE), stored);
  }
});

test('ServedTorrents serves and measures the same bytes, again after the blob or the trackers change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'served-torrents-'));
  const blobs = new LocalDiskStore(dir);
  try {
    const stored = await oldTorrent('hybrid');
    await blobs.put('items/1/torrent', stored);
    let trackers = SITE;
    const torrents = new ServedTorrents({ blobs, links: { trackers: () => trackers } });
    const item = { id: 1, torrentKey: 'items/1/torrent' };
    const first = (await torrents.get(item))!;
    assert.deepEqual(
      parseTorrent(first.bytes).announce,
      SITE.map((u) => [u]),
    );
    assert.equal(await torrents.length(item), first.bytes.length);
    assert.equal(await torrents.get(item), first, 'the rewritten bytes are kept');
    assert.equal(await torrents.get({ id: 2, torrentKey: null }), undefined);
    assert.equal(await torrents.length({ id: 3, torrentKey: 'items/3/torrent' }), undefined);

    trackers = [HTTP, 'ws://site.test/announce'];
    const second = (await torrents.get(item))!;
    assert.deepEqual(
      parseTorrent(second.bytes).announce,
      trackers.map((u) => [u]),
    );
    assert.notEqual(second.etag, first.etag);
    assert.equal(await torrents.length(item), second.bytes.length);

    // The archiver rewrites the stored torrent in place (a web seed added): served afresh.
    await blobs.put('items/1/torrent', servedTorrent(stored, ['http://elsewhere/announce']));
    const third = (await torrents.get(item))!;
    assert.deepEqual(parseTorrent(third.bytes).announce, [
      ...trackers.map((u) => [u]),
      ['http://elsewhere/announce'],
    ]);
    assert.equal(parseTorrent(third.bytes).infoHash, parseTorrent(stored).infoHash);
  } finally {
    await blobs.close();
    await rm(dir, { recursive: true, force: true });
  }
});
