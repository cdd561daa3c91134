/**
 * `npm run screenshots`: PNG screenshots of the site for the README (docs/screenshots/, 1280x800).
 * Starts a real site (`startServer`) on a temporary data folder, publishes demo media made by
 * ffmpeg (videos, audio, an image, with descriptions, licences and tags) through the API, then
 * photographs the home, item, search and upload pages in Debian's chromium (playwright-core). The
 * upload page is caught mid-upload, with its progress bar. Needs ffmpeg and chromium.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Route } from 'playwright-core';
import { startServer } from '../src/server.js';
import { launchChromium } from '../test/helpers/browser.js';
import { freePort } from '../test/helpers/tools.js';

const OUT = resolve('docs/screenshots');
const work = mkdtempSync(join(tmpdir(), 'seedcast-screenshots-'));

interface Demo {
  file: string;
  ffmpeg: string[];
  title: string;
  description: string;
  creator: string;
  date: string;
  license: string;
  tags: string;
}

const DEMOS: Demo[] = [
  {
    file: 'rain-on-a-tin-roof.m4a',
    ffmpeg: ['-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.3', '-t', '20', '-c:a', 'aac'],
    title: 'Rain on a tin roof',
    description:
      'Twenty seconds of steady rain on the shed roof, recorded at dusk. Good for **sleep**, focus, or as a bed under a podcast.\n\nRecorded with a handheld recorder, no processing.',
    creator: 'Marta Field Recordings',
    date: '2025-10-12',
    license: 'https://creativecommons.org/licenses/by-sa/4.0/',
    tags: 'field recording, rain, ambient',
  },
  {
    file: 'colour-bars.mp4',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'smptehdbars=size=1280x720:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=1000',
      '-t',
      '8',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      '-movflags',
      '+faststart',
    ],
    title: 'SMPTE colour bars with 1 kHz tone',
    description:
      'Reference bars and tone for checking a display or a broadcast chain. See [SMPTE RP 219](https://en.wikipedia.org/wiki/SMPTE_color_bars).',
    creator: 'Community Video Lab',
    date: '2025-06',
    license: 'https://creativecommons.org/publicdomain/zero/1.0/',
    tags: 'test, broadcast, calibration',
  },
  {
    file: 'game-of-life.mp4',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'life=size=640x360:mold=10:rate=25:ratio=0.1:death_color=#203040:life_color=#7fd891',
      '-t',
      '8',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ],
    title: "Conway's Game of Life, 200 generations",
    description: 'A random soup settling into still lifes, blinkers and gliders.',
    creator: 'Ada Lovelace Society',
    date: '2024',
    license: 'https://creativecommons.org/licenses/by-nc/4.0/',
    tags: 'mathematics, animation, cellular automata',
  },
  {
    file: 'tuning-fork-a440.m4a',
    ffmpeg: ['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '10', '-c:a', 'aac'],
    title: 'Tuning fork, A440',
    description: 'Concert pitch A for tuning instruments: 440 Hz for ten seconds.',
    creator: 'Open Music School',
    date: '2023-03-01',
    license: 'https://creativecommons.org/publicdomain/mark/1.0/',
    tags: 'music, tuning, reference',
  },
  {
    file: 'sunset-gradient.png',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'gradients=size=1280x720:c0=#ff7e5f:c1=#2b5876:n=2:seed=7',
      '-frames:v',
      '1',
    ],
    title: 'Sunset gradient wallpaper',
    description: 'A soft orange-to-blue gradient, 1280x720. Free to use as a desktop background.',
    creator: 'Pixel Commons',
    date: '2025-01-20',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    tags: 'wallpaper, image',
  },
  {
    file: 'mandelbrot-zoom.mp4',
    ffmpeg: [
      '-f',
      'lavfi',
      '-i',
      'mandelbrot=size=1280x720:rate=25',
      '-t',
      '10',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
    ],
    title: 'A dive into the Mandelbrot set',
    description:
      'Ten seconds zooming into the *seahorse valley* of the Mandelbrot set, rendered frame by frame.\n\n- 1280x720, 25 fps\n- H.264\n\nShare it, remix it: just credit the studio.',
    creator: 'Demo Studio',
    date: '2025-11-02',
    license: 'https://creativecommons.org/licenses/by/4.0/',
    tags: 'fractal, mathematics, animation',
  },
];

function make(demo: Demo): string {
  const out = join(work, demo.file);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...demo.ffmpeg, out]);
  return out;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer(
    { host: '127.0.0.1', port: await freePort(), data: join(work, 'data') },
    { logger: false },
  );
  const base = server.url;
  try {
    const account = { username: 'demo', password: 'correct horse battery staple' };
    await fetch(`${base}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    const { token } = (await (
      await fetch(`${base}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(account),
      })
    ).json()) as { token: string };
    const ids: number[] = [];
    for (const demo of DEMOS) {
      const path = make(demo);
      let res: Response | undefined;
      for (let attempt = 1; !res; attempt++) {
        const form = new FormData();
        for (const key of ['title', 'description', 'creator', 'date', 'license', 'tags'] as const)
          form.append(key, demo[key]);
        form.append('file', await openAsBlob(path), demo.file);
        try {
          res = await fetch(`${base}/api/v1/items`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            body: form,
          });
        } catch (err) {
          if (attempt >= 3) throw err;
          console.warn(`publishing ${demo.file} failed (${String(err)}), again`);
        }
      }
      if (res.status !== 201) throw new Error(`publishing ${demo.file}: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: number }).id);
    }
    const video = ids[ids.length - 1]!;

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(120_000);
      const page = await context.newPage();
      const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });

      await page.goto('/');
      await shot('home');

      await page.goto(`/items/${video}`);
      await page.evaluate(async () => {
        // biome-ignore lint/suspicious/noExplicitAny: runs in the browser
        const v = (globalThis as any).document.querySelector('#player video');
        if (!v) return;
        v.muted = true;
        await new Promise((r) => {
          v.addEventListener('seeked', r, { once: true });
          v.currentTime = 4;
        });
      });
      await shot('item');

      const search = await page.goto('/search?q=mathematics');
      if (search?.status() === 200) await shot('search');
      else console.warn(`no search page yet (${search?.status()}): search.png not taken`);

      // The upload page, caught mid-upload: hold the third chunk.
      await page.goto('/login');
      await page.fill('#f-username', account.username);
      await page.fill('#f-password', account.password);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/'),
        page.click('#login-form button[type="submit"]'),
      ]);
      await page.evaluate(() =>
        // biome-ignore lint/suspicious/noExplicitAny: runs in the browser
        (globalThis as any).localStorage.setItem('seedcast-upload-chunk', String(256 * 1024)),
      );
      let patches = 0;
      let held: Route | undefined;
      const third = new Promise<void>((resolveThird) => {
        void page.route('**/api/v1/uploads/**', async (route) => {
          if (route.request().method() === 'PATCH' && ++patches >= 3) {
            held = route;
            resolveThird();
            return;
          }
          await route.continue();
        });
      });
      await page.goto('/upload');
      await page.setInputFiles('#f-file', join(work, 'mandelbrot-zoom.mp4'));
      await page.fill('#f-title', 'Harbour at first light');
      await page.fill('#f-description', 'Fishing boats leaving the harbour at dawn, filmed from the pier.');
      await page.fill('#f-creator', 'Demo Studio');
      await page.fill('#f-date', '2026-11-24');
      await page.fill('#f-language', 'en');
      await page.fill('#f-tags', 'harbour, boats, morning');
      await page.click('#upload-submit');
      await third;
      await page.waitForTimeout(300);
      await page.evaluate(() =>
        // biome-ignore lint/suspicious/noExplicitAny: runs in the browser
        (globalThis as any).document.querySelector('main h1').scrollIntoView({ block: 'start' }),
      );
      await shot('upload');
      await held?.abort().catch(() => {});
    } finally {
      await browser.close();
    }
    console.log(`screenshots of home, item, search and upload written to ${OUT}`);
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
