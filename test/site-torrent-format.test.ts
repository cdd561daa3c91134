/**
 * The site's torrent format is a setting (`--torrent-format`, docs/interop.md), and changing it
 * never touches what was published: a real `seedcast serve` started with `--torrent-format hybrid`
 * publishes a hybrid item, is restarted with the default (v1), keeps that item's stored `.torrent`
 * byte for byte, still tracks and seeds it (`seedcast download` of it completes from the site alone,
 * byte-exact), and makes v1 torrents for new uploads. Skips nothing: only Seedcast itself is used.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import { startSiteProc } from './helpers/site-proc.js';
import { runCli } from './helpers/tools.js';

const CLIP = Buffer.from(new Uint8Array(1_200_003).map((_, i) => (i * 2654435761) >>> 24));

test('a site switched from hybrid to v1 keeps serving its hybrid items and makes v1 torrents for new uploads', {
  timeout: 240_000,
}, async (t) => {
  const site = await startSiteProc(t, { flags: ['--torrent-format', 'hybrid'] });
  const old = await site.publish('Old clip', { 'old.ogg': CLIP });
  assert.match(old.item.infoHashV2, /^[0-9a-f]{64}$/, 'published as hybrid');
  assert.equal(parseTorrent(old.torrent).version, 'hybrid');

  await site.restart([]); // the default format: v1
  const fresh = await site.publish('New clip', { 'new.ogg': CLIP });
  assert.equal(fresh.item.infoHashV2, null, 'new uploads get v1 torrents');
  assert.equal(parseTorrent(fresh.torrent).version, 'v1');

  const again = Buffer.from(await (await fetch(old.item.torrentUrl)).arrayBuffer());
  assert.ok(again.equals(old.torrent), 'the hybrid item keeps its stored .torrent');
  const item = await site.api(`/api/v1/items/${old.item.id}`);
  assert.equal(item.infoHashV2, old.item.infoHashV2);

  const out = join(site.dir, 'download');
  const res = await runCli(['download', old.torrentPath, '-o', out, '-q']);
  assert.equal(res.code, 0, `seedcast download of the hybrid item:\n${res.stderr.slice(-2000)}`);
  assert.ok(readFileSync(join(out, 'old.ogg')).equals(CLIP), 'byte-exact');
});
