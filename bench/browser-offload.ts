/**
 * `npm run bench:browser-offload`: how much of a popular video the site itself sends when its
 * viewers watch in browsers that join the swarm (WebTorrent: BEP 3 over WebRTC data channels,
 * signalled through the site's WebSocket tracker), beside the same viewers on a plain HTTP player.
 *
 * One `seedcast serve` (the built CLI) publishes a generated 50 MB video (H.264 + AAC, MP4 with
 * `+faststart`, 320×240 at a constant ~2 Mbit/s, so about 200 s long). Ten headless Chromium viewers
 * (one browser, one context each: separate storage and peer ids) open its page a second apart and
 * play it to the `ended` event at `playbackRate` 16 (so a round lasts about half a minute and ten
 * decoders fit on this machine's two cores; the players fetch at the speed playback asks for, at
 * most). Everyone stays on the page until the last viewer has finished, then all leave.
 *
 * Round 1: `?p2p=0` (the plain HTTP player, the `<video>` reading the file with ranges); round 2:
 * P2P on (the item page's default). Measured outside the site's process: the site runs in a
 * network namespace of its own, the browsers in another, joined by a veth pair
 * (`test/helpers/browser-swarm.ts`); the transmit counter of the site's end counts every byte it
 * sent (HTTP, WebSocket, WebRTC over UDP, TCP; headers included). Printed: those bytes / file size
 * for each round (HTTP ≈ 10 by construction), their ratio, and beside them the site's own
 * per-channel statistics (`GET /api/v1/items/:id` `traffic`) and the players' counters
 * (`window.seedcastPlayer.stats()`). Target: P2P round ≤ 2.5 × file size.
 *
 * Options: BENCH_SIZE_MB (default 50), BENCH_VIEWERS (10), BENCH_RATE (playbackRate, 16),
 * BENCH_GAP_MS (1000, between viewers), BENCH_TIMEOUT_S (300: a viewer not at the end by then is reported
 * and the round goes on). Needs root (namespaces), iproute2, ffmpeg, chromium and
 * `npm run build`.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launchSwarmChromium,
  makeSwarmNamespaces,
  type SwarmNet,
  siteSentBytes,
  swarmFromEnv,
  swarmUnavailable,
} from '../test/helpers/browser-swarm.js';
import {
  makeSwarmVideo,
  openViewer,
  type Playback,
  type PlayerStats,
  playToEnd,
  SEEDCAST_BIN,
} from '../test/helpers/swarm-viewers.js';
import { start } from './offload-clients.js';
import { type Json, publishFile } from './site-publish.js';

const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 50);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 16);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 1000);
const KBPS = 1936; // video; with 64 kb/s of sound, 2 Mbit/s = 250 kB/s
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 300) * 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

interface Round {
  sent: number;
  plays: Playback[];
  stats: (PlayerStats | undefined)[];
  traffic: Record<string, number> | undefined;
}

/** Outside the namespaces: make them, run this script inside, clean up. */
function outside(): void {
  const why =
    swarmUnavailable() ??
    (['ffmpeg', 'chromium'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0) &&
      'install ffmpeg and chromium') ??
    (existsSync(join('dist', 'cli', 'main.js')) ? undefined : 'run `npm run build` first');
  if (why) {
    console.error(`bench:browser-offload: ${why}`);
    process.exit(1);
  }
  const spaces = makeSwarmNamespaces('split');
  const [cmd, args] = spaces.wrap(process.execPath, ['--import', 'tsx', ...process.argv.slice(1)]);
  const child = spawn(cmd, args, { stdio: 'inherit', env: spaces.env });
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  child.once('close', (code) => {
    spaces.dispose();
    process.exit(code ?? 1);
  });
}

/** The item's per-channel counters (numbers only), if the site reports them. */
function trafficOf(item: Json): Record<string, number> | undefined {
  const t = item?.traffic;
  if (!t || typeof t !== 'object') return undefined;
  return Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === 'number')) as Record<
    string,
    number
  >;
}

function diff(a: Record<string, number> | undefined, b: Record<string, number> | undefined) {
  if (!a || !b) return undefined;
  return Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
}

async function round(
  net: SwarmNet,
  browser: Awaited<ReturnType<typeof launchSwarmChromium>>,
  url: string,
  itemApi: () => Promise<Json>,
): Promise<Round> {
  const before = trafficOf(await itemApi());
  const tx0 = siteSentBytes(net);
  const t0 = performance.now();
  const viewers: Awaited<ReturnType<typeof openViewer>>[] = [];
  const plays: Promise<Playback>[] = [];
  for (let i = 0; i < VIEWERS; i++) {
    await sleep(Math.max(0, t0 + i * GAP_MS - performance.now()));
    const viewer = await openViewer(browser, url);
    viewers.push(viewer);
    const opened = performance.now() - t0;
    plays.push(
      playToEnd(viewer.page, { rate: RATE, timeoutMs: TIMEOUT_MS, p2p: !url.includes('p2p=0') }).then(
        (p) => ({ ...p, startedMs: p.startedMs + opened, endedMs: p.endedMs + opened }),
        (err: Error) => {
          console.log(`    viewer ${i + 1}: ${err.message}`);
          return { startedMs: Number.NaN, endedMs: Number.NaN, duration: Number.NaN };
        },
      ),
    );
  }
  const played = await Promise.all(plays);
  const stats = await Promise.all(viewers.map((v) => v.stats().catch(() => undefined)));
  await Promise.all(viewers.map((v) => v.close()));
  await sleep(2000); // closing connections and the last beacons
  const sent = siteSentBytes(net) - tx0;
  return { sent, plays: played, stats, traffic: diff(before, trafficOf(await itemApi())) };
}

