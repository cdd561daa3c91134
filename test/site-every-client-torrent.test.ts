/**
 * Every client ends up in the same swarm, given the site's default torrent (v1, BEP 3;
 * docs/interop.md), end to end against a real `seedcast serve`: with the site unable to serve the
 * item (its blobs gone: its peer finds every piece damaged at restart, its web seed has nothing),
 * clients given the site's unchanged `.torrent` exchange the pieces with each other through the
 * site's tracker: libtorrent -> aria2c, aria2c -> libtorrent, seedcast -> aria2c, aria2c -> seedcast.
 * Each copy is byte-exact, the bytes are counted at the other end where the client tells
 * (libtorrent's upload and per-peer download counters), and the site's own counters show it sent
 * nothing meanwhile. Transmission: test/site-every-client-transmission.test.ts. Skips loudly
 * without the clients (fails under CI=true).
 */

import { test } from 'node:test';
import { exchangeWithoutTheSite } from './helpers/site-swarm.js';
import { requireTools } from './helpers/tools.js';

test('every client given the site torrent ends up in the same swarm: aria2c, libtorrent and seedcast exchange pieces with each other', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'aria2c', 'libtorrent')) return;
  await exchangeWithoutTheSite(t, [
    ['libtorrent', 'aria2c'],
    ['aria2c', 'libtorrent'],
    ['seedcast', 'aria2c'],
    ['aria2c', 'seedcast'],
  ]);
});
