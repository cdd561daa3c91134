/**
 * The site in a real browser (Debian's chromium through playwright-core), against a real
 * `startServer` on a temporary data folder:
 * - the visitor's path: register, log out, log in, upload a video made by ffmpeg through the upload
 *   page (tus, with the progress bar seen moving and reaching 100; a refused licence shows its error
 *   at the field, and the same upload is published once fixed), find it on the home page, play it
 *   on its page (the `<video>` reaches currentTime > 0), find it with the search page and a facet,
 *   comment and reply (nested), favourite (then listed on the user's page), report it and resolve
 *   the report on the admin page, log out;
 * - an upload interrupted by a reload continues from the server's offset (no new upload is created,
 *   the first PATCH after the reload starts where the server stopped) and the published file is
 *   byte-exact;
 * - publisher and commenter text (title, description, creator, tags, a comment) holding `<script>`, `javascript:` links and `onerror`/`onload`
 *   attributes fires no dialog and leaves no injected element on any page, the admin page included
 *   (where the admin takes the item down).
 * Skips loudly without chromium or ffmpeg (fails under CI=true). Fixtures: `site-browser-fixtures.ts`.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Request, Route } from 'playwright-core';
import { requireTools } from './helpers/tools.js';
import {
  logIn,
  logOut,
  makeVideo,
  open,
  register,
  serve,
  servedBytes,
  slowPatches,
} from './site-browser-fixtures.js';

// The functions given to page.evaluate() run in the browser: its globals, loosely typed here (the
// project compiles without the DOM library).
// biome-ignore lint/suspicious/noExplicitAny: browser globals
type Dom = any;
declare const document: Dom;
declare const window: Dom;
declare const localStorage: Dom;
declare const MutationObserver: Dom;

const CHUNK = 32 * 1024;

test('a visitor registers, uploads a video with a progress bar, plays it, searches, comments, favourites', {
  timeout: 15 * 60_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const video = makeVideo(t);
  const server = await serve(t);
  const { page, dialogs, progress } = await open(t, server.url, { chunk: CHUNK });

  await register(page, 'ada');
  await logOut(page);
  await logIn(page, 'ada');

  // Upload through the page: tus in chunks, the progress bar moves and reaches 100.
  await slowPatches(page);
  await page.click('a[href="/upload"]');
  await page.waitForURL(/\/upload$/);
  await page.setInputFiles('#f-file', video);
  assert.match((await page.textContent('#chosen-file')) ?? '', /testcard\.mp4/);
  assert.equal(await page.inputValue('#f-title'), 'testcard', 'the title is taken from the file name');
  await page.fill('#f-title', 'Testcard with a tone');
  await page.fill('#f-description', 'Colour bars and a **sine** tone, made by ffmpeg.');
  await page.fill('#f-creator', 'The Test Suite');
  await page.fill('#f-date', '2026-11-24');
  await page.fill('#f-language', 'en');
  await page.selectOption('#f-license', 'CC-BY-SA-4.0');
  await page.fill('#f-tags', 'testcard, tone');
  // A licence the site refuses: the upload finishes, publishing is refused, the error shows at the
  // field and the typed values stay; fixed, the same upload is published.
  await page.selectOption('#f-license', 'other');
  await page.fill('#f-license_other', 'not-a-licence');
  await page.click('#upload-submit');
  await page.waitForSelector('#f-license_other-error');
  assert.match(
    (await page.textContent('#f-license_other-error')) ?? '',
    /a Creative Commons URL .* or an SPDX id/,
  );
  assert.equal(await page.getAttribute('#f-license_other', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#f-title'), 'Testcard with a tone');
  await page.selectOption('#f-license', 'CC-BY-SA-4.0');
  await Promise.all([page.waitForURL(/\/items\/\d+$/), page.click('#upload-submit')]);
  const id = Number(/\/items\/(\d+)$/.exec(page.url())![1]);
  const values = progress.map((p) => p.value);
  assert.ok(
    progress.some((p) => p.visible),
    `the progress bar was on screen: ${JSON.stringify(progress)}`,
  );
  assert.ok(
    values.some((v) => v > 0 && v < 100),
    `the progress bar moved: ${values}`,
  );
  assert.equal(values.at(-1), 100, `the progress bar reached 100: ${values}`);
  assert.deepEqual(
    await servedBytes(server.url, id),
    readFileSync(video),
    'the site serves the uploaded bytes',
  );

  // The item page: title, licence, and the video plays.
  assert.equal(await page.textContent('#item-title'), 'Testcard with a tone');
  assert.match((await page.textContent('#license')) ?? '', /BY-SA/);
  const played = await page.evaluate(async () => {
    const v = document.querySelector('#player video') as Dom;
    v.muted = true;
    await v.play();
    const t0 = Date.now();
    while (!(v.currentTime > 0)) {
      if (Date.now() - t0 > 60_000) throw new Error(`stuck at ${v.currentTime}, error ${v.error?.code}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { currentTime: v.currentTime, duration: v.duration, width: v.videoWidth };
  });
  assert.ok(played.currentTime > 0, JSON.stringify(played));
  assert.equal(played.width, 320);

  // The home page lists it.
  await page.goto('/');
  assert.match((await page.textContent('#newest')) ?? '', /Testcard with a tone/);

  // The search page finds it, and a facet narrows to it.
  await page.fill('#nav-q', 'testcard');
  await Promise.all([page.waitForURL(/\/search\?/), page.press('#nav-q', 'Enter')]);
  assert.match((await page.textContent('#results')) ?? '', /Testcard with a tone/);
  await Promise.all([page.waitForURL(/type=video/), page.click('#facets a[href*="type=video"]')]);
  assert.match((await page.textContent('#results')) ?? '', /Testcard with a tone/);

  // Comment and reply, favourite.
  await page.goto(`/items/${id}`);
  await page.fill('#comment-body', 'Lovely bars.');
  await Promise.all([page.waitForURL(/#comment-\d+$/), page.click('#comment-form button[type="submit"]')]);
  assert.match((await page.textContent('#comments')) ?? '', /Lovely bars\./);
  await page.click('#comments .comment summary');
  await page.fill('#comments .comment form textarea', 'And the tone.');
  await page.click('#comments .comment form button[type="submit"]');
  await page.waitForSelector('#comments .comment .comment');
  assert.equal(await page.locator('#comments .comment .comment').count(), 1, 'the reply is nested');
  assert.equal(await page.textContent('#favourite-count'), '0');
  await Promise.all([page.waitForURL(/#favourite-form$/), page.click('#favourite-button')]);
  assert.equal(await page.textContent('#favourite-count'), '1');
  assert.match((await page.textContent('#favourite-button')) ?? '', /Unfavourite/);
  await page.goto('/users/ada');
  assert.match((await page.textContent('#user-favourites')) ?? '', /Testcard with a tone/);

  // Report it; ada is the first account, so the admin: the report is on /admin and gets resolved.
  await page.goto(`/items/${id}`);
  await page.click('#report summary');
  await page.selectOption('#report-reason', 'spam');
  await page.fill('#report-details', 'Just testing the report form.');
  await Promise.all([page.waitForURL(/reported=1/), page.click('#report-form button[type="submit"]')]);
  assert.match((await page.textContent('#report-sent')) ?? '', /sent to the site's moderators/);
  await page.goto('/admin');
  assert.match((await page.textContent('#reports')) ?? '', /Spam or misleading: Just testing/);
  await Promise.all([page.waitForURL(/done=resolved/), page.click('#reports button[id^="resolve-"]')]);
  assert.match((await page.textContent('main')) ?? '', /No open reports/);

  await logOut(page);
  assert.deepEqual(dialogs, []);
});

test('an upload interrupted by a reload continues from the server offset', {
  timeout: 15 * 60_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const video = makeVideo(t);
  const server = await serve(t);
  const { page } = await open(t, server.url, { chunk: CHUNK });
  await register(page, 'grace');
  await page.goto('/upload');

  // Let the first PATCH through and hold every later one: then reload the page in the middle.
  let patches = 0;
  const held: Route[] = [];
  let sawSecond: () => void = () => {};
  const second = new Promise<void>((resolve) => {
    sawSecond = resolve;
  });
  await page.route('**/api/v1/uploads/**', async (route) => {
    if (route.request().method() === 'PATCH' && ++patches >= 2) {
      held.push(route);
      sawSecond();
      return;
    }
    await route.continue();
  });
  await page.setInputFiles('#f-file', video);
  await page.fill('#f-title', 'Interrupted testcard');
  await page.click('#upload-submit');
  await second;
  const before = await page.evaluate(() => (document.getElementById('upload-progress') as Dom).value);
  assert.ok(before > 0 && before < 100, `progress before the reload: ${before}`);
  await page.reload();
  for (const route of held) await route.abort().catch(() => {});
  await page.unrouteAll({ behavior: 'ignoreErrors' });

  const requests: Request[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/uploads')) requests.push(r);
  });
  assert.match((await page.textContent('#chosen-file')) ?? '', /did not finish/);
  await page.setInputFiles('#f-file', video);
  await page.fill('#f-title', 'Interrupted testcard');
  await Promise.all([page.waitForURL(/\/items\/\d+$/), page.click('#upload-submit')]);
  const methods = requests.map((r) => r.method());
  assert.ok(!methods.includes('POST'), `no new upload after the reload: ${methods}`);
  assert.equal(methods[0], 'HEAD', 'the page asks the server for its offset first');
  const firstPatch = requests.find((r) => r.method() === 'PATCH');
  assert.ok(firstPatch, `a PATCH after the reload: ${methods}`);
  assert.equal(firstPatch.headers()['upload-offset'], String(CHUNK), 'resumed at the server offset');
  const id = Number(/\/items\/(\d+)$/.exec(page.url())![1]);
  assert.deepEqual(await servedBytes(server.url, id), readFileSync(video));
  assert.equal(
    await page.evaluate(
      () => Object.keys(localStorage).filter((k: string) => k.startsWith('seedcast-upload:')).length,
    ),
    0,
    'the finished upload is forgotten',
  );
});

test('script in titles, descriptions and comments stays text in a real browser', {
  timeout: 15 * 60_000,
}, async (t) => {
  if (!requireTools(t, 'chromium')) return;
  const server = await serve(t);
  const { page, dialogs } = await open(t, server.url);
  await register(page, 'mallory');
  const payload = '<script>alert("s")</script><img src=x onerror=alert("img")><svg onload=alert("svg")>';
  const csrf = await page.getAttribute('meta[name="csrf-token"]', 'content');
  // Publish through the API with the page's session cookie (what upload.js does).
  const created = await page.evaluate(
    async ({ payload, csrf }) => {
      const data = new FormData();
      data.append('title', `${payload} title`);
      data.append(
        'description',
        `${payload} [click me](javascript:alert("md")) <a href="javascript:alert(1)">raw</a>`,
      );
      data.append('creator', `"><iframe src="javascript:alert('c')"></iframe>`);
      data.append('tags', `<b onmouseover=alert(1)>tag</b>`);
      data.append('file', new Blob(['plain text']), 'x.txt');
      const res = await fetch('/api/v1/items', {
        method: 'POST',
        body: data,
        headers: { 'X-CSRF-Token': csrf! },
      });
      return { status: res.status, body: (await res.json()) as { id: number } };
    },
    { payload, csrf },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;

  await page.goto(`/items/${id}`);
  await page.fill('#comment-body', `${payload} [x](javascript:alert("comment"))`);
  await Promise.all([page.waitForURL(/#comment-\d+$/), page.click('#comment-form button[type="submit"]')]);
  assert.match((await page.textContent('#comments')) ?? '', /<script>alert\("s"\)<\/script>/);

  const assertInert = async (path: string) => {
    await page.waitForTimeout(300); // give an injected handler time to fire
    const found = await page.evaluate(() => {
      const inline = [...document.querySelectorAll('script')].filter((s: Dom) => !s.src).length;
      const handlers = [...document.querySelectorAll('*')].flatMap((el: Dom) =>
        [...el.attributes]
          .filter((a: Dom) => a.name.startsWith('on'))
          .map((a: Dom) => `${el.tagName} ${a.name}`),
      );
      const jsLinks = [...document.querySelectorAll('[href],[src]')]
        .map((el: Dom) => el.getAttribute('href') ?? el.getAttribute('src') ?? '')
        .filter((u: string) => /^\s*javascript:/i.test(u));
      const injected = document.querySelectorAll('svg[onload], img[src="x"], iframe, b[onmouseover]').length;
      return { inline, handlers, jsLinks, injected };
    });
    assert.deepEqual(found, { inline: 0, handlers: [], jsLinks: [], injected: 0 }, path);
  };
  for (const path of ['/', `/items/${id}`, `/items/${id}/embed`, '/search?q=title', '/users/mallory']) {
    await page.goto(path);
    await assertInert(path);
  }
  // The first account is the admin: take the item down from the admin page, which lists its title.
  await page.goto('/admin');
  await page.fill('#takedown-item', String(id));
  await Promise.all([
    page.waitForURL(/\/admin\?done=down$/),
    page.click('#takedown-form button[type="submit"]'),
  ]);
  assert.match((await page.textContent('#taken-down')) ?? '', /<script>alert\("s"\)<\/script>/);
  await assertInert('/admin');
  assert.equal((await page.goto(`/items/${id}`))?.status(), 404, 'taken down');
  assert.deepEqual(dialogs, [], 'no dialog fired');
});
