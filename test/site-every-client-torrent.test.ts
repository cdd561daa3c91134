/**
 * Every client with the site's default torrent (v1, BEP 3; docs/interop.md), end to end against a
 * real `seedcast serve`:
 * - Transmission 3.00 completes an item of two files from the site alone, byte-exact. Transmission 3
 *   ignores 127.x peers from trackers, so the site listens on the host side of a veth pair and
 *   Transmission runs in a network namespace of its own (`makeNetns`; root needed).
 * - Every client ends up in the same swarm: with the site unable to serve the item (its blobs gone:
 *   its peer finds every piece damaged at restart, its web seed has nothing), clients given the
 *   site's unchanged `.torrent` exchange the pieces with each other through the site's tracker:
 *   libtorrent -> aria2c, aria2c -> libtorrent, seedcast -> aria2c, aria2c -> seedcast, and (in the
 *   namespace) aria2c -> Transmission -> libtorrent. Each copy is
 *   byte-exact, the bytes are counted at the other end where the client tells (libtorrent's upload
 *   and per-peer download counters), and the site's own counters show it sent nothing meanwhile.
 * Skips loudly without the clients or root (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import {
  type ClientName,
  canMakeNetns,
  downloadWith,
  makeNetns,
  type Netns,
  seedWith,
} from './helpers/clients.js';
import { startSiteProc } from './helpers/site-proc.js';
import { requireTools } from './helpers/tools.js';

/** Two files of odd sizes: pieces span the files (no BEP 47 padding in the site's v1 torrents). */
const FILES = {
  'episode.ogg': Buffer.from(new Uint8Array(1_500_001).map((_, i) => (i * 2654435761) >>> 24)),
  'notes.txt': Buffer.from(new Uint8Array(300_007).map((_, i) => (i * 40503 + 7) >>> 8)),
};
const TOTAL = FILES['episode.ogg'].length + FILES['notes.txt'].length;
const TITLE = 'Episode and notes';

function assertCopy(root: string, who: string): void {
  for (const [name, bytes] of Object.entries(FILES)) {
    const got = readFileSync(join(root, TITLE, name));
    assert.ok(got.equals(bytes), `${who}: ${name} is byte-exact`);
  }
}

function requireNetns(t: TestContext): boolean {
  if (canMakeNetns()) return true;
  const message = 'needs root and iproute2 for a network namespace';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
  return false;
}

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

/**
 * Publishes the item, then takes the site's copy away (its blobs; restart): its peer finds every
 * piece damaged and serves none, its web seed has nothing. Each pair then meets through the site's
 * tracker, given the site's unchanged `.torrent`: the seeder a local copy, the downloader nothing.
 */
async function exchangeWithoutTheSite(
  t: TestContext,
  pairs: [seeder: ClientName, downloader: ClientName][],
  ns?: Netns,
): Promise<void> {
  const site = await startSiteProc(t, ns ? { host: ns.hostIp } : {});
  const { item, torrentPath } = await site.publish(TITLE, FILES);
  await site.server().stop();
  rmSync(join(site.data, 'blobs', 'files'), { recursive: true, force: true });
  await site.restart();
  const served = async () => (await site.api(`/api/v1/items/${item.id}`)).swarm.served.total as number;
  const sentBefore = await served();
  // Transmission in its namespace; the others, with one, at the host side's second address: Transmission
  // keeps one peer per IP address, and the first address is the site's peer's.
  const inNs = (client: ClientName) => (!ns ? {} : client === 'transmission' ? { ns } : { bind: ns.hostIp2 });

  for (const [up, down] of pairs) {
    const who = `${up} -> ${down}`;
    const copy = join(site.dir, `copy-${up}-${down}`);
    mkdirSync(join(copy, TITLE), { recursive: true });
    for (const [name, bytes] of Object.entries(FILES)) writeFileSync(join(copy, TITLE, name), bytes);
    const seeder = await seedWith(t, up, { torrent: torrentPath, data: copy, dir: site.dir, ...inNs(up) });
    const out = join(site.dir, `got-${up}-${down}`);
    const got = await downloadWith(t, down, {
      torrent: torrentPath,
      out,
      dir: site.dir,
      ms: 150_000,
      ...inNs(down),
    });
    assert.ok(got.ok, `${who}: the download finished:\n${got.log}`);
    assertCopy(out, who);
    if (down === 'libtorrent') {
      const name = {
        aria2c: /aria2/i,
        transmission: /Transmission/i,
        seedcast: /Seedcast/i,
        libtorrent: /x^/,
      }[up];
      const received = (got.peers ?? [])
        .filter((p) => name.test(p.client))
        .reduce((sum, p) => sum + p.received, 0);
      // libtorrent's per-peer counters lag by up to a second when the seeder hangs up at the end
      assert.ok(
        received > 0,
        `${who}: libtorrent received ${received} bytes from ${up} (${JSON.stringify(got.peers)})`,
      );
    }
    if (up === 'libtorrent') {
      seeder.proc.child.stdin?.end(); // lt_tool then prints what it uploaded and exits
      await seeder.proc.exited;
      const { uploaded } = JSON.parse(seeder.proc.output().trim().split('\n').pop()!);
      assert.ok(uploaded >= TOTAL, `${who}: libtorrent sent ${uploaded} bytes to ${down}`);
    }
    await seeder.proc.stop();
  }
  assert.equal(await served(), sentBefore, 'the site sent nothing: every byte came from the other client');
}

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
