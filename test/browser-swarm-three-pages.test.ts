/**
 * Three viewers play the same video at once, and the later ones get most of their bytes from the
 * others: real `seedcast serve` (its WebSocket tracker, its WebRTC seeding peer, its web seed) and
 * three real headless Chromium pages (one browser context each, as three people) opened a moment
 * apart on the item page with P2P on (the default). Each page's `<video>` starts and plays to its
 * `ended` event (`playbackRate` 4 keeps the 24 s video short). Then:
 * - the page's own counters (`window.seedcastPlayer`: `stats()`, or its `swarm.stats`): the second
 *   and third pages got more bytes from peers than from the web seed, and every page made WebRTC
 *   connections (play is pressed once the P2P player has taken the `<video>` over);
 * - the site's per-channel statistics (`GET /api/v1/items/:id` `traffic`): everything the site sent
 *   for the item (plain HTTP, web seed, TCP, WebRTC) is under twice the file size. The first page
 *   needs the whole file from the site; had the second and third got half or more of theirs from the
 *   site too, it would have sent at least twice the size; the veth's counter (every byte the site's
 *   namespace sent, protocol overhead included) says the same. Browsers' reports (`browserPeers`,
 *   from the beacon) say they got bytes from peers.
 *
 * The site in a network namespace, the browsers in another, joined by a veth (`helpers/browser-swarm.ts`
 * `split`): Chromium offers only the address of its default route as a candidate, never a loopback
 * one, so two pages in a namespace with only `lo` cannot connect to each other (a page and the site's
 * `@roamhq/wrtc` peer can). The veth's counters check the site's figure from outside its process.
 * Skipped loudly without root, ffmpeg or chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { browserSwarm, launchSwarmChromium, siteSentBytes } from './helpers/browser-swarm.js';
import {
  makeSwarmVideo,
  openViewer,
  type Playback,
  playToEnd,
  startSwarmSite,
  type Viewer,
} from './helpers/swarm-viewers.js';
import { requireTools, tempDir } from './helpers/tools.js';

const TIMEOUT = 300_000;
const SECONDS = 24;
const GAP_MS = 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes the site sent for the item over every channel: `site` (plain HTTP, web seed, TCP, WebRTC). */
function siteSent(traffic: Record<string, number>): number {
  const channels = ['httpPlayer', 'httpDownload', 'webSeed', 'tcp', 'webrtc'] as const;
  const sum = channels.reduce((a, k) => a + Number(traffic[k] ?? 0), 0);
  assert.equal(traffic.site, sum, 'traffic.site is the sum of the channels the site sends on');
  return sum;
}

/** The page's peers as the player sees them (SWARM_DEBUG), as script text run in the page. */
const PEERS_OF_PAGE = `JSON.stringify([...(window.seedcastPlayer?.swarm?.peers?.keys() ?? [])].map((p) => ({
  remote: [...p.remoteId].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('').slice(0, 16),
  choking: p.choking, amInterested: p.amInterested, amChoking: p.amChoking, interested: p.interested,
  bytesIn: p.bytesIn, bytesOut: p.bytesOut,
})))`;

const swarm = browserSwarm(import.meta.url, 'split');
if (swarm) {
  test('three pages play one video at once and the later two get most of their bytes from peers', {
    timeout: TIMEOUT,
  }, async (t) => {
    if (!requireTools(t, 'ffmpeg', 'chromium')) return;
    const dir = tempDir(t, 'seedcast-swarm-three-');
    const video = makeSwarmVideo(join(dir, 'swarm.mp4'), { seconds: SECONDS, kbps: 1000 });
    const size = statSync(video).size;
    const site = await startSwarmSite(t, swarm);
    const { item } = await site.publish(
      'Swarm',
      { 'swarm.mp4': readFileSync(video) },
      { license: 'CC0-1.0' },
    );
    if (process.env.SWARM_DEBUG)
      t.after(() => process.stderr.write(`[site]\n${site.server().output().slice(-20000)}\n`));
    const browser = await launchSwarmChromium({ secureOrigin: site.base });
    const sentBefore = siteSentBytes(swarm);
    t.after(() => browser.close());

    const viewers: Viewer[] = [];
    const plays: Promise<Playback>[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(GAP_MS);
      const viewer = await openViewer(browser, `${site.base}/items/${item.id}`);
      viewers.push(viewer);
      plays.push(playToEnd(viewer.page, { rate: 4, timeoutMs: 120_000, p2p: true }));
    }
    const played = await Promise.all(plays);
    t.diagnostic(
      `playback (ms from each page's opening): ${played.map((p) => `started ${Math.round(p.startedMs)} ended ${Math.round(p.endedMs)}`).join('; ')}`,
    );
    for (const [i, p] of played.entries()) {
      assert.ok(p.startedMs >= 0, `page ${i + 1} started playing`);
      assert.ok(Math.abs(p.duration - SECONDS) < 1, `page ${i + 1} played the whole video (${p.duration} s)`);
    }

    if (process.env.SWARM_DEBUG)
      for (const v of viewers) t.diagnostic(`peers of a page: ${await v.page.evaluate(PEERS_OF_PAGE)}`);
    const stats = await Promise.all(viewers.map((v) => v.stats()));
    const connections = await Promise.all(viewers.map((v) => v.peerConnections()));
    t.diagnostic(`player stats: ${JSON.stringify(stats)}; RTCPeerConnections ${connections.join(', ')}`);
    for (const [i, s] of stats.entries()) {
      assert.ok(s, `page ${i + 1} exposes its counters (window.seedcastPlayer.stats())`);
      assert.ok(connections[i]! > 0, `page ${i + 1} made WebRTC connections`);
      assert.ok(
        s.fromPeers + s.fromWebSeed >= size * 0.9,
        `page ${i + 1} got the file (${JSON.stringify(s)})`,
      );
    }
    for (const i of [1, 2]) {
      const s = stats[i]!;
      assert.ok(
        s.fromPeers > s.fromWebSeed,
        `page ${i + 1} got most of its bytes from peers (${JSON.stringify(s)})`,
      );
    }

    // Leaving the pages sends their last reports (pagehide beacons).
    for (const v of viewers) await v.close();
    await sleep(1000);
    const { traffic } = await site.api(`/api/v1/items/${item.id}`);
    t.diagnostic(`site traffic for a ${size}-byte file: ${JSON.stringify(traffic)}`);
    assert.ok(traffic && typeof traffic === 'object', 'the item lists its traffic per channel');
    const sent = siteSent(traffic);
    assert.ok(sent >= size * 0.9, `the site sent at least the first page's copy (${sent} of ${size})`);
    assert.ok(sent < 2 * size, `the site sent under twice the file size in all (${sent} for ${size})`);
    assert.ok(Number(traffic.browserPeers) > 0, 'browsers reported bytes from peers');
    const veth = siteSentBytes(swarm) - sentBefore;
    t.diagnostic(`the site's veth sent ${veth} bytes`);
    assert.ok(
      veth < 2 * size,
      `measured outside the site, it sent under twice the file size (${veth} for ${size})`,
    );
  });
}
