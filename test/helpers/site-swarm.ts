/**
 * Shared by the "every client" tests: an item of two files of odd sizes (pieces span the files: no
 * BEP 47 padding in the site's v1 torrents), and `exchangeWithoutTheSite`, which publishes it on a
 * real `seedcast serve`, takes the site's copy away and has pairs of clients exchange it through the
 * site's tracker, given the site's unchanged `.torrent`.
 */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type ClientName, canMakeNetns, downloadWith, type Netns, seedWith } from './clients.js';
import { startSiteProc } from './site-proc.js';

/** Two files of odd sizes: pieces span the files (no BEP 47 padding in the site's v1 torrents). */
export const FILES = {
  'episode.ogg': Buffer.from(new Uint8Array(1_500_001).map((_, i) => (i * 2654435761) >>> 24)),
  'notes.txt': Buffer.from(new Uint8Array(300_007).map((_, i) => (i * 40503 + 7) >>> 8)),
};
export const TOTAL = FILES['episode.ogg'].length + FILES['notes.txt'].length;
export const TITLE = 'Episode and notes';

export function assertCopy(root: string, who: string): void {
  for (const [name, bytes] of Object.entries(FILES)) {
    const got = readFileSync(join(root, TITLE, name));
    assert.ok(got.equals(bytes), `${who}: ${name} is byte-exact`);
  }
}

export function requireNetns(t: TestContext): boolean {
  if (canMakeNetns()) return true;
  const message = 'needs root and iproute2 for a network namespace';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
  return false;
}

/**
 * Publishes the item, then takes the site's copy away (its blobs; restart): its peer finds every
 * piece damaged and serves none, its web seed has nothing. Each pair then meets through the site's
 * tracker, given the site's unchanged `.torrent`: the seeder a local copy, the downloader nothing.
 */
export async function exchangeWithoutTheSite(
  t: TestContext,
  pairs: [seeder: ClientName, downloader: ClientName][],
  ns?: Netns,
): Promise<void> {
  // Fixity off: the site would otherwise find the damage and repair it from these very clients
  // (issue 22), and serve again. The restart rechecks (the old start), so the site's peer knows at
  // once that it has nothing, rather than when each piece is first asked for (a trusted start).
  const site = await startSiteProc(t, { ...(ns ? { host: ns.hostIp } : {}), env: { SEEDCAST_FIXITY: '0' } });
  const { item, torrentPath } = await site.publish(TITLE, FILES);
  await site.server().stop();
  rmSync(join(site.data, 'blobs', 'files'), { recursive: true, force: true });
  await site.restart(['--recheck']);
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
