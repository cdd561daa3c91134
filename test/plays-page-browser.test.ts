/**
 * The item page's player in Chromium (playwright-core) against a real `startServer`, with the media
 * views given by fixtures (`site.processing` and `site.captions` replaced by tables; the derivatives
 * are other published items' files), so the page is tested without the processing pipeline
 * (`plays-browser.test.ts` runs it end to end):
 * - an AVI (MPEG-4 Part 2 + MP3) with two H.264 renditions plays the best one (frames advance,
 *   `videoWidth > 0`), the quality menu lists only what plays and switching keeps the position;
 * - while processing, the notice (`role="status"`) shows the progress, nothing playable shows the
 *   message with the original's download link (format named), and when the API says done the page
 *   reloads and plays;
 * - a WAV plays its MP3; a caption track in the page language is showing;
 * - an HEVC MKV without a rendition: Chromium cannot show its picture, and the page says so;
 * - a PDF opens in Chromium's viewer in a frame (its document sandboxed by the response's CSP);
 * - a `.bin` shows the message and the download link.
 * Skips loudly without chromium or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { readJobsConfig } from '../src/config.js';
import type { CaptionView, DerivativeJson, ItemMediaView } from '../src/media/view.js';
import { type RunningServer, startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { makeClip } from './helpers/plays-clips.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const document: Dom;

const TIMEOUT = 60_000;

interface Fixture {
  server: RunningServer;
  browser: Browser;
  views: Map<number, ItemMediaView>;
  captions: Map<number, CaptionView[]>;
  publish(path: string, name?: string): Promise<{ id: number; fileUrl: string }>;
}

async function setUp(t: TestContext): Promise<Fixture> {
  const dir = tempDir(t, 'seedcast-plays-page-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: false, maxConnections: 10, stun: [] },
    jobs: readJobsConfig({ jobs: '0' }, {}), // no media jobs: the page is what is tested here
  });
  t.after(() => server.close());
  const views = new Map<number, ItemMediaView>();
  const captions = new Map<number, CaptionView[]>();
  server.site.processing = {
    view: async (item) => views.get(item.id) ?? { processing: null, derivatives: [] },
  };
  server.site.captions = {
    captions: async (id) => captions.get(id) ?? [],
    chaptersUrl: async () => null,
  };
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/api/v1/users', { username: 'ada', password: 'correct horse' });
  const { token } = (await (
    await post('/api/v1/tokens', { username: 'ada', password: 'correct horse' })
  ).json()) as {
    token: string;
  };
  const publish = async (path: string, name = basename(path)) => {
    const form = new FormData();
    form.append('title', name);
    form.append('file', new Blob([readFileSync(path)]), name);
    const res = await fetch(`${server.url}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.equal(res.status, 201, await res.clone().text());
    const item = (await res.json()) as { id: number; files: Array<{ url: string }> };
    return { id: item.id, fileUrl: new URL(item.files[0]!.url).pathname };
  };
  const browser = await launchChromium();
  t.after(() => browser.close());
  return { server, browser, views, captions, publish };
}

const rendition = (url: string, label: string, height: number): DerivativeJson => ({
  kind: 'video',
  label,
  mime: 'video/mp4',
  height,
  width: Math.round((height * 4) / 3),
  length: 1,
  url,
});

async function openPage(f: Fixture, id: number): Promise<Page> {
  const context = await f.browser.newContext();
  // P2P off: these pages test the sources, not the swarm
  await context.addInitScript(() => (globalThis as Dom).localStorage.setItem('seedcast.p2p', 'off'));
  const page = await context.newPage();
  await page.goto(`${f.server.url}/items/${id}`);
  return page;
}

/** Plays the page's media muted and waits until its time passed `seconds` (frames too, for video). */
async function playsOn(
  page: Page,
  seconds = 0.5,
): Promise<{ frames: number; width: number; source: string }> {
  await page.evaluate(() => {
    const media = document.querySelector('#player video, #player audio');
    media.muted = true;
    return media.play();
  });
  await page.waitForFunction(
    (s: number) => document.querySelector('#player video, #player audio').currentTime > s,
    seconds,
    { timeout: TIMEOUT },
  );
  return page.evaluate(() => {
    const media = document.querySelector('#player video, #player audio');
    const video = media.tagName === 'VIDEO';
    return {
      frames: video ? media.getVideoPlaybackQuality().totalVideoFrames : 0,
      width: video ? media.videoWidth : 0,
      source: document.getElementById('player').dataset.source,
    };
  });
}

