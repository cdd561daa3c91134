/**
 * Transmission 3.00 with the site's default torrent (v1, BEP 3; docs/interop.md), end to end against
 * a real `seedcast serve`. Transmission 3 ignores 127.x peers from trackers, so the site listens on
 * the host side of a veth pair and Transmission runs in a network namespace of its own
 * (`makeNetns`; root needed). Transmission 3 also keeps one peer per IP address, so the other
 * clients bind to the host side's second address, apart from the site's peer.
 * - It completes an item of two files from the site alone, byte-exact.
 * - It is in the same swarm as the others: with the site unable to serve the item, it takes the
 *   pieces from aria2c and gives them to libtorrent, each given the site's `.torrent`.
 * Skips loudly without the clients or root (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import { downloadWith, makeNetns } from './helpers/clients.js';
import { startSiteProc } from './helpers/site-proc.js';
import {
  assertCopy,
  exchangeWithoutTheSite,
  FILES,
  requireNetns,
  TITLE,
  TOTAL,
} from './helpers/site-swarm.js';
import { requireTools } from './helpers/tools.js';

test('Transmission 3.00 completes the site default .torrent (two files) from the site alone, byte-exact', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'transmission-cli', 'ip') || !requireNetns(t)) return;
  const ns = makeNetns(t);
  const site = await startSiteProc(t, { host: ns.hostIp });
  const { item, torrent, torrentPath } = await site.publish(TITLE, FILES);
  const meta = parseTorrent(torrent);
  assert.equal(meta.version, 'v1', 'the site makes v1 torrents by default');
  assert.equal(meta.files.filter((f) => f.padding).length, 0, 'no padding files for Transmission to fetch');

  const out = join(site.dir, 'transmission');
  const got = await downloadWith(t, 'transmission', {
    torrent: torrentPath,
    out,
    ns,
    dir: site.dir,
    ms: 180_000,
  });
  assert.ok(got.ok, `Transmission finished:\n${got.log}`);
  assertCopy(out, 'Transmission');
  const after = await site.api(`/api/v1/items/${item.id}`);
  assert.ok(after.swarm.served.total >= TOTAL, `the site served it: ${JSON.stringify(after.swarm.served)}`);
});

test('Transmission given the site torrent is in the same swarm too: it takes pieces from aria2c and gives them to libtorrent', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'transmission-cli', 'ip', 'aria2c', 'libtorrent') || !requireNetns(t)) return;
  const ns = makeNetns(t);
  await exchangeWithoutTheSite(
    t,
    [
      ['aria2c', 'transmission'],
      ['transmission', 'libtorrent'],
    ],
    ns,
  );
});
