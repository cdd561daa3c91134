/**
 * The enclosure with derivatives (issue 18), transport-free: an original that plays everywhere stays
 * the enclosure (an MP3; an H.264 MP4 with only lower rungs made), one that does not gives way to the
 * best derivative (a WAV to its MP3; a remade MP4 to its tallest rendition), without derivatives the
 * original stays; the RSS then carries the alternates (original with its swarm, each rendition with
 * the derivatives torrent and SHA-384), `podcast:transcript` and `podcast:chapters`, and parses.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyItemFields, type Item } from '../catalog/index.js';
import { SiteLinks } from '../catalog/links.js';
import type { DerivativeJson, ItemMediaView } from '../media/view.js';
import { type EntryContext, type FeedInfo, toEntry } from './entry.js';
import { bestDerivative, originalPlaysEverywhere } from './entry-enclosure.js';
import { parseFeed } from './index.js';
import { renderAtom } from './write-atom.js';
import { renderJsonFeed } from './write-json.js';
import { renderRss } from './write-rss.js';

const links = new SiteLinks('https://site.test');
const SRI = `sha384-${'Q'.repeat(64)}`;

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
    license: null,
    mediaType: 'audio',
    mimeType: null,
    status: 'ready',
    torrentOnly: false,
    infoHash: 'a'.repeat(40),
    infoHashV2: null,
    torrentKey: 'items/7/torrent',
    totalLength: 1000,
    pieceLength: 16384,
    durationMs: 2000,
    width: null,
    height: null,
    thumbnailKey: null,
    mediaCheckedAt: null,
    bytesServed: 0,
    createdAt: Date.UTC(2026, 0, 2),
    updatedAt: Date.UTC(2026, 0, 2),
    tags: [],
    files: [
      {
        position: 0,
        path: 'talk.wav',
        length: 1000,
        blobKey: 'k0',
        mimeType: 'audio/wav',
        sha256: 'ab'.repeat(32),
        integrity: `sha384-${'W'.repeat(64)}`,
      },
    ],
    ...over,
  } as Item;
}

function derivative(over: Partial<DerivativeJson>): DerivativeJson {
  return {
    kind: 'audio',
    label: 'mp3',
    mime: 'audio/mpeg',
    length: 400,
    bitrate: 128_000,
    url: links.derivative(7, 'audio.mp3'),
    torrentUrl: 'https://site.test/items/7/derivatives.torrent',
    magnet: 'magnet:?xt=urn:btih:cccccccccccccccccccccccccccccccccccccccc',
    integrity: SRI,
    ...over,
  };
}

const view = (...derivatives: DerivativeJson[]): ItemMediaView => ({
  processing: { state: 'done' },
  derivatives,
});

function ctx(v?: ItemMediaView): EntryContext {
  return {
    links,
    ownerName: () => 'ada',
    channel: () => undefined,
    torrentLength: () => 321,
    mediaView: () => v,
    captions: () => [
      {
        language: 'pt-BR',
        label: 'Português',
        kind: 'captions',
        url: 'https://site.test/items/7/captions/pt-BR.vtt',
      },
    ],
    chapters: () => 'https://site.test/items/7/chapters.json',
  };
}

const info: FeedInfo = {
  title: 'Feed',
  description: 'd',
  link: 'https://site.test/',
  self: 'https://site.test/feeds/items.rss',
  site: 'https://site.test',
  language: null,
  author: 'Seedcast',
  updated: null,
  alternates: { rss: '', atom: '', json: '' },
};

test('which file is the enclosure', () => {
  const mp3 = derivative({});
  const wav = { url: 'u', type: 'audio/wav', length: 1, path: 'a.wav', sha256: null };
  assert.equal(
    originalPlaysEverywhere({ ...wav, type: 'audio/mpeg' }, { mediaType: 'audio', height: null }, view(mp3)),
    true,
  );
  assert.equal(originalPlaysEverywhere(wav, { mediaType: 'audio', height: null }, view(mp3)), false);
  const mp4 = { ...wav, type: 'video/mp4' };
  const rung = (height: number) =>
    derivative({ kind: 'video', mime: 'video/mp4', height, label: `${height}p` });
  // only lower rungs made: the original H.264 MP4 plays everywhere
  assert.equal(
    originalPlaysEverywhere(mp4, { mediaType: 'video', height: 1080 }, view(rung(720), rung(360))),
    true,
  );
  // remade at its own size: the original's codecs do not play everywhere
  assert.equal(
    originalPlaysEverywhere(mp4, { mediaType: 'video', height: 1080 }, view(rung(1080), rung(360))),
    false,
  );
  assert.equal(
    originalPlaysEverywhere(
      { ...wav, type: 'video/x-matroska' },
      { mediaType: 'video', height: 480 },
      view(),
    ),
    false,
  );
  assert.equal(bestDerivative('video', view(rung(360), rung(1080), rung(720)))?.height, 1080);
  assert.equal(bestDerivative('audio', view(derivative({ kind: 'waveform', mime: 'image/png' }))), undefined);
  assert.equal(bestDerivative('audio', view(mp3))?.url, mp3.url);
});

test('a WAV with an MP3 derivative: the MP3 is the enclosure; the WAV and the swarm are alternates', () => {
  const entry = toEntry(
    item(),
    ctx(view(derivative({}), derivative({ kind: 'waveform', mime: 'image/png', label: 'waveform' }))),
  );
  assert.equal(entry.media?.url, 'https://site.test/items/7/derivatives/audio.mp3');
  assert.equal(entry.original?.path, 'talk.wav');
  const xml = renderRss(info, [entry]);
  const rss = xml.replace(/>\s+</g, '><');
  assert.match(
    rss,
    /<enclosure url="https:\/\/site\.test\/items\/7\/derivatives\/audio\.mp3" length="400" type="audio\/mpeg"\/>/,
  );
  assert.match(
    rss,
    /<podcast:alternateEnclosure type="audio\/wav" length="1000" title="Original"><podcast:source uri="https:\/\/site\.test\/items\/7\/files\/talk\.wav"\/><podcast:source uri="https:\/\/site\.test\/items\/7\.torrent" contentType="application\/x-bittorrent"\/><podcast:source uri="magnet:[^"]+"\/><podcast:integrity type="sri" value="sha384-W{64}"\/><\/podcast:alternateEnclosure>/,
  );
  assert.match(
    rss,
    /<podcast:alternateEnclosure type="audio\/mpeg" length="400" bitrate="128000" title="mp3" default="true"><podcast:source uri="https:\/\/site\.test\/items\/7\/derivatives\/audio\.mp3"\/><podcast:source uri="https:\/\/site\.test\/items\/7\/derivatives\.torrent" contentType="application\/x-bittorrent"\/><podcast:source uri="magnet:\?xt=urn:btih:c{40}"\/><podcast:integrity type="sri" value="sha384-Q{64}"\/><\/podcast:alternateEnclosure>/,
  );
  assert.doesNotMatch(rss, /image\/png/, 'a waveform is no alternate enclosure');
  assert.match(
    rss,
    /<podcast:transcript url="https:\/\/site\.test\/items\/7\/captions\/pt-BR\.vtt" type="text\/vtt" language="pt-BR" rel="captions"\/>/,
  );
  assert.match(
    rss,
    /<podcast:chapters url="https:\/\/site\.test\/items\/7\/chapters\.json" type="application\/json\+chapters"\/>/,
  );
  const parsed = parseFeed(xml, { url: info.self });
  assert.equal(parsed.items[0]?.enclosures[0]?.type, 'audio/mpeg');

  const torrentForm = renderRss(info, [entry], 'torrent').replace(/>\s+</g, '><');
  assert.match(
    torrentForm,
    /<enclosure url="https:\/\/site\.test\/items\/7\.torrent" length="321" type="application\/x-bittorrent"\/>/,
  );
  assert.match(torrentForm, /title="mp3" default="true"/);

  const atom = renderAtom(info, [entry]).replace(/>\s+</g, '><');
  assert.match(
    atom,
    /rel="enclosure" href="[^"]+audio\.mp3"[^>]*\/><link rel="enclosure" href="[^"]+talk\.wav"/,
  );
  const json = JSON.parse(renderJsonFeed(info, [entry]));
  assert.deepEqual(
    json.items[0].attachments.map((a: { mime_type: string }) => a.mime_type),
    ['audio/mpeg', 'audio/wav', 'application/x-bittorrent'],
  );
});

test('without derivatives, or with an original that plays everywhere, the feed is as before', () => {
  const plain = toEntry(item(), { ...ctx(undefined), captions: undefined, chapters: undefined });
  assert.equal(plain.media?.path, 'talk.wav');
  assert.deepEqual(plain.alternates, []);
  const rss = renderRss(info, [plain]);
  assert.match(rss, /<enclosure url="https:\/\/site\.test\/items\/7\/files\/talk\.wav"/);
  assert.match(rss, /title="BitTorrent"/);
  assert.doesNotMatch(rss, /podcast:transcript|podcast:chapters|title="Original"/);

  const mp3Item = item({
    files: [
      { position: 0, path: 'talk.mp3', length: 900, blobKey: 'k', mimeType: 'audio/mpeg', sha256: null },
    ],
  });
  const kept = toEntry(mp3Item, ctx(view(derivative({ label: 'aac', mime: 'audio/mp4' }))));
  assert.equal(kept.media?.path, 'talk.mp3');
  assert.equal(kept.alternates[0]?.isDefault, undefined, 'the AAC is another rendition, not the enclosure');
});
