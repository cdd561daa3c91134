/**
 * Sharing back within a budget, in Chromium against a real `seedcast app` (from source, fresh
 * `$SEEDCAST_HOME`) that seeds one complete episode (its file, `.torrent` and state laid out as a
 * sync leaves them):
 * - the Settings form saves (state.json) and applies without a restart: a real peer (our own Engine
 *   on loopback) downloading the episode from the app is held to the upload rate set in the form;
 * - the Sharing page lists the episode with the bytes that peer took;
 * - "seed only while the app is open" pauses seeding once no page polls (window shortened with
 *   SEEDCAST_APP_OPEN_WINDOW_MS) and the page says why; opening the Sharing page seeds again.
 * Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_SETTINGS,
  type DownloadRecord,
  libraryDir,
  saveState,
  torrentsDir,
} from '../src/aggregator/index.js';
import { emptyState } from '../src/aggregator/state.js';
import { placedPath } from '../src/aggregator/swarm.js';
import { Engine } from '../src/engine/index.js';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { startAppProc } from './helpers/app-proc.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import { until } from './helpers/until.js';

const TIMEOUT = 60_000;

test('settings apply at once, the Sharing page shows what a peer took, app-open pauses seeding', async (t) => {
  if (!requireTools(t, 'chromium')) return;
  const home = tempDir(t, 'seedcast-app-sharing-');
  const work = tempDir(t, 'seedcast-app-sharing-work-');
  // The episode, as a sync leaves it: in the library, its .torrent kept, seeding not done.
  const data = randomBytes(600_000);
  writeFileSync(join(work, 'episode.mp3'), data);
  const torrent = (await createTorrent(join(work, 'episode.mp3'), { pieceLength: 32768 })).torrent;
  const meta = parseTorrent(torrent);
  const base = join(libraryDir(home), 'Sharing Show', 'Episode One');
  const path = placedPath(meta, dirname(base), basename(base));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  mkdirSync(torrentsDir(home), { recursive: true });
  writeFileSync(join(torrentsDir(home), `${meta.infoHash}.torrent`), torrent);
  const record: DownloadRecord = {
    id: '0123456789abcdef',
    feed: 'http://127.0.0.1:9/feed.xml',
    guid: 'one',
    title: 'Episode One',
    status: 'complete',
    path,
    base,
    via: 'swarm',
    infoHash: meta.infoHash,
    attempts: 1,
    queuedAt: new Date().toISOString(),
    completedAt: new Date().toISOString(),
    seeding: { uploaded: 0, downloaded: data.length, seededMs: 0, done: false },
  };
  const state = emptyState();
  state.settings = { ...DEFAULT_SETTINGS, seedRatio: 50, seedHours: 100 };
  state.downloads.push(record);
  await saveState(home, state);

  const btPort = await freePort();
  const app = await startAppProc(t, {
    home,
    flags: ['--bt-port', String(btPort)],
    env: { SEEDCAST_APP_OPEN_WINDOW_MS: '3000' },
  });
  const sharing = () => app.api('/api/sharing');
  await until(
    'the episode to seed',
    async () => ((await sharing()).episodes[0]?.state === 'seeding' ? true : undefined),
    { timeoutMs: TIMEOUT },
  );

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(app.link);

  // Settings: upload rate 200 KiB/s, budget 100 MB, ratio 20, 10 days.
  await page.goto(`${app.base}/settings`);
  await page.fill('#settings-uploadRate', '200');
  await page.fill('#settings-diskBudget', '100');
  await page.fill('#settings-seedRatio', '20');
  await page.fill('#settings-seedDays', '10');
  await page.fill('#settings-concurrency', '2');
  await page.fill('#settings-swarmTimeout', '0');
  await page.click('#settings button[type="submit"]');
  await page.waitForSelector('#settings-swarmTimeout-error', { timeout: 10_000 }).catch(async (err) => {
    throw new Error(`${err.message}\n${page.url()}\n${(await page.content()).slice(0, 3000)}`);
  });
  assert.match((await page.textContent('#settings-swarmTimeout-error')) ?? '', /Must be between 1 and 3600/);
  await page.fill('#settings-swarmTimeout', '45');
  await page.click('#settings button[type="submit"]');
  await page.waitForSelector('#settings-saved', { timeout: TIMEOUT });
  const saved = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).settings;
  assert.deepEqual(
    [
      saved.uploadRateLimit,
      saved.diskBudgetBytes,
      saved.seedRatio,
      saved.seedHours,
      saved.concurrency,
      saved.swarmTimeout,
    ],
    [200 * 1024, 100_000_000, 20, 240, 2, 45],
  );
  assert.equal((await app.api('/api/settings')).settings.uploadRateLimit, 200 * 1024);

  // Applied: a real peer gets the episode from the app no faster than the limit.
  const peer = new Engine();
  t.after(() => peer.close());
  await peer.listen(0);
  const started = performance.now();
  const got = await peer.add(
    { meta },
    { path: join(work, 'out'), peers: [{ host: '127.0.0.1', port: btPort }] },
  );
  await until('the peer to complete', async () => (got.complete ? true : undefined), { timeoutMs: TIMEOUT });
  const seconds = (performance.now() - started) / 1000;
  assert.ok(readFileSync(join(work, 'out', 'episode.mp3')).equals(data), 'the peer got the episode intact');
  // 600 kB at 200 KiB/s is about 2.9 s (less a quarter second of burst); unlimited on loopback is a blink.
  assert.ok(seconds > 2, `the upload limit held the peer back (${seconds.toFixed(2)} s)`);
  await peer.close();

  // The Sharing page lists the episode with what the peer took.
  const uploaded = await until(
    'the upload to be counted',
    async () => {
      const e = (await sharing()).episodes[0];
      return e && e.uploaded >= data.length ? e.uploaded : undefined;
    },
    { timeoutMs: TIMEOUT },
  );
  await page.goto(`${app.base}/sharing`);
  const row = page.locator('table#shared tr[data-episode-id="0123456789abcdef"]');
  assert.equal(await row.getAttribute('data-state'), 'seeding');
  assert.ok(Number(await row.locator('.shared-uploaded').getAttribute('data-value')) >= data.length);
  assert.match((await page.textContent('#sharing-total')) ?? '', /You gave back/);
  assert.ok(uploaded >= data.length);

  // Seed only while the app is open.
  await page.goto(`${app.base}/settings`);
  await page.check('input[name="seedWhen"][value="app-open"]');
  await page.click('#settings button[type="submit"]');
  await page.waitForSelector('#settings-saved', { timeout: TIMEOUT });
  await page.goto(`${app.base}/sharing`);
  // The page polls /api/status: seeding goes on while it is open.
  await new Promise((r) => setTimeout(r, 4000)); // longer than the window: a poll must keep it open
  assert.equal((await sharing()).episodes[0].state, 'seeding', 'an open page keeps seeding on');
  await page.goto('about:blank');
  const paused = await until(
    'seeding to pause',
    async () => {
      const s = await sharing();
      return s.paused && s.episodes[0].state === 'paused' ? s : undefined;
    },
    { timeoutMs: TIMEOUT },
  );
  assert.match(paused.paused, /no app page open/);
  assert.match(JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).settings.seedWhen, /app-open/);
  await page.goto(`${app.base}/sharing`);
  await until(
    'seeding to resume',
    async () => ((await sharing()).episodes[0].state === 'seeding' ? true : undefined),
    { timeoutMs: TIMEOUT },
  );
  const done = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).downloads[0].seeding.done;
  assert.equal(done, false, 'a pause does not mark the episode done');
});