test('the item page plays the best rendition the browser can, says processing meanwhile, and why not when nothing plays', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const f = await setUp(t);
  const avi = await f.publish(makeClip(t, 'avi'));
  const big = await f.publish(makeClip(t, 'h264-mp4', { size: '320x240', name: 'r240.mp4' }));
  const small = await f.publish(makeClip(t, 'h264-mp4', { size: '160x120', name: 'r120.mp4' }));

  await t.test(
    'an AVI plays its best H.264 rendition; the menu switches and keeps the position',
    async () => {
      f.views.set(avi.id, {
        processing: { state: 'done' },
        derivatives: [rendition(small.fileUrl, '120p', 120), rendition(big.fileUrl, '240p', 240)],
      });
      const page = await openPage(f, avi.id);
      assert.equal(await page.locator('#processing').count(), 0);
      const played = await playsOn(page);
      assert.equal(played.source, '240p');
      assert.ok(played.frames > 0 && played.width === 320, JSON.stringify(played));
      // the AVI cannot play in Chromium: the menu offers the two renditions only
      const options = await page.locator('#quality-select option').allTextContents();
      assert.deepEqual(options, ['240p', '120p']);
      assert.equal(await page.locator('#player-quality').isVisible(), true);
      const at = await page.evaluate(() => document.querySelector('#player video').currentTime);
      await page.selectOption('#quality-select', { label: '120p' });
      await page.waitForFunction(() => document.querySelector('#player video').videoWidth === 160, null, {
        timeout: TIMEOUT,
      });
      const after = await page.evaluate(() => ({
        time: document.querySelector('#player video').currentTime,
        source: document.getElementById('player').dataset.source,
      }));
      assert.equal(after.source, '120p');
      assert.ok(after.time >= at - 0.1, `the position is kept (${at} -> ${after.time})`);
      assert.equal(await page.locator('#player-message').isVisible(), false);
      await page.context().close();
    },
  );

  await t.test(
    'a derivative without a derivatives torrent plays over HTTP, switching to the original starts the swarm',
    async () => {
      const original = await f.publish(makeClip(t, 'h264-mp4', { size: '320x240', name: 'orig.mp4' }));
      f.views.set(original.id, {
        processing: { state: 'done' },
        derivatives: [rendition(small.fileUrl, '120p', 120)],
      });
      const context = await f.browser.newContext(); // P2P on: the site's default
      const page = await context.newPage();
      await page.goto(`${f.server.url}/items/${original.id}`);
      const played = await playsOn(page);
      assert.equal(played.source, '120p');
      const state = () =>
        page.evaluate(() => ({
          active: document.getElementById('player').dataset.p2pActive ?? null,
          src: document.querySelector('#player video').currentSrc,
        }));
      let now = await state();
      assert.equal(now.active, null, 'no swarm for a derivative');
      assert.ok(now.src.endsWith(small.fileUrl), now.src);
      await page.selectOption('#quality-select', { label: 'original' });
      await page.waitForFunction(() => document.getElementById('player').dataset.p2pActive === '1', null, {
        timeout: TIMEOUT,
      });
      now = await state();
      assert.match(now.src, new RegExp(`/p2p-stream/${original.id}/0$`));
      await page.selectOption('#quality-select', { label: '120p' });
      await page.waitForFunction(() => !document.getElementById('player').dataset.p2pActive, null, {
        timeout: TIMEOUT,
      });
      now = await state();
      assert.ok(now.src.endsWith(small.fileUrl), now.src);
      await context.close();
    },
  );

  await t.test(
    'processing: the notice, the message with the download link, then the reloaded player plays',
    async () => {
      f.views.set(avi.id, { processing: { state: 'running', progress: 0.42 }, derivatives: [] });
      const context = await f.browser.newContext();
      await context.addInitScript(() => (globalThis as Dom).localStorage.setItem('seedcast.p2p', 'off'));
      const page = await context.newPage();
      let answer = { state: 'running', progress: 0.5 };
      await page.route(`**/api/v1/items/${avi.id}`, (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({ id: avi.id, processing: answer }),
        }),
      );
      await page.goto(`${f.server.url}/items/${avi.id}`);
      const notice = page.locator('[role="status"]#processing');
      assert.match(await notice.innerText(), /Processing: making a version that plays in your browser… 42%/);
      // nothing here plays in Chromium yet: the message says so and links the original, format named
      await page.locator('#player-message').waitFor({ state: 'visible', timeout: TIMEOUT });
      const link = page.locator('#player-download');
      assert.match(await link.innerText(), /download the original \(AVI video, clip\.avi, /);
      assert.equal(await link.getAttribute('href'), avi.fileUrl);
      // the script polls the API and writes the progress
      await page.waitForFunction(
        () => /… 50%/.test(document.getElementById('processing').textContent),
        null,
        {
          timeout: TIMEOUT,
        },
      );
      // done: the page reloads with the rendition
      f.views.set(avi.id, {
        processing: { state: 'done' },
        derivatives: [rendition(big.fileUrl, '240p', 240)],
      });
      answer = { state: 'done', progress: 1 };
      await page.waitForFunction(() => !document.getElementById('processing'), null, { timeout: TIMEOUT });
      const played = await playsOn(page);
      assert.ok(played.frames > 0 && played.width > 0, JSON.stringify(played));
      await context.close();
    },
  );

  await t.test('a failed processing shows its error and the download link', async () => {
    f.views.set(avi.id, { processing: { state: 'failed', error: 'ffmpeg: invalid data' }, derivatives: [] });
    const page = await openPage(f, avi.id);
    const notice = page.locator('#processing');
    assert.match(await notice.innerText(), /Processing failed: ffmpeg: invalid data\./);
    assert.equal(await page.locator('#processing-download').getAttribute('href'), avi.fileUrl);
    await page.context().close();
  });
});

