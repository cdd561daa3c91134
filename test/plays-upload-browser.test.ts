/**
 * The upload page takes several files at once in Chromium (playwright-core, real `startServer`):
 * two files from the multi-select and a folder's files from the second input (`webkitdirectory`)
 * make one item with every file (the server keeps each file's own name, not its folder path), with
 * a progress bar per file.
 * Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJobsConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const document: Dom;

test('the upload page publishes several files and a folder as one item, a progress bar per file', {
  timeout: 180_000,
}, async (t) => {
  if (!requireTools(t, 'chromium')) return;
  const dir = tempDir(t, 'seedcast-plays-upload-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: false, maxConnections: 10, stun: [] },
    jobs: readJobsConfig({ jobs: '0' }, {}), // no media jobs: the page is what is tested here
  });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto('/register');
  await page.fill('#f-username', 'ada');
  await page.fill('#f-password', 'correct horse battery');
  await page.fill('#f-confirm', 'correct horse battery');
  await Promise.all([page.waitForURL(/\/account$/), page.click('#register-form button[type="submit"]')]);

  const files = join(dir, 'picked');
  mkdirSync(files);
  writeFileSync(join(files, 'notes.txt'), 'field notes\n'.repeat(2000));
  writeFileSync(join(files, 'take.bin'), Buffer.alloc(300_000, 3));
  const folder = join(dir, 'session-2026');
  mkdirSync(join(folder, 'day1'), { recursive: true });
  writeFileSync(join(folder, 'readme.txt'), 'a folder of takes\n');
  writeFileSync(join(folder, 'day1', 'take.bin'), Buffer.alloc(200_000, 5));

  await page.goto('/upload');
  assert.equal(await page.locator('#f-file[multiple]').count(), 1);
  assert.equal(await page.locator('#f-folder[webkitdirectory]').count(), 1);
  await page.setInputFiles('#f-file', [join(files, 'notes.txt'), join(files, 'take.bin')]);
  await page.setInputFiles('#f-folder', folder);
  assert.match(await page.locator('#chosen-file').innerText(), /^4 files \(/);

  assert.equal(await page.inputValue('#f-title'), 'notes', 'the title proposed from the first file chosen');
  await page.fill('#f-title', 'A session');
  await page.selectOption('#f-license', { index: 0 });
  // the bars are made before the post leaves: count them while the post is held
  let bars = -1;
  await page.route('**/upload', async (route) => {
    if (route.request().method() === 'POST')
      bars = await page.evaluate(() => document.querySelectorAll('#upload-files progress').length);
    await route.continue();
  });
  await Promise.all([page.waitForURL(/\/items\/\d+$/, { timeout: 60_000 }), page.click('#upload-submit')]);
  assert.equal(bars, 4, 'one progress bar per file');
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  const item = (await (await fetch(`${server.url}/api/v1/items/${id}`)).json()) as {
    title: string;
    files: Array<{ path: string; length: number }>;
  };
  assert.equal(item.title, 'A session');
  const names = item.files.map((f) => f.path.split('/').pop()).sort();
  assert.deepEqual(names, ['notes.txt', 'readme.txt', 'take (2).bin', 'take.bin']);
  assert.equal(
    item.files.reduce((n, f) => n + f.length, 0),
    24_000 + 300_000 + 18 + 200_000,
  );
});
