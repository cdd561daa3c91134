/**
 * Fixtures for the site's browser scenarios (`site-browser*.test.ts`): a real `startServer` on a
 * temporary data folder, a short test video made by ffmpeg, a Chromium session that records dialogs
 * and the upload progress bar's values, and the account steps (register, log in, log out) through
 * the pages; plus the bytes the site serves for an item.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { type RunningServer, startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, run, tempDir } from './helpers/tools.js';

// The functions given to page.evaluate() run in the browser: its globals, loosely typed here (the
// project compiles without the DOM library).
// biome-ignore lint/suspicious/noExplicitAny: browser globals
type Dom = any;
declare const document: Dom;
declare const window: Dom;
declare const localStorage: Dom;
declare const MutationObserver: Dom;

const TIMEOUT = 120_000;

export async function serve(t: TestContext): Promise<RunningServer> {
  const dir = tempDir(t, 'seedcast-browser-');
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  t.after(() => server.close());
  return server;
}

export function makeVideo(t: TestContext): string {
  const dir = tempDir(t, 'seedcast-video-');
  const out = join(dir, 'testcard.mp4');
  run('ffmpeg', [
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine',
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-movflags',
    '+faststart',
    out,
  ]);
  return out;
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Dialogs (alert, confirm, prompt) the page opened. */
  dialogs: string[];
  /** Values the upload `<progress>` took, with whether it was on screen. */
  progress: { value: number; visible: boolean }[];
}

export async function open(t: TestContext, base: string, options: { chunk?: number } = {}): Promise<Session> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const progress: Session['progress'] = [];
  await context.exposeBinding('__seedcastProgress', (_source, value: number, visible: boolean) => {
    progress.push({ value, visible });
  });
  await context.addInitScript((chunk: number) => {
    if (chunk > 0) localStorage.setItem('seedcast-upload-chunk', String(chunk));
    document.addEventListener('DOMContentLoaded', () => {
      const bar = document.getElementById('upload-progress') as Dom;
      if (!bar) return;
      new MutationObserver(() => {
        const box = bar.getBoundingClientRect();
        const visible = box.width > 0 && box.height > 0 && !bar.closest('[hidden]');
        window.__seedcastProgress(bar.value, visible);
      }).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
  }, options.chunk ?? 0);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { browser, context, page, dialogs, progress };
}

export async function register(page: Page, username: string, password = 'correct horse battery') {
  await page.goto('/register');
  await page.fill('#f-username', username);
  await page.fill('#f-password', password);
  await page.fill('#f-confirm', password);
  await Promise.all([page.waitForURL(/\/account$/), page.click('#register-form button[type="submit"]')]);
}

export async function logIn(page: Page, username: string, password = 'correct horse battery') {
  await page.goto('/login');
  await page.fill('#f-username', username);
  await page.fill('#f-password', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.click('#login-form button[type="submit"]'),
  ]);
}

export async function logOut(page: Page) {
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('#logout')]);
  assert.equal(await page.locator('a[href="/login"]').count(), 1, 'logged out: the nav offers "Log in"');
}

/** Slows every PATCH down a little so the progress bar is seen moving (the file is small). */
export async function slowPatches(page: Page): Promise<void> {
  await page.route('**/api/v1/uploads/**', async (route: Route) => {
    if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, 250));
    await route.continue();
  });
}

/** The bytes of an item's first file, as served by the site. */
export async function servedBytes(base: string, id: number): Promise<Buffer> {
  const item = (await (await fetch(`${base}/api/v1/items/${id}`)).json()) as { files: { url: string }[] };
  const res = await fetch(item.files[0]!.url);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}
