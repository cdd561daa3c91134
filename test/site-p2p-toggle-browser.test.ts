/**
 * Viewers choose, in a real browser (Debian's chromium through playwright-core) against a real
 * `startServer`: the item page's `#p2p-toggle` starts from the server's `data-p2p`, writes
 * `localStorage['seedcast.p2p']` and dispatches `seedcast:p2p` ({ on }) when switched, is remembered
 * after a reload, and is disabled with `?p2p=0` (which the stored choice does not override). The
 * page's plain `<video>` fetches its file with `Sec-Fetch-Dest: video`, counted as `httpPlayer`.
 * Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: the page's globals, inside page.evaluate
type Dom = any;
declare const document: Dom;
declare const window: Dom;
declare const localStorage: Dom;

async function publish(base: string): Promise<number> {
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/api/v1/users', { username: 'publisher', password: 'correct horse' });
  const { token } = (await (
    await post('/api/v1/tokens', { username: 'publisher', password: 'correct horse' })
  ).json()) as {
    token: string;
  };
  const form = new FormData();
  form.append('title', 'A clip');
  form.append('file', new Blob([Buffer.alloc(300_000, 1)], { type: 'video/mp4' }), 'clip.mp4');
  const res = await fetch(`${base}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: number }).id;
}

test('the P2P toggle writes localStorage, tells the player, is remembered, and ?p2p=0 disables it', {
  timeout: 180_000,
}, async (t) => {
  if (!requireTools(t, 'chromium')) return;
  const dir = tempDir(t, 'seedcast-p2p-toggle-');
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  t.after(() => server.close());
  const id = await publish(server.url);
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: server.url });
  await context.addInitScript(() => {
    window.__p2pEvents = [];
    document.addEventListener('seedcast:p2p', (e: Dom) => window.__p2pEvents.push(e.detail));
  });
  const page = await context.newPage();
  await page.goto(`/items/${id}`);
  assert.equal(await page.getAttribute('#player', 'data-p2p'), 'on');
  assert.equal(await page.isChecked('#p2p-toggle'), true);
  assert.match((await page.textContent('#p2p-notice')) ?? '', /shares your IP address with other viewers/);

  await page.click('#p2p-toggle');
  assert.equal(await page.evaluate(() => localStorage.getItem('seedcast.p2p')), 'off');
  assert.deepEqual(await page.evaluate(() => window.__p2pEvents), [{ on: false }]);

  await page.reload();
  assert.equal(await page.isChecked('#p2p-toggle'), false, 'remembered in this browser');
  await page.click('#p2p-toggle');
  assert.equal(await page.evaluate(() => localStorage.getItem('seedcast.p2p')), 'on');
  assert.deepEqual(await page.evaluate(() => window.__p2pEvents), [{ on: true }]);

  await page.goto(`/items/${id}?p2p=0`);
  assert.equal(await page.getAttribute('#player', 'data-p2p-forced'), '1');
  assert.equal(await page.isDisabled('#p2p-toggle'), true);
  assert.equal(await page.isChecked('#p2p-toggle'), false, 'the stored "on" does not override ?p2p=0');

  // The page's <video> asked for its file with Sec-Fetch-Dest: video: plain HTTP to a player.
  let traffic = { httpPlayer: 0 };
  for (let i = 0; i < 50 && traffic.httpPlayer === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    traffic = (
      (await (await fetch(`${server.url}/api/v1/items/${id}`)).json()) as { traffic: typeof traffic }
    ).traffic;
  }
  assert.ok(traffic.httpPlayer > 0, JSON.stringify(traffic));
});
