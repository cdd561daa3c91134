/**
 * The pieces of a browser-swarm scenario that run inside the namespaces of `browser-swarm.ts`: a
 * generated test video (ffmpeg: H.264 + AAC in MP4 with `+faststart`, a noise-laden test card at a
 * constant bit rate so its size is known in advance), a real `seedcast serve` (the built CLI,
 * `bin/seedcast.js`, in the site's namespace), and viewers: one browser context per viewer (its own
 * storage, service worker and peer id, as separate people), with an init script that counts the
 * `RTCPeerConnection`s the page constructs, played to the `ended` event at a chosen `playbackRate`.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inSiteNs, type SwarmNet } from './browser-swarm.js';
import { type SiteProc, startSiteProc } from './site-proc.js';
import { run } from './tools.js';

// The functions given to page.evaluate() run in the browser: its globals, loosely typed here (the
// project compiles without the DOM library).
// biome-ignore lint/suspicious/noExplicitAny: browser globals
type Dom = any;
declare const document: Dom;
declare const window: Dom;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SEEDCAST_BIN = join(ROOT, 'bin', 'seedcast.js');

/**
 * Writes an MP4 of `seconds` at `kbps` (video; plus 64 kb/s of AAC sound) to `path`: 320×240 at
 * 15 frames/s, so ten pages can decode it at 16× speed on two cores. About `seconds × (kbps + 64) / 8` kB.
 */
export function makeSwarmVideo(path: string, options: { seconds: number; kbps: number }): string {
  const rate = `${options.kbps}k`;
  run('ffmpeg', [
    ...['-nostdin', '-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15,noise=alls=40:allf=t'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', String(options.seconds)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-b:v', rate, '-minrate', rate, '-maxrate', rate, '-bufsize', '1M', '-x264-params', 'nal-hrd=cbr'],
    ...['-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', path],
  ]);
  return path;
}

/** `seedcast serve` (built: `npm run build`) in the site's namespace, listening on its address. */
export function startSwarmSite(t: TestContext, net: SwarmNet, flags: string[] = []): Promise<SiteProc> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  return startSiteProc(t, {
    host: net.siteHost,
    flags,
    command: (args) => inSiteNs(net, process.execPath, [SEEDCAST_BIN, ...args]),
  });
}

/**
 * Counts the page's `RTCPeerConnection` constructions in `window.__seedcastRtcCount` (plain script
 * text: the test's own code is transformed by tsx, which a page cannot run).
 */
const COUNT_PEER_CONNECTIONS = `(() => {
  let count = 0;
  Object.defineProperty(window, '__seedcastRtcCount', { get: () => count });
  const Original = window.RTCPeerConnection;
  if (!Original) return;
  class Counted extends Original {
    constructor(...args) {
      super(...args);
      count++;
    }
  }
  window.RTCPeerConnection = Counted;
  window.webkitRTCPeerConnection = Counted;
})();`;

export interface Viewer {
  context: BrowserContext;
  page: Page;
  /** `RTCPeerConnection`s the page has constructed so far. */
  peerConnections(): Promise<number>;
  /**
   * The player's own counters (`window.seedcastPlayer.stats()`, or its `swarm.stats`), or undefined
   * while it has none (P2P off or not started).
   */
  stats(): Promise<PlayerStats | undefined>;
  close(): Promise<void>;
}

/** The player's byte counters since the page loaded. */
export interface PlayerStats {
  fromPeers: number;
  fromWebSeed: number;
  toPeers: number;
  peers?: number;
}

