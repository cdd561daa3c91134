/**
 * The item page honours `#t=` in a real browser (Debian's chromium through playwright-core) against a
 * real `startServer`: opened at `/items/:id#t=2.5` (where a search hit inside captions links), the
 * video starts at 2.5 s; a chapter link (`#t=1`) in the captions panel seeks there.
 * Skips loudly without chromium or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, run, tempDir } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: the page's globals, inside page.evaluate
type Dom = any;
declare const document: Dom;

test('an item page opened at #t= plays from there; chapter links seek', { timeout: 180_000 }, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const dir = tempDir(t, 'seedcast-moments-');
  const clip = join(dir, 'clip.mp4');
  run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=4',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    clip,
  ]);
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  t.after(() => server.close());
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
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
  const auth = { authorization: `Bearer ${token}` };
  const form = new FormData();
  form.append('title', 'A clip');
  form.append('file', new Blob([readFileSync(clip)], { type: 'video/mp4' }), 'clip.mp4');
  const res = await fetch(`${server.url}/api/v1/items`, { method: 'POST', headers: auth, body: form });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: number };
  const chapters = await fetch(`${server.url}/api/v1/items/${id}/chapters`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      chapters: [
        { startTime: 0, title: 'Start' },
        { startTime: 1, title: 'One second in' },
      ],
    }),
  });
  assert.equal(chapters.status, 200);

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await (await browser.newContext({ baseURL: server.url })).newPage();
  await page.goto(`/items/${id}?p2p=0#t=2.5`);
  await page.waitForFunction(
    () => Math.abs(document.querySelector('#player video').currentTime - 2.5) < 0.05,
    null,
    {
      timeout: 30_000,
    },
  );
  await page.click('#chapters a[href="#t=1"]');
  await page.waitForFunction(
    () => {
      const video = document.querySelector('#player video');
      return video.currentTime >= 0.95 && video.currentTime < 2;
    },
    null,
    { timeout: 30_000 },
  );
});
