/**
 * Every upload plays in the browser, or says why not: Chromium (playwright-core) uploads through the
 * upload page to a real site that makes derivatives with its job queue and ffmpeg
 * (`helpers/plays-site.ts`: `startServer` with its in-process job workers), then on each item page:
 * - an AVI (MPEG-4 Part 2 + MP3) and an HEVC MKV: the page says "Processing…" (`role="status"`)
 *   meanwhile, reloads when done, and its video advances frames (`totalVideoFrames` grows) with
 *   `videoWidth > 0`, playing an H.264 derivative;
 * - a WAV plays its MP3/AAC derivative (`currentTime` advances);
 * - a WebVTT caption uploaded through the captions API shows as the default track;
 * - a `.bin` shows the message and the original's download link.
 * Skips loudly without chromium or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.js';
import { makeClip } from './helpers/plays-clips.js';
import { startPlaysSite } from './helpers/plays-site.js';
import { requireTools, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const document: Dom;

const PROCESSING_TIMEOUT = 240_000;
const PASSWORD = 'correct horse battery';

async function upload(page: Page, path: string, title: string): Promise<number> {
  await page.goto('/upload');
  await page.setInputFiles('#f-file', path);
  await page.fill('#f-title', title);
  await page.selectOption('#f-license', { index: 0 });
  await Promise.all([page.waitForURL(/\/items\/\d+$/, { timeout: 60_000 }), page.click('#upload-submit')]);
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/** The notice while processing, then the reloaded page without it. */
async function processingThenDone(page: Page, expectNotice: boolean): Promise<void> {
  const notice = page.locator('#processing[role="status"]');
  if (expectNotice || (await notice.count()) > 0) {
    assert.match(await notice.innerText(), /Processing: making a version that plays in your browser… \d+%/);
  }
  await page.waitForFunction(() => !document.getElementById('processing'), null, {
    timeout: PROCESSING_TIMEOUT,
    polling: 500,
  });
  await page.waitForLoadState('load');
}

async function play(page: Page): Promise<void> {
  await page.evaluate(() => {
    const media = document.querySelector('#player video, #player audio');
    media.muted = true;
    return media.play();
  });
}

async function videoAdvances(page: Page): Promise<{ source: string; frames: number[]; width: number }> {
  await play(page);
  await page.waitForFunction(() => document.querySelector('#player video').currentTime > 0.3, null, {
    timeout: 30_000,
  });
  const first = await page.evaluate(
    () => document.querySelector('#player video').getVideoPlaybackQuality().totalVideoFrames,
  );
  await page.waitForFunction(
    (n: number) => document.querySelector('#player video').getVideoPlaybackQuality().totalVideoFrames > n + 5,
    first,
    { timeout: 30_000 },
  );
  return page.evaluate((n: number) => {
    const v = document.querySelector('#player video');
    return {
      source: document.getElementById('player').dataset.source,
      frames: [n, v.getVideoPlaybackQuality().totalVideoFrames],
      width: v.videoWidth,
    };
  }, first);
}

test('uploads of every kind play in Chromium after processing, or say why not', {
  timeout: 900_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg', 'ffprobe')) return;
  const server = await startPlaysSite(t);
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: server.url });
  await context.addInitScript(() => (globalThis as Dom).localStorage.setItem('seedcast.p2p', 'off'));
  const page = await context.newPage();
  await page.goto('/register');
  await page.fill('#f-username', 'ada');
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-confirm', PASSWORD);
  await Promise.all([page.waitForURL(/\/account$/), page.click('#register-form button[type="submit"]')]);

  let wavId = 0;

  await t.test('an AVI (MPEG-4 Part 2 + MP3) plays its H.264 derivative', async () => {
    await upload(page, makeClip(t, 'avi'), 'An AVI');
    await processingThenDone(page, true);
    const played = await videoAdvances(page);
    assert.notEqual(played.source, 'original', JSON.stringify(played));
    assert.ok(played.width > 0, JSON.stringify(played));
    assert.equal(await page.locator('#player-message').isVisible(), false);
  });

  await t.test('an HEVC MKV plays its H.264 derivative', async () => {
    await upload(page, makeClip(t, 'hevc-mkv'), 'An HEVC MKV');
    await processingThenDone(page, true);
    const played = await videoAdvances(page);
    assert.notEqual(played.source, 'original', JSON.stringify(played));
    assert.ok(played.width > 0, JSON.stringify(played));
  });

  await t.test('a WAV plays its MP3/AAC derivative', async () => {
    wavId = await upload(page, makeClip(t, 'wav'), 'A WAV');
    await processingThenDone(page, false);
    const types = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#player audio source')).map((s: Dom) => s.type),
    );
    const source = await page.evaluate(() => document.getElementById('player').dataset.source);
    assert.notEqual(source, 'original', `sources: ${types.join(' | ')}`);
    await play(page);
    await page.waitForFunction(() => document.querySelector('#player audio').currentTime > 0.5, null, {
      timeout: 30_000,
    });
    const src = await page.evaluate(() => document.querySelector('#player audio').currentSrc);
    assert.match(src, /\/items\/\d+\/derivatives\//);
  });

  await t.test('a caption track uploaded through the API shows', async () => {
    assert.ok(server.site.captions, 'the site keeps captions');
    const { token } = (await (
      await fetch(`${server.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password: PASSWORD }),
      })
    ).json()) as { token: string };
    const form = new FormData();
    form.append('language', 'en');
    form.append('label', 'English');
    form.append('file', new Blob(['WEBVTT\n\n00:00.000 --> 00:05.000\nA steady tone\n']), 'en.vtt');
    const res = await fetch(`${server.url}/api/v1/items/${wavId}/captions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.ok(res.status < 300, await res.text());
    await page.goto(`/items/${wavId}`);
    await page.waitForFunction(
      () => {
        const track = document.querySelector('#player audio').textTracks[0];
        return track?.mode === 'showing' && track.cues?.length === 1;
      },
      null,
      { timeout: 30_000 },
    );
  });

  await t.test('a .bin shows the message and the download link', async () => {
    const bin = join(tempDir(t, 'seedcast-bin-'), 'firmware.bin');
    writeFileSync(bin, Buffer.alloc(4096, 7));
    const id = await upload(page, bin, 'A binary');
    const message = page.locator('#player-message');
    assert.match(await message.innerText(), /No preview for this kind of file \(BIN file\)/);
    assert.match(
      (await page.locator('#player-download').getAttribute('href')) ?? '',
      new RegExp(`/items/${id}/files/firmware.bin$`),
    );
  });
});