/** A new viewer (its own browser context) on `url`. */
export async function openViewer(browser: Browser, url: string): Promise<Viewer> {
  const context = await browser.newContext();
  await context.addInitScript({ content: COUNT_PEER_CONNECTIONS });
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[page ${url}] ${err.message}\n`));
  if (process.env.SWARM_DEBUG) {
    page.on('console', (m) => process.stderr.write(`[console ${url}] ${m.type()} ${m.text()}\n`));
    page.on('request', (r) => {
      if (r.resourceType() === 'media' || r.url().includes('/files/'))
        process.stderr.write(
          `[request ${url}] ${r.resourceType()} ${r.url()} ${r.headers().range ?? ''} sw:${r.serviceWorker() ? 1 : 0}\n`,
        );
    });
    page.on('websocket', (ws) => {
      const show = (dir: string) => (f: { payload: string | Buffer }) => {
        const m = JSON.parse(String(f.payload));
        const kind = ['offer', 'answer', 'offers', 'failure reason', 'interval']
          .filter((k) => k in m)
          .join('+');
        const id = (x?: string) => (x ? Buffer.from(x, 'latin1').toString('hex').slice(16) : '-');
        process.stderr.write(
          `[ws ${url}] ${dir} ${m.action} ${kind} peer ${id(m.peer_id)} to ${id(m.to_peer_id)} left ${m.left ?? '-'}\n`,
        );
      };
      ws.on('framesent', show('>'));
      ws.on('framereceived', show('<'));
    });
  }
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return {
    context,
    page,
    peerConnections: () => page.evaluate(() => window.__seedcastRtcCount as number),
    stats: () =>
      page.evaluate(() => {
        const p = window.seedcastPlayer;
        if (!p) return undefined;
        const s = typeof p.stats === 'function' ? p.stats() : p.swarm?.stats;
        if (!s) return undefined;
        const { fromPeers, fromWebSeed, toPeers, peers } = s;
        return { fromPeers, fromWebSeed, toPeers, peers } as PlayerStats;
      }),
    // Leaving the page first fires `pagehide`, whose beacon the browser still delivers.
    close: async () => {
      await page.goto('about:blank').catch(() => undefined);
      await context.close();
    },
  };
}

export interface Playback {
  /** Milliseconds from the call until `currentTime` first moved. */
  startedMs: number;
  /** Milliseconds from the call until `ended`. */
  endedMs: number;
  duration: number;
}

/**
 * Plays the page's `#player video` to its `ended` event at `rate` (re-applied whenever the player
 * swaps the element or its source), muted; rejects after `timeoutMs`. With `p2p`, play is pressed
 * only once the P2P player has taken the element over (`#player[data-p2p-active="1"]`): pressed
 * earlier, the `<video>` starts reading the file over plain HTTP until the player swaps its source.
 */
export async function playToEnd(
  page: Page,
  options: {
    rate: number;
    timeoutMs: number /** Wait for the P2P player to take over first. */;
    p2p?: boolean;
  },
): Promise<Playback> {
  const t0 = performance.now();
  let startedMs = -1;
  const deadline = t0 + options.timeoutMs;
  for (;;) {
    const state = await page.evaluate(
      ([rate, p2p]: [number, boolean]) => {
        const v = document.querySelector('#player video');
        if (!v || (p2p && document.querySelector('#player')?.dataset.p2pActive !== '1'))
          return { found: false, moved: false, ended: false, duration: 0 };
        v.muted = true;
        if (v.defaultPlaybackRate !== rate) v.defaultPlaybackRate = rate;
        if (v.playbackRate !== rate) v.playbackRate = rate;
        if (v.paused && !v.ended) v.play().catch(() => {});
        return {
          found: true,
          moved: v.currentTime > 0,
          ended: v.ended as boolean,
          duration: v.duration as number,
        };
      },
      [options.rate, options.p2p === true] as [number, boolean],
    );
    const now = performance.now();
    if (state.moved && startedMs < 0) startedMs = now - t0;
    if (state.ended) return { startedMs, endedMs: now - t0, duration: state.duration };
    if (now > deadline) {
      const detail = await page.evaluate(() => {
        const v = document.querySelector('#player video');
        return v
          ? `currentTime ${v.currentTime} of ${v.duration}, readyState ${v.readyState}, networkState ${v.networkState}, error ${v.error?.code}, src ${String(v.currentSrc).slice(0, 120)}`
          : 'no #player video';
      });
      throw new Error(`playback did not end within ${options.timeoutMs} ms: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
