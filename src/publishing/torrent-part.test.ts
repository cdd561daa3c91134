import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode, isDict } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { parseTorrent } from '../torrent/index.js';
import { readTorrentPart, withSiteFirst } from './torrent-part.js';

const info = { name: 'clip.mp4', 'piece length': 16384, length: 5, pieces: Buffer.alloc(20, 7) };
const torrent = (top: Record<string, unknown>) => encode({ ...top, info } as never);

test('the site tracker goes first, the publisher tiers follow once each, info stays byte for byte', () => {
  const given = torrent({
    announce: 'http://a/announce',
    'announce-list': [
      ['http://a/announce', 'http://b/announce'],
      ['http://site/announce'],
      ['http://c/announce'],
    ],
    'url-list': 'http://mirror/files/',
    comment: 'kept',
  });
  const out = withSiteFirst(given, {
    announce: 'http://site/announce',
    webSeed: 'http://site/items/1/files/',
  });
  const meta = parseTorrent(out);
  assert.equal(meta.infoHash, parseTorrent(given).infoHash);
  assert.ok(Buffer.from(meta.infoBytes).equals(Buffer.from(parseTorrent(given).infoBytes)));
  assert.deepEqual(meta.announce, [
    ['http://site/announce'],
    ['http://a/announce', 'http://b/announce'],
    ['http://c/announce'],
  ]);
  assert.deepEqual(meta.urlList, ['http://site/items/1/files/', 'http://mirror/files/']);
  assert.equal(meta.comment, 'kept');
  const top = decode(out);
  assert.ok(isDict(top));
  assert.equal(Buffer.from(top.get('announce') as Uint8Array).toString(), 'http://site/announce');
  // Without a web seed the url-list is left alone.
  assert.deepEqual(parseTorrent(withSiteFirst(given, { announce: 'http://site/announce' })).urlList, [
    'http://mirror/files/',
  ]);
});

test("the site's trackers (HTTP, UDP, WebSocket) each get a tier of their own, before the publisher's", () => {
  const given = torrent({
    announce: 'udp://site:1',
    'announce-list': [['udp://site:1', 'http://a/announce']],
  });
  const site = ['http://site/announce', 'udp://site:1', 'ws://site/announce'];
  const meta = parseTorrent(withSiteFirst(given, { announce: site }));
  assert.equal(meta.infoHash, parseTorrent(given).infoHash);
  assert.deepEqual(meta.announce, [
    ['http://site/announce'],
    ['udp://site:1'],
    ['ws://site/announce'],
    ['http://a/announce'],
  ]);
});

test('readTorrentPart refuses what the site cannot archive, naming the torrent field', () => {
  const refused = (bytes: Uint8Array, why: RegExp) =>
    assert.throws(
      () => readTorrentPart(bytes),
      (e) => isSeedcastError(e, 'ITEM_INVALID') && /torrent: /.test(e.message) && why.test(e.message),
    );
  refused(Buffer.alloc(0), /empty/);
  refused(Buffer.from('d4:info'), /./);
  refused(encode({ info: { ...info, name: '..' } } as never), /./);
  refused(
    encode({ info: { ...info, length: 0, pieces: Buffer.alloc(0) } } as never),
    /total length of the torrent is 0/,
  );
  assert.equal(readTorrentPart(torrent({})).name, 'clip.mp4');
});

test('readTorrentPart refuses a piece layer that does not hash to its root (the site could not seed it)', async () => {
  const { wildCorpus } = await import('../../test/helpers/wild-torrents.js');
  const good = wildCorpus().find((w) => w.name === 'hybrid')!.torrent;
  assert.equal(readTorrentPart(good).pieceLayers.size, 1);
  // The same hybrid with its one layer overwritten (outside `info`: same info hashes).
  const top = decode(good);
  assert.ok(isDict(top));
  const layers = top.get('piece layers');
  assert.ok(isDict(layers));
  for (const [root, layer] of layers) layers.set(root, new Uint8Array((layer as Uint8Array).length).fill(7));
  assert.throws(
    () => readTorrentPart(encode(top)),
    (err) =>
      isSeedcastError(err) &&
      err.code === 'ITEM_INVALID' &&
      /does not hash to the file's pieces root/.test(err.message),
  );
});
