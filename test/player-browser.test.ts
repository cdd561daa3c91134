/**
 * The P2P player in real Chromium (playwright-core) with real WebRTC: the file re-runs itself in a
 * network namespace (`unshare -n`; `lo` and a veth carrying the default route, see NAMESPACE) where
 * the site (`startServer`), a reference WebSocket tracker (`bittorrent-tracker/server`) and the
 * pages run; Chromium with `--allow-loopback-in-peer-connection --disable-features=WebRtcHideLocalIpsWithMdns`.
 * - interop: a page running the real WebTorrent browser client (`webtorrent.min.js`) seeds the
 *   item (it got it from the site's web seed), and our player in another page plays the video to
 *   the end with every byte from that peer (its web seed points at nothing);
 * - two of our players, signalled by the site's own WebSocket tracker (`/announce`) under the
 *   page's own CSP: the second plays the video with most of its bytes from the first;
 * - our player with the site's own WebRTC peer (i17-rtcpeer) as its only source;
 * - P2P switched off while playing (the `seedcast:p2p` event): every peer connection is closed and
 *   the video plays on over HTTP;
 * - P2P off (`localStorage['seedcast.p2p'] = 'off'`): the video plays over HTTP and no
 *   `RTCPeerConnection` is made (the constructor is instrumented before any page script runs).
 * Needs root, unshare, ip, chromium and ffmpeg: skipped loudly without them (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type RunningServer, startServer } from '../src/server.js';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/browser.js';
import { freePort, requireTools, run, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const window: Dom;
declare const document: Dom;
declare const localStorage: Dom;

const INSIDE = process.env.SEEDCAST_PLAYER_NETNS === '1';
/**
 * The namespace: `lo` up, and a veth pair with 10.78.0.1 on one end and the default route through
 * it. Chromium gathers host candidates only on an interface that carries the default route (without
 * one it signals none, and two pages cannot meet); the site and the tracker stay on 127.0.0.1.
 */
const NAMESPACE =
  'ip link set lo up; ip link add sc0 type veth peer name sc1; ip addr add 10.78.0.1/24 dev sc0; ' +
  'ip link set sc1 up; ip link set sc0 up; ip route add default via 10.78.0.2 dev sc0';
const TIMEOUT = 180_000;

if (!INSIDE) {
  test('the P2P player in Chromium over loopback WebRTC (inside a network namespace)', {
    timeout: 600_000,
  }, (t) => {
    if (!requireTools(t, 'unshare', 'ip', 'chromium', 'ffmpeg')) return;
    if (process.getuid?.() !== 0) {
      const why = 'a network namespace needs root';
      if (process.env.CI === 'true') throw new Error(why);
      process.stderr.write(`\n*** SKIPPED "${t.name}": ${why} ***\n\n`);
      t.skip(why);
      return;
    }
    const file = new URL(import.meta.url).pathname;
    const result = spawnSync(
      'unshare',
      ['-n', 'sh', '-ec', `${NAMESPACE}; exec "$0" --import tsx "$1"`, process.execPath, file],
      {
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, SEEDCAST_PLAYER_NETNS: '1' },
        encoding: 'utf8',
        timeout: 590_000,
      },
    );
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    assert.equal(result.status, 0, 'the tests inside the namespace pass');
  });
}

interface Stats {
  fromPeers: number;
  fromWebSeed: number;
  toPeers: number;
  peers: number;
}

function makeVideo(t: TestContext): Buffer {
  const out = join(tempDir(t, 'seedcast-player-video-'), 'clip.mp4');
  run('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', out],
  ]);
  return readFileSync(out);
}