function describe(name: string, r: Round, size: number): void {
  const done = r.plays.filter((p) => !Number.isNaN(p.endedMs));
  const ends = done.map((p) => p.endedMs / 1000).sort((a, b) => a - b);
  const starts = done.map((p) => p.startedMs / 1000).sort((a, b) => a - b);
  console.log(`  ${name}`);
  console.log(
    `    site sent (veth, all channels)   ${mb(r.sent)} = ${(r.sent / size).toFixed(2)} x file size`,
  );
  if (done.length < r.plays.length)
    console.log(
      `    only ${done.length} of ${r.plays.length} viewers reached the end within ${TIMEOUT_MS / 60_000} min`,
    );
  if (done.length > 0)
    console.log(
      `    playback started after            ${starts[0]!.toFixed(1)} .. ${starts[starts.length - 1]!.toFixed(1)} s (from the round's start), ended ${ends[0]!.toFixed(1)} .. ${ends[ends.length - 1]!.toFixed(1)} s`,
    );
  if (r.traffic)
    console.log(
      `    site's own counters (traffic)     ${Object.entries(r.traffic)
        .map(([k, v]) => `${k} ${mb(v)}`)
        .join(', ')}`,
    );
  const known = r.stats.filter((s): s is PlayerStats => s !== undefined);
  if (known.length > 0) {
    const line = known
      .map((s) => {
        const got = s.fromPeers + s.fromWebSeed;
        return got > 0 ? `${Math.round((100 * s.fromPeers) / got)}%` : '-';
      })
      .join(' ');
    const sum = (k: keyof PlayerStats) => known.reduce((a, s) => a + Number(s[k] ?? 0), 0);
    console.log(
      `    players: from peers ${mb(sum('fromPeers'))}, from web seed ${mb(sum('fromWebSeed'))}, to peers ${mb(sum('toPeers'))}`,
    );
    console.log(`    share from peers per viewer       ${line}`);
  }
}

async function inside(net: SwarmNet): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'seedcast-browser-offload-'));
  const procs: ReturnType<typeof start>[] = [];
  try {
    const video = join(root, 'browser-offload.mp4');
    const seconds = Math.round((SIZE_MB * 1e6) / (((KBPS + 64) * 1000) / 8));
    console.log(`making a ${SIZE_MB} MB video (${seconds} s)...`);
    makeSwarmVideo(video, { seconds, kbps: KBPS });
    const size = statSync(video).size;

    const site = start(
      'ip',
      [
        ...['netns', 'exec', net.siteNs, process.execPath, SEEDCAST_BIN, 'serve'],
        ...['--host', net.siteHost, '--port', '8080', '--peer-port', '6881', '--no-dht'],
        ...['--allow-private-urls', '--data', join(root, 'site')],
      ],
      TIMEOUT_MS,
    );
    procs.push(site);
    const [, base] = await site.waitFor(/listening on (http:\/\/\S+)/, 90_000);
    const { item, api: call } = await publishFile(base!, video, {
      title: 'Browser offload benchmark',
      name: 'browser-offload.mp4',
    });
    const itemApi = () => call(`/api/v1/items/${item.id}`);
    const page = `${base}/items/${item.id}`;
    console.log(`published item ${item.id} (${mb(size)}); ${VIEWERS} viewers a round, ${GAP_MS} ms apart`);

    const browser = await launchSwarmChromium({ secureOrigin: base! });
    try {
      console.log('round 1: plain HTTP player (?p2p=0)...');
      const http = await round(net, browser, `${page}?p2p=0`, itemApi);
      console.log('round 2: P2P player...');
      const p2p = await round(net, browser, page, itemApi);

      console.log(
        `\nbench:browser-offload — ${mb(size)} video (${seconds} s), ${VIEWERS} headless Chromium viewers ${GAP_MS / 1000} s apart, playbackRate ${RATE}, site and browsers in two network namespaces (veth), ${availableParallelism()} cores`,
      );
      describe('plain HTTP player (?p2p=0)', http, size);
      describe('P2P player (WebTorrent swarm + web seed)', p2p, size);
      const ratio = p2p.sent / size;
      console.log(
        `  site sent / file size: P2P ${ratio.toFixed(2)} x beside plain HTTP ${(http.sent / size).toFixed(2)} x`,
      );
      console.log(`  P2P / plain HTTP                    ${(p2p.sent / http.sent).toFixed(2)}`);
      console.log(ratio <= 2.5 ? 'target met (<= 2.5)' : 'target NOT met (<= 2.5)');
    } finally {
      await browser.close();
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}

const net = swarmFromEnv();
if (!net) outside();
else
  inside(net).catch((err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
