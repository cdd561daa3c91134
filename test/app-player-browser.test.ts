/**
 * The player in a real browser: a podcast host serves a 20 s MP3 (made by ffmpeg) in a feed with
 * `podcast:chapters` and a `podcast:transcript` (SRT); `seedcast subscribe` then a real `seedcast app`
 * downloads it over HTTP; Chromium opens `/episodes/<id>`, plays it (`currentTime` advances), sees the
 * chapters and the transcript, seeks with a chapter button (the chapter is highlighted), pauses (the
 * position is saved), reloads, and the player starts where it stopped.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { recordId } from '../src/aggregator/index.js';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { startAppProc } from './helpers/app-proc.js';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/browser.js';
import { requireTools, run, runCli, tempDir } from './helpers/tools.js';
import { until } from './helpers/until.js';

// biome-ignore lint/suspicious/noExplicitAny: page-side code
type Dom = any;

const TIMEOUT = 60_000;

const SRT = `1
00:00:00,500 --> 00:00:04,000
Welcome to the <i>test</i> show.

2
00:00:12,000 --> 00:00:15,000
Now the second part.
`;

test('an episode plays in the page with chapters and a transcript, and remembers where it stopped', {
  timeout: 240_000,
}, async (t) => {
  if (!requireTools(t, 'ffmpeg', 'chromium')) return;
  const dir = tempDir(t, 'seedcast-app-player-clip-');
  const clip = join(dir, 'episode.mp3');
  run('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'],
    ...['-t', '20', '-c:a', 'libmp3lame', '-b:a', '64k', clip],
  ]);
  const mp3 = readFileSync(clip);
  const host = await startPodcastHost(t);
  host.set('/ep1.mp3', { body: mp3, type: 'audio/mpeg' });
  host.set('/ep1.chapters.json', {
    body: JSON.stringify({
      version: '1.2.0',
      chapters: [
        { startTime: 0, title: 'Opening' },
        { startTime: 10, title: 'Middle part' },
        { startTime: 15, title: 'Closing' },
      ],
    }),
    type: 'application/json+chapters',
  });
  host.set('/ep1.srt', { body: SRT, type: 'application/x-subrip' });
  const feedUrl = `${host.url}/feed.xml`;
  host.set('/feed.xml', {
    type: 'application/rss+xml',
    body: rssFeed('Player Show', [
      {
        title: 'Episode with extras',
        guid: 'ep1',
        enclosure: { url: `${host.url}/ep1.mp3`, type: 'audio/mpeg', length: mp3.length },
        extra: `<podcast:chapters url="${host.url}/ep1.chapters.json" type="application/json+chapters"/><podcast:transcript url="${host.url}/ep1.srt" type="application/x-subrip" language="en"/>`,
      },
    ]),
  });
  const home = tempDir(t, 'seedcast-app-player-home-');
  const sub = await runCli(['subscribe', feedUrl], { env: { SEEDCAST_HOME: home } });
  assert.equal(sub.code, 0, sub.stderr);
  const app = await startAppProc(t, { home });
  const id = recordId(feedUrl, 'ep1');

  // The app downloads it over HTTP.
  await until(
    'the download',
    async () => {
      const res = await fetch(`${app.base}/episodes/${id}`, { headers: { cookie: app.cookie } });
      const html = await res.text();
      return /id="episode-state"[^>]*data-state="(complete|seeding)"/.test(html) ? true : undefined;
    },
    { timeoutMs: TIMEOUT },
  );

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    timeout: 120_000,
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.link);
  await page.goto(`${app.base}/episodes/${id}`);

  // Chapters and the transcript are there.
  const chapters = await page.locator('#chapters button').allInnerTexts();
  assert.deepEqual(
    chapters.map((c) => c.replace(/\s+/g, ' ').trim()),
    ['0:00 Opening', '0:10 Middle part', '0:15 Closing'],
  );
  const transcript = await page.locator('#transcript').innerText();
  assert.match(transcript, /Welcome to the test show\.[\s\S]*Now the second part\./);
  assert.equal(await page.locator('audio#player track[kind="captions"]').count(), 1);

  // It plays.
  await page.evaluate(() => {
    const media = (globalThis as Dom).document.querySelector('#player');
    media.muted = true;
    return media.play();
  });
  await page.waitForFunction(
    () => (globalThis as Dom).document.querySelector('#player').currentTime > 1,
    undefined,
    {
      timeout: TIMEOUT,
    },
  );

  // A chapter button seeks, and its chapter is highlighted.
  await page.locator('#chapters button', { hasText: 'Middle part' }).click();
  await page.waitForFunction(
    () => {
      const t = (globalThis as Dom).document.querySelector('#player').currentTime;
      return t >= 10 && t < 15;
    },
    undefined,
    { timeout: TIMEOUT },
  );
  await page.waitForFunction(
    () =>
      (globalThis as Dom).document
        .querySelector('#chapters li[aria-current="true"]')
        ?.textContent.includes('Middle part'),
    undefined,
    { timeout: TIMEOUT },
  );
  await page.waitForFunction(
    () => (globalThis as Dom).document.querySelector('#player').currentTime > 11,
    undefined,
    {
      timeout: TIMEOUT,
    },
  );

  // Pausing saves the position (the app's state has it) ...
  const stoppedAt: number = await page.evaluate(() => {
    const media = (globalThis as Dom).document.querySelector('#player');
    media.pause();
    return media.currentTime;
  });
  await until(
    'the saved position',
    () => {
      const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
      const record = state.downloads.find((d: { id: string }) => d.id === id);
      return record?.position !== undefined && Math.abs(record.position - stoppedAt) < 0.5 ? true : undefined;
    },
    { timeoutMs: TIMEOUT },
  );

  // ... and a reload starts there.
  await page.reload();
  await page.waitForFunction(
    (at: number) => {
      const media = (globalThis as Dom).document.querySelector('#player');
      return media.readyState >= 1 && Math.abs(media.currentTime - at) < 0.6;
    },
    stoppedAt,
    { timeout: TIMEOUT },
  );
  assert.deepEqual(errors, []);
});