/** The site (its WebRTC peer on or off), a reference WebSocket tracker, Chromium, and the video published. */
async function setUp(t: TestContext, options: { siteWebRtc: boolean }) {
  const dir = tempDir(t, 'seedcast-player-browser-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: options.siteWebRtc, maxConnections: 200, stun: [] },
  });
  const trackerPort = await freePort();
  const { default: Server } = (await import('bittorrent-tracker/server' as string)) as {
    default: new (
      o: object,
    ) => {
      listen(port: number, host: string, cb: () => void): void;
      close(cb?: () => void): void;
    };
  };
  const tracker = new Server({ udp: false, http: false, ws: true, stats: false });
  await new Promise<void>((resolve) => tracker.listen(trackerPort, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--autoplay-policy=no-user-gesture-required',
    ],
    timeout: 120_000,
  });
  // The browser first: its pages hold connections that the servers' close would wait for.
  t.after(async () => {
    await browser.close();
    await new Promise<void>((resolve) => tracker.close(() => resolve()));
    await server.close();
  });
  const video = makeVideo(t);
  const item = await publish(server, video);
  return { server, browser, video, item, trackerUrl: `ws://127.0.0.1:${trackerPort}` };
}

async function publish(server: RunningServer, bytes: Buffer): Promise<{ id: number; infoHash: string }> {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/api/v1/users', { username: 'ada', password: 'correct horse' });
  const { token } = (await (
    await post('/api/v1/tokens', { username: 'ada', password: 'correct horse' })
  ).json()) as { token: string };
  const form = new FormData();
  form.append('title', 'Test card');
  form.append('file', new Blob([bytes]), 'clip.mp4');
  const res = await fetch(`${server.url}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { id: number; infoHash: string };
}

/**
 * A browser context for player pages. With `trackerUrl`, its pages see the item's P2P description
 * with `trackers` replaced by that one (bittorrent-tracker's server: the reference the WebTorrent
 * client is known to work with) and, with `deadWebSeed`, file URLs that lead nowhere; CSP is then
 * bypassed for that outside address. Otherwise the site's own tracker and CSP.
 */
async function playerContext(
  browser: Browser,
  trackerUrl: string | undefined,
  options: { deadWebSeed?: boolean } = {},
): Promise<BrowserContext> {
  if (trackerUrl === undefined && !options.deadWebSeed) return browser.newContext();
  const context = await browser.newContext({ bypassCSP: trackerUrl !== undefined });
  await context.route('**/api/v1/items/*/p2p', async (route) => {
    const response = await route.fetch();
    const d = (await response.json()) as { trackers: string[]; files: { url: string }[] };
    if (trackerUrl !== undefined) d.trackers = [trackerUrl];
    if (options.deadWebSeed) for (const f of d.files) f.url = 'http://127.0.0.1:9/nothing';
    await route.fulfill({ response, json: d });
  });
  return context;
}

/**
 * Plays the video to its end; resolves with the milliseconds from `play()`, and from the page's
 * navigation, to the first frame playing.
 */
async function playToEnd(page: Page): Promise<{ sincePlay: number; sinceNavigation: number }> {
  await page
    .waitForFunction(() => document.querySelector('#player')?.dataset.p2pActive === '1' || false, null, {
      timeout: 30_000,
    })
    .catch(() => undefined);
  const startMs = await page.evaluate(async () => {
    const v = document.querySelector('video');
    v.muted = true;
    const t0 = performance.now();
    const playing = new Promise((resolve) => v.addEventListener('playing', resolve, { once: true }));
    await v.play();
    await playing;
    return { sincePlay: performance.now() - t0, sinceNavigation: performance.now() };
  });
  await page.waitForFunction(() => document.querySelector('video').ended === true, null, {
    timeout: TIMEOUT,
  });
  return startMs;
}

async function statsOf(page: Page): Promise<Stats> {
  return (await page.evaluate(() => {
    const s = window.seedcastPlayer?.swarm?.stats;
    return s
      ? { fromPeers: s.fromPeers, fromWebSeed: s.fromWebSeed, toPeers: s.toPeers, peers: s.peers }
      : undefined;
  })) as Stats;
}

if (INSIDE) {
  test('our player plays a video to the end with every byte from a WebTorrent browser peer', {
    timeout: TIMEOUT * 2,
  }, async (t) => {
    const { server, browser, video, item, trackerUrl } = await setUp(t, { siteWebRtc: false });
    const wtPath = createRequire(import.meta.url).resolve('webtorrent/dist/webtorrent.min.js');
    const seederContext = await browser.newContext();
    // The script is handed over by the test; the page itself is a real answer of the site (a page
    // fulfilled by the test would count as public and be refused the loopback tracker).
    await seederContext.route('**/__wt/webtorrent.min.js', (route) =>
      route.fulfill({ path: wtPath, contentType: 'text/javascript' }),
    );
    const seeder = await seederContext.newPage();
    seeder.on('console', (m) => {
      if (!m.text().includes('404')) process.stderr.write(`[seeder] ${m.text()}\n`);
    });
    await seeder.goto(`${server.url}/healthz`);
    // WebTorrent 3 asks a single-file torrent's web seed URL itself, not BEP 19's URL + name: the
    // file's own URL is added for it.
    const torrentUrl = `${server.url}/items/${item.id}.torrent`;
    const seeded = await seeder.evaluate(
      async ({ torrentUrl, trackerUrl, fileUrl }) => {
        const { default: WebTorrent } = await import(String('/__wt/webtorrent.min.js'));
        const client = new WebTorrent();
        const buf = new Uint8Array(await (await fetch(torrentUrl)).arrayBuffer());
        return new Promise((resolve, reject) => {
          client.on('error', (e: Dom) => reject(String(e)));
          client.add(buf, { announce: [trackerUrl], urlList: [fileUrl] }, (torrent: Dom) => {
            window.wtTorrent = torrent;
            torrent.on('done', () => resolve({ infoHash: torrent.infoHash, length: torrent.length }));
          });
        });
      },
      { torrentUrl, trackerUrl, fileUrl: `${server.url}/items/${item.id}/files/clip.mp4` },
    );
    assert.deepEqual(
      seeded,
      { infoHash: item.infoHash, length: video.length },
      'WebTorrent has the whole item',
    );

    const context = await playerContext(browser, trackerUrl, { deadWebSeed: true });
    const page = await context.newPage();
    page.on('console', (m) => process.stderr.write(`[player] ${m.text()}\n`));
    await page.goto(`${server.url}/items/${item.id}`);
    await playToEnd(page);
    const stats = await statsOf(page);
    assert.equal(stats.fromWebSeed, 0, 'nothing from the web seed');
    assert.ok(
      stats.fromPeers >= video.length,
      `every byte from the peer (${stats.fromPeers} of ${video.length})`,
    );
    const uploaded = await seeder.evaluate(() => window.wtTorrent.uploaded);
    assert.ok(uploaded >= video.length, `WebTorrent uploaded ${uploaded}`);
  });

  test('a second viewer of our player gets most bytes from the first', {
    timeout: TIMEOUT * 2,
  }, async (t) => {
    // The site's WebRTC peer off: the first viewer plays from the web seed, the second can only get
    // its bytes from the first or from the web seed.
    const { server, browser, video, item } = await setUp(t, { siteWebRtc: false });
    // The site's own WebSocket tracker at /announce, its description and CSP as they are.
    const first = await (await playerContext(browser, undefined)).newPage();
    first.on('console', (m) => process.stderr.write(`[first] ${m.text()}\n`));
    await first.goto(`${server.url}/items/${item.id}`);
    await playToEnd(first);
    const one = await statsOf(first);
    assert.ok(one.fromWebSeed + one.fromPeers >= video.length, 'the first viewer holds the whole file');
    const second = await (await playerContext(browser, undefined)).newPage();
    second.on('console', (m) => process.stderr.write(`[second] ${m.text()}\n`));
    await second.goto(`${server.url}/items/${item.id}`);
    const start = await playToEnd(second);
    const two = await statsOf(second);
    process.stderr.write(
      `first ${JSON.stringify(one)}, second ${JSON.stringify(two)}, file ${video.length}, ` +
        `second started playing ${Math.round(start.sincePlay)} ms after play(), ` +
        `${Math.round(start.sinceNavigation)} ms after navigation\n`,
    );
    // Seeking back plays again from the pieces in the page (the service worker answers the range).
    await second.evaluate(() => {
      const v = document.querySelector('video');
      v.currentTime = 1;
      return v.play();
    });
    await second.waitForFunction(() => document.querySelector('video').ended === true, null, {
      timeout: TIMEOUT,
    });
    assert.ok(two.fromPeers > two.fromWebSeed, `most from peers: ${JSON.stringify(two)}`);
    assert.ok(two.fromPeers >= video.length / 2);
    const label = await second.textContent('#p2p-stats');
    assert.match(label ?? '', /P2P: \d+ peers? · \d+% from peers/);
    assert.ok((await statsOf(first)).toPeers >= two.fromPeers, 'the first counted what it sent');
  });

  test("our player plays a video with every byte from the site's own WebRTC peer", {
    timeout: TIMEOUT * 2,
  }, async (t) => {
    const { server, browser, video, item } = await setUp(t, { siteWebRtc: true });
    const page = await (await playerContext(browser, undefined, { deadWebSeed: true })).newPage();
    await page.goto(`${server.url}/items/${item.id}`);
    await playToEnd(page);
    const stats = await statsOf(page);
    assert.equal(stats.fromWebSeed, 0, 'nothing from the web seed');
    assert.ok(stats.fromPeers >= video.length, `every byte from the site's peer: ${JSON.stringify(stats)}`);
    const traffic = server.site.seeding.trafficOf(item.id);
    assert.ok(
      traffic.webrtc >= video.length,
      `the site counted its WebRTC upload: ${JSON.stringify(traffic)}`,
    );
  });

  test('switching P2P off while playing closes every peer connection and goes on over HTTP', {
    timeout: TIMEOUT,
  }, async (t) => {
    const { server, browser, item } = await setUp(t, { siteWebRtc: true });
    const context = await playerContext(browser, undefined);
    await context.addInitScript(() => {
      window.pcs = [];
      const Original = window.RTCPeerConnection;
      // A class, so the page's `new RTCPeerConnection()` still constructs (an arrow could not).
      window.RTCPeerConnection = class extends Original {
        constructor(...args: unknown[]) {
          super(...args);
          window.pcs.push(this);
        }
      };
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/items/${item.id}`);
    await page.waitForFunction(() => window.seedcastPlayer?.swarm?.stats.peers > 0, null, {
      timeout: 30_000,
    });
    await page.evaluate(() => {
      const v = document.querySelector('video');
      v.muted = true;
      return v.play();
    });
    await page.evaluate(() =>
      document.dispatchEvent(new CustomEvent('seedcast:p2p', { detail: { on: false } })),
    );
    await page.waitForFunction(() => document.querySelector('video').ended === true, null, {
      timeout: TIMEOUT,
    });
    assert.match(
      await page.evaluate(() => document.querySelector('video').currentSrc),
      /\/items\/\d+\/files\/clip\.mp4$/,
    );
    const states = await page.evaluate(() => window.pcs.map((pc: Dom) => pc.signalingState));
    assert.ok(states.length > 0);
    assert.deepEqual(new Set(states), new Set(['closed']), 'every RTCPeerConnection closed');
  });

  test('with P2P off the video plays over HTTP and no RTCPeerConnection is made', {
    timeout: TIMEOUT,
  }, async (t) => {
    const { server, browser, item, trackerUrl } = await setUp(t, { siteWebRtc: true });
    const context = await playerContext(browser, trackerUrl);
    await context.addInitScript(() => {
      localStorage.setItem('seedcast.p2p', 'off');
      window.rtcMade = 0;
      const Original = window.RTCPeerConnection;
      // A class, so a `new RTCPeerConnection()` would construct and be counted (an arrow could not).
      window.RTCPeerConnection = class extends Original {
        constructor(...args: unknown[]) {
          super(...args);
          window.rtcMade++;
        }
      };
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/items/${item.id}`);
    await page.evaluate(() => {
      const v = document.querySelector('video');
      v.muted = true;
      return v.play();
    });
    await page.waitForFunction(() => document.querySelector('video').ended === true, null, {
      timeout: TIMEOUT,
    });
    assert.equal(await page.evaluate(() => window.rtcMade), 0);
    assert.match(
      await page.evaluate(() => document.querySelector('video').currentSrc),
      /\/items\/\d+\/files\/clip\.mp4$/,
    );
    assert.equal(await page.evaluate(() => document.querySelector('#player').dataset.p2pActive), undefined);
  });
}