test('a WAV plays its MP3 with a caption track; an HEVC MKV and a .bin say why not', {
  timeout: 300_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const f = await setUp(t);
  const wav = await f.publish(makeClip(t, 'wav'));
  const mp3 = await f.publish(makeClip(t, 'mp3'));
  const vttPath = join(tempDir(t, 'seedcast-vtt-'), 'en.vtt');
  writeFileSync(vttPath, 'WEBVTT\n\n00:00.000 --> 00:05.000\nA steady tone\n');
  const vtt = await f.publish(vttPath);

  await t.test('the WAV plays its MP3 and shows the English caption track', async () => {
    f.views.set(wav.id, {
      processing: { state: 'done' },
      derivatives: [
        { kind: 'audio', label: 'mp3', mime: 'audio/mpeg', bitrate: 128000, length: 1, url: mp3.fileUrl },
      ],
    });
    f.captions.set(wav.id, [
      { language: 'fr', label: 'Français', kind: 'subtitles', url: vtt.fileUrl },
      { language: 'en', label: 'English', kind: 'captions', url: vtt.fileUrl },
    ]);
    const page = await openPage(f, wav.id);
    const played = await playsOn(page);
    assert.equal(played.source, 'mp3');
    const tracks = await page.evaluate(() =>
      Array.from(document.querySelector('#player audio').textTracks).map((tt: Dom) => ({
        language: tt.language,
        mode: tt.mode,
        cues: tt.cues?.length ?? 0,
      })),
    );
    assert.deepEqual(tracks, [
      { language: 'fr', mode: 'disabled', cues: 0 },
      { language: 'en', mode: 'showing', cues: 1 },
    ]);
    await page.context().close();
  });

  await t.test('an HEVC MKV with no rendition: the picture cannot show, and the page says so', async () => {
    const mkv = await f.publish(makeClip(t, 'hevc-mkv'));
    const page = await openPage(f, mkv.id);
    const canPlay = await page.evaluate(() =>
      document.createElement('video').canPlayType('video/x-matroska'),
    );
    if (canPlay !== '') {
      // Chromium demuxes Matroska: it plays the sound, and the script sees no picture
      await page.evaluate(() => {
        const v = document.querySelector('#player video');
        v.muted = true;
        return v.play().catch(() => undefined);
      });
    }
    await page.locator('#player-message').waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await page.locator('#player-download').innerText(), /Matroska \(MKV\) video/);
    const why = await page.evaluate(() => document.getElementById('player').dataset.playableWhy);
    t.diagnostic(`canPlayType('video/x-matroska') = "${canPlay}"; the page gave up: ${why}`);
    await page.context().close();
  });

  await t.test('a PDF opens in the browser viewer in a frame, its document sandboxed', async () => {
    const pdfPath = join(tempDir(t, 'seedcast-pdf-'), 'paper.pdf');
    writeFileSync(
      pdfPath,
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
        '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    );
    const pdf = await f.publish(pdfPath);
    const framed = await fetch(`${f.server.url}${pdf.fileUrl}?view=frame`);
    assert.equal(framed.headers.get('content-security-policy'), 'sandbox');
    assert.match(framed.headers.get('content-disposition') ?? '', /^inline;/);
    const plain = await fetch(`${f.server.url}${pdf.fileUrl}`);
    assert.match(
      plain.headers.get('content-disposition') ?? '',
      /^attachment;/,
      'a plain link still downloads',
    );
    const page = await openPage(f, pdf.id);
    await page.locator('iframe.pdf-frame').waitFor({ timeout: TIMEOUT });
    await page.waitForTimeout(2000);
    const frames = page.frames().map((fr) => fr.url());
    assert.ok(
      frames.some((u) => u.endsWith(`${pdf.fileUrl}?view=frame`)),
      frames.join(' '),
    );
    assert.ok(
      !frames.some((u) => u.startsWith('chrome-error:')),
      `no error page in the frame: ${frames.join(' ')}`,
    );
    await page.context().close();
  });

  await t.test('a .bin: no player, the message and the download link', async () => {
    const binPath = join(tempDir(t, 'seedcast-bin-'), 'firmware.bin');
    writeFileSync(binPath, Buffer.alloc(4096, 7));
    const bin = await f.publish(binPath);
    const page = await openPage(f, bin.id);
    const message = page.locator('#player-message');
    assert.match(await message.innerText(), /No preview for this kind of file \(BIN file\)/);
    assert.match(await message.innerText(), /Download box \(on the right/);
    assert.equal(await page.locator('#player-download').getAttribute('href'), bin.fileUrl);
    await page.context().close();
  });
});
