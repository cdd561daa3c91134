/**
 * A derivative plays through the swarm of the item's derivatives torrent (issue 18), in real
 * Chromium (playwright-core) with real WebRTC: the file re-runs itself in a network namespace
 * (`unshare -n`, as `player-browser.test.ts` does: `lo` and a veth carrying the default route) where
 * a real `startServer` (its job workers and ffmpeg make the derivatives; its WebSocket tracker and
 * WebRTC seeding peer) and the pages run.
 * - an AVI (MPEG-4 Part 2 + MP3) uploaded and processed: `GET /api/v1/items/:id/p2p?torrent=derivatives`
 *   describes the derivatives torrent (its files at `/items/:id/derivatives/<file>`, its web seed),
 *   and `/p2p-stream/:id/derivatives/<file>` reaching the site is redirected to the file;
 *   the page plays the H.264 derivative from `/p2p-stream/:id/derivatives/<file>` with the web seed
 *   made useless (the description's file URLs lead nowhere), so every byte came from the site's
 *   WebRTC peer, which counted them for the item (`Seeding.trafficOf`, and the item's `traffic`);
 * - a WAV with its MP3: the quality menu switches between the derivative and the original, and the
 *   player switches swarms with it (the derivatives torrent, then the original's, then back).
 * Needs root, unshare, ip, chromium and ffmpeg: skipped loudly without them (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type RunningServer, startServer } from '../src/server.js';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/browser.js';
import { makeClip } from './helpers/plays-clips.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const window: Dom;
declare const document: Dom;

const INSIDE = process.env.SEEDCAST_PLAYER_NETNS === '1';
const NAMESPACE =
  'ip link set lo up; ip link add sc0 type veth peer name sc1; ip addr add 10.78.0.1/24 dev sc0; ' +
  'ip link set sc1 up; ip link set sc0 up; ip route add default via 10.78.0.2 dev sc0';
const TIMEOUT = 240_000;

if (!INSIDE) {
  test('derivatives stream from their swarm in Chromium (inside a network namespace)', {
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

interface Site {
  server: RunningServer;
  browser: Browser;
  publish(path: string): Promise<number>;
}

async function setUp(t: TestContext): Promise<Site> {
  const dir = tempDir(t, 'seedcast-plays-swarm-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: true, maxConnections: 200, stun: [] },
  });
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
  t.after(async () => {
    await browser.close();
    await server.close();
  });
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
  const publish = async (path: string) => {
    const form = new FormData();
    form.append('title', basename(path));
    form.append('file', new Blob([readFileSync(path)]), basename(path));
    const res = await fetch(`${server.url}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: number };
    return id;
  };
  return { server, browser, publish };
}

/** Waits until the item's processing is done and its derivatives torrent is described. */
async function processed(site: Site, id: number): Promise<Record<string, Dom>> {
  const until = Date.now() + TIMEOUT;
  for (;;) {
    const item = (await (await fetch(`${site.server.url}/api/v1/items/${id}`)).json()) as Dom;
    if (item.processing?.state === 'failed') throw new Error(`processing failed: ${item.processing.error}`);
    if (item.processing?.state === 'done') {
      // asking for the torrent makes sure the site seeds it
      await (await fetch(`${site.server.url}/items/${id}/derivatives.torrent`)).arrayBuffer();
      const res = await fetch(`${site.server.url}/api/v1/items/${id}/p2p?torrent=derivatives`);
      if (res.ok) return (await res.json()) as Record<string, Dom>;
    }
    if (Date.now() > until) throw new Error(`item ${id} not processed: ${JSON.stringify(item.processing)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const playerState = (page: Page) =>
  page.evaluate(() => ({
    active: document.getElementById('player').dataset.p2pActive ?? null,
    torrent: window.seedcastPlayer?.torrent ?? null,
    src: document.querySelector('#player video, #player audio').currentSrc,
    source: document.getElementById('player').dataset.source,
  }));

if (INSIDE) {
  test('an AVI’s H.264 derivative plays from the derivatives torrent’s swarm, every byte over WebRTC', {
    timeout: TIMEOUT * 2,
  }, async (t) => {
    const site = await setUp(t);
    const id = await site.publish(makeClip(t, 'avi'));
    const description = await processed(site, id);
    assert.match(description.infoHash, /^[0-9a-f]{40}$/);
    assert.ok(description.files.length >= 1);
    for (const f of description.files)
      assert.match(f.url, new RegExp(`/items/${id}/derivatives/${f.path}$`), 'a derivative’s own URL');
    assert.match(description.webSeed, new RegExp(`/items/${id}/$`));
    const original = (await (await fetch(`${site.server.url}/api/v1/items/${id}/p2p`)).json()) as Dom;
    assert.notEqual(original.infoHash, description.infoHash, 'not the original’s torrent');
    const bad = await fetch(`${site.server.url}/api/v1/items/${id}/p2p?torrent=other`);
    assert.equal(bad.status, 400, 'an unknown torrent is refused');
    // Without the service worker, the stream's URL leads to the derivative over HTTP.
    const first = description.files[0];
    const fallback = await fetch(`${site.server.url}/p2p-stream/${id}/derivatives/${first.path}`, {
      redirect: 'manual',
    });
    assert.equal(fallback.status, 302);
    assert.equal(fallback.headers.get('location'), `/items/${id}/derivatives/${first.path}`);

    // The web seed leads nowhere: the derivative's bytes can only come from the swarm.
    const context = await site.browser.newContext();
    await context.route(
      (url) => url.pathname.endsWith('/p2p') && url.searchParams.get('torrent') === 'derivatives',
      async (route) => {
        const response = await route.fetch();
        const d = (await response.json()) as { files: { url: string }[] };
        for (const f of d.files) f.url = `${site.server.url}/nothing/${basename(f.url)}`;
        await route.fulfill({ response, json: d });
      },
    );
    const page = await context.newPage();
    page.on('pageerror', (err) => process.stderr.write(`[page] ${err.message}\n`));
    await page.goto(`${site.server.url}/items/${id}`);
    await page.waitForFunction(() => document.getElementById('player').dataset.p2pActive === '1', null, {
      timeout: 60_000,
    });
    const state = await playerState(page);
    assert.equal(state.torrent, 'derivatives');
    assert.match(state.src, new RegExp(`/p2p-stream/${id}/derivatives/[^/]+\\.mp4$`), state.src);
    await page.evaluate(() => {
      const v = document.querySelector('#player video');
      v.muted = true;
      return v.play();
    });
    await page.waitForFunction(() => document.querySelector('#player video').ended === true, null, {
      timeout: TIMEOUT,
    });
    const played = await page.evaluate(() => {
      const v = document.querySelector('#player video');
      const s = window.seedcastPlayer.swarm.stats;
      return {
        width: v.videoWidth,
        frames: v.getVideoPlaybackQuality().totalVideoFrames,
        fromPeers: s.fromPeers,
        fromWebSeed: s.fromWebSeed,
      };
    });
    assert.ok(played.width > 0 && played.frames > 0, `the picture showed: ${JSON.stringify(played)}`);
    assert.equal(played.fromWebSeed, 0, 'nothing from the web seed');
    const file = description.files.find((f: Dom) => state.src.endsWith(`/${f.path}`));
    assert.ok(file, 'the stream is a file of the derivatives torrent');
    assert.ok(played.fromPeers >= file.length, `the whole derivative from peers: ${JSON.stringify(played)}`);
    const traffic = site.server.site.seeding.trafficOf(id);
    assert.ok(
      traffic.webrtc >= file.length,
      `the site counted its WebRTC upload: ${JSON.stringify(traffic)}`,
    );
    await context.close();
    const item = (await (await fetch(`${site.server.url}/api/v1/items/${id}`)).json()) as Dom;
    assert.ok(
      Number(item.traffic?.webrtc) >= file.length,
      `the item's traffic: ${JSON.stringify(item.traffic)}`,
    );
  });

  test('switching between a WAV’s MP3 and its original switches swarms', {
    timeout: TIMEOUT * 2,
  }, async (t) => {
    const site = await setUp(t);
    const id = await site.publish(makeClip(t, 'wav'));
    await processed(site, id);
    const page = await (await site.browser.newContext()).newPage();
    page.on('pageerror', (err) => process.stderr.write(`[page] ${err.message}\n`));
    await page.goto(`${site.server.url}/items/${id}`);
    const on = (torrent: string) =>
      page.waitForFunction(
        (want: string) =>
          document.getElementById('player').dataset.p2pActive === '1' &&
          document.getElementById('player').dataset.p2pTorrent === want,
        torrent,
        { timeout: 60_000 },
      );
    await on('derivatives');
    let now = await playerState(page);
    assert.match(now.src, new RegExp(`/p2p-stream/${id}/derivatives/[^/]+$`), now.src);
    await page.evaluate(() => {
      const a = document.querySelector('#player audio');
      a.muted = true;
      return a.play();
    });
    await page.waitForFunction(() => document.querySelector('#player audio').currentTime > 0.3, null, {
      timeout: 60_000,
    });
    await page.selectOption('#quality-select', { label: 'original' });
    await on('original');
    now = await playerState(page);
    assert.match(now.src, new RegExp(`/p2p-stream/${id}/0$`), now.src);
    await page.selectOption('#quality-select', { index: 0 });
    await on('derivatives');
    now = await playerState(page);
    assert.match(now.src, new RegExp(`/p2p-stream/${id}/derivatives/[^/]+$`), now.src);
    await page.evaluate(() => {
      const a = document.querySelector('#player audio');
      a.currentTime = 0;
      return a.play();
    });
    await page.waitForFunction(() => document.querySelector('#player audio').ended === true, null, {
      timeout: TIMEOUT,
    });
    const stats = await page.evaluate(() => window.seedcastPlayer.swarm.stats.fromPeers);
    assert.ok(stats > 0, 'the derivative came from peers');
  });
}
