/**
 * Feed entries and the RSS forms, transport-free: which file is the enclosure (the item's own kind
 * first, audio before a larger cover image), what a torrent-only item without stored files offers,
 * the magnet link and the licence forms.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyItemFields, type Item } from '../catalog/index.js';
import { SiteLinks } from '../catalog/links.js';
import { licenseOf, toEntry } from './entry.js';
import { parseFeed } from './index.js';
import { renderRss } from './write-rss.js';

const links = new SiteLinks('https://site.test');

function item(over: Partial<Item> = {}): Item {
  return {
    ...emptyItemFields(),
    id: 7,
    ownerId: 1,
    channelId: null,
    title: 'Episode',
    description: 'Words',
    creator: '',
    date: null,
    language: null,
    license: 'CC-BY-4.0',
    mediaType: 'audio',
    mimeType: null,
    status: 'ready',
    torrentOnly: false,
    infoHash: 'a'.repeat(40),
    infoHashV2: 'b'.repeat(64),
    torrentKey: 'items/7/torrent',
    totalLength: 3_000_100,
    pieceLength: 16384,
    durationMs: 61_500,
    width: null,
    height: null,
    thumbnailKey: null,
    mediaCheckedAt: null,
    bytesServed: 0,
    createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    updatedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    tags: [],
    files: [
      { position: 0, path: 'Show/cover.jpg', length: 3_000_000, blobKey: 'k0', mimeType: null, sha256: null },
      {
        position: 1,
        path: 'Show/episode.mp3',
        length: 100,
        blobKey: 'k1',
        mimeType: null,
        sha256: 'ab'.repeat(32),
      },
    ],
    ...over,
  };
}

const ctx = {
  links,
  ownerName: () => 'ada',
  channel: () => undefined,
  torrentLength: () => 321,
};

test('the enclosure is the audio file, not the larger cover image; the swarm is beside it', () => {
  const e = toEntry(item(), ctx);
  assert.equal(e.media?.url, 'https://site.test/items/7/files/Show/episode.mp3');
  assert.equal(e.author, 'ada');
  assert.equal(e.durationSeconds, 62);
  assert.equal(
    e.magnet,
    `magnet:?xt=urn:btih:${'a'.repeat(40)}&xt=urn:btmh:1220${'b'.repeat(64)}&dn=Show&xl=3000100&tr=https%3A%2F%2Fsite.test%2Fannounce&tr=wss%3A%2F%2Fsite.test%2Fannounce&ws=https%3A%2F%2Fsite.test%2Fitems%2F7%2Ffiles%2F&xs=https%3A%2F%2Fsite.test%2Fitems%2F7.torrent`,
  );
  const feed = parseFeed(renderRss(info(), [e]), { url: 'https://site.test/feeds/items.rss' });
  const [it] = feed.items;
  const plain = it!.enclosures.find((x) => x.source === 'enclosure')!;
  assert.deepEqual([plain.url, plain.type, plain.length], [e.media!.url, 'audio/mpeg', 100]);
  assert.ok(
    it!.enclosures.some((x) => x.kind === 'torrent' && x.url === 'https://site.test/items/7.torrent'),
  );
  assert.ok(it!.enclosures.some((x) => x.kind === 'magnet'));
  const torrentFirst = parseFeed(renderRss(info(), [e], 'torrent'), { url: 'https://site.test/f' }).items[0]!;
  const first = torrentFirst.enclosures.find((x) => x.source === 'enclosure')!;
  assert.deepEqual(
    [first.url, first.type, first.length],
    ['https://site.test/items/7.torrent', 'application/x-bittorrent', 321],
  );
});

test('a torrent-only item with no stored file offers its torrent as the enclosure, no web seed', () => {
  const files = item().files.map((f) => ({ ...f, blobKey: null }));
  const e = toEntry(item({ files, torrentOnly: true }), ctx);
  assert.equal(e.media, null);
  assert.ok(!e.magnet!.includes('ws='));
  const rss = renderRss(info(), [e]);
  assert.match(
    rss,
    /<enclosure url="https:\/\/site.test\/items\/7.torrent" length="321" type="application\/x-bittorrent"\/>/,
  );
  assert.ok(!rss.includes('/files/'));
});

test('licences: the canonical id, with the Creative Commons deed or the SPDX page', () => {
  assert.deepEqual(licenseOf('CC0-1.0'), {
    id: 'CC0-1.0',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
  });
  assert.deepEqual(licenseOf('https://creativecommons.org/licenses/by-sa/4.0/'), {
    id: 'CC-BY-SA-4.0',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
  });
  assert.deepEqual(licenseOf('MIT'), { id: 'MIT', url: 'https://spdx.org/licenses/MIT.html' });
  assert.equal(licenseOf(null), null);
});

function info() {
  return {
    title: 'T',
    description: 'D',
    link: 'https://site.test/',
    self: 'https://site.test/feeds/items.rss',
    site: 'https://site.test',
    language: null,
    author: 'Seedcast',
    updated: null,
    alternates: { rss: '', atom: '', json: '' },
  };
}
