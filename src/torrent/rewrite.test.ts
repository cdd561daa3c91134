import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode, isDict } from '../bencode/index.js';
import { parseTorrent } from './parse.js';
import { withSiteFirst } from './rewrite.js';

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
