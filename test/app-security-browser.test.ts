/**
 * The app's guard in Chromium (playwright-core) against a real `seedcast app`:
 * - opening the printed link logs the browser in (an HttpOnly, SameSite=Strict cookie; the key gone
 *   from the address bar), and so does the redirect file the app opens the browser with;
 * - a page on another origin (another port of 127.0.0.1: same site, so the cookie is sent; and
 *   `localhost`: another site) that POSTs to `/api/shows` with `fetch(..., {credentials:'include'})`
 *   or an auto-submitted form changes nothing (refused: no CSRF token, foreign `Origin`), while the
 *   app's own page, with its token, adds a show;
 * - a request with a foreign `Host` (DNS rebinding) is refused.
 * Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { loadState } from '../src/aggregator/index.js';
import { appLinkPage } from '../src/cli/app.js';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { startAppProc } from './helpers/app-proc.js';
import { CHROMIUM, launchChromium } from './helpers/browser.js';
import { requireTools, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const document: Dom;

const TIMEOUT = 60_000;

async function browserFor(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

/** A tiny site on another port that tries to drive the app. */
async function evilSite(t: TestContext, appBase: string, feed: string): Promise<number> {
  const target = `${appBase}/api/shows`;
  const body = JSON.stringify({ url: feed });
  const pages: Record<string, string> = {
    '/fetch': `<!doctype html><title>fetch</title><script>
      fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', mode: 'no-cors',
        headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(body)} })
        .then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });
    </script>`,
    '/form': `<!doctype html><title>form</title>
      <form id="f" method="post" action="${target}"><input name="url" value="${feed}"></form>
      <script>document.getElementById('f').submit();</script>`,
  };
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** Loads `url` and waits for its POST to the app's /api/shows; returns that answer's status. */
async function attack(page: Page, url: string, target: string): Promise<number> {
  const answered = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST', {
    timeout: TIMEOUT,
  });
  await page.goto(url);
  return (await answered).status();
}

test('the app in Chromium: the link logs in; other origins and foreign Hosts cannot drive it', async (t) => {
  if (!requireTools(t, CHROMIUM)) return;
  const host = await startPodcastHost(t);
  host.set('/feed.xml', { body: rssFeed('A Real Show', []) });
  const feed = `${host.url}/feed.xml`;
  const app = await startAppProc(t);
  const browser = await browserFor(t);

  // The printed link: logged in, the key out of the address bar.
  const context = await browser.newContext();
  const page = await context.newPage();
  const first = await page.goto(app.link, { timeout: TIMEOUT });
  assert.notEqual(first?.status(), 403);
  assert.equal(page.url(), `${app.base}/`);
  await page.locator('nav[aria-label="Main"]').waitFor({ timeout: TIMEOUT });
  const [cookie] = await context.cookies(app.base);
  assert.equal(cookie?.name, 'seedcast_app');
  assert.equal(cookie?.value, app.token);
  assert.equal(cookie?.httpOnly, true);
  assert.equal(cookie?.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the cookie is not readable by scripts');

  // The redirect file `seedcast app` opens the browser with (another origin: file://).
  const dir = tempDir(t, 'seedcast-app-link-');
  const file = join(dir, 'app-link.html');
  writeFileSync(file, appLinkPage(app.link));
  const fromFile = await browser.newContext();
  const filePage = await fromFile.newPage();
  const landed = filePage.waitForResponse((r) => r.url() === `${app.base}/`, { timeout: TIMEOUT });
  await filePage.goto(pathToFileURL(file).href);
  assert.notEqual((await landed).status(), 403, 'the cookie set from the redirect file is sent');
  assert.equal((await fromFile.cookies(app.base))[0]?.value, app.token);

  // Another origin on the same machine: the same site (127.0.0.1, another port) sends the cookie,
  // another site (localhost) does not; neither has the CSRF token, and both send a foreign Origin.
  const target = `${app.base}/api/shows`;
  const evilPort = await evilSite(t, app.base, feed);
  const evil = await context.newPage();
  for (const origin of [`http://127.0.0.1:${evilPort}`, `http://localhost:${evilPort}`]) {
    const viaFetch = await attack(evil, `${origin}/fetch`, target);
    assert.ok(viaFetch >= 400, `fetch from ${origin}: ${viaFetch}`);
    const viaForm = await attack(evil, `${origin}/form`, target);
    assert.equal(viaForm, 403, `form from ${origin}`);
  }
  assert.deepEqual((await app.api('/api/shows')).shows, []);
  assert.deepEqual((await loadState(app.home)).feeds, []);

  // The control: the app's own page, with its token, can add a show (so the refusals above were the
  // guard's doing, not a missing route).
  const own = await page.evaluate(
    async ([url]: string[]) => {
      const csrf = document.querySelector('meta[name="csrf-token"]').content;
      const res = await fetch('/api/shows', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ url }),
      });
      return res.status;
    },
    [feed],
  );
  assert.equal(own, 201, 'POST /api/shows from the app itself (needs the shows routes)');
  assert.deepEqual(
    (await loadState(app.home)).feeds.map((f) => f.url),
    [feed],
  );

  // DNS rebinding: the right cookie, a foreign Host.
  const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${app.base}/api/status`,
      { headers: { host: `evil.example:${new URL(app.base).port}`, cookie: app.cookie } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.equal(rebound.status, 403);
  assert.equal(JSON.parse(rebound.body).error.code, 'APP_FORBIDDEN');
});

test('an app exposed with --listen: a browser is sent to the log-in page and logs in with the password', async (t) => {
  if (!requireTools(t, CHROMIUM)) return;
  const app = await startAppProc(t, {
    flags: ['--listen', '0.0.0.0'],
    env: { SEEDCAST_APP_PASSWORD: 'correct horse battery' },
  });
  const browser = await browserFor(t);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.base}/settings?tab=1`, { timeout: TIMEOUT });
  assert.equal(page.url(), `${app.base}/login?next=${encodeURIComponent('/settings?tab=1')}`);
  await page.getByLabel('Password').fill('not the password');
  await page.locator('form#login button[type="submit"]').click();
  await page.locator('#login-error').waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await context.cookies(app.base), []);
  await page.getByLabel('Password').fill('correct horse battery');
  await Promise.all([
    page.waitForURL(`${app.base}/settings?tab=1`, { timeout: TIMEOUT }),
    page.locator('form#login button[type="submit"]').click(),
  ]);
  assert.equal((await context.cookies(app.base))[0]?.value, app.token);
  // Log out (the navigation's button), and the API refuses again.
  await page.goto(`${app.base}/api/status`);
  await page.goto(`${app.base}/login`);
  assert.equal(page.url(), `${app.base}/`, 'logged in: /login moves on');
  await Promise.all([
    page.waitForURL(/\/login$/, { timeout: TIMEOUT }),
    page.locator('form#logout button').click(),
  ]);
  assert.deepEqual(await context.cookies(app.base), []);
});
