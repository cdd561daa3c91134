/**
 * Channels in a real browser (Debian's chromium through playwright-core) against a real
 * `startServer`: a visitor registers, creates a channel with an avatar (a PNG made by ffmpeg)
 * through `/channels/new`, publishes an item into it (API, with a token), sees the item and the
 * avatar (decoded by the browser) on the channel page, follows the channel and finds the item on
 * `/subscriptions`, edits the title from the edit page, and deletes the channel after confirming
 * (the item stays). Skips loudly without chromium or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, run, tempDir } from './helpers/tools.js';
import { register } from './site-browser-fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals, checked by assertions
type Dom = any;
declare const document: Dom;

const TIMEOUT = 60_000;

test('create a channel with an avatar, publish into it, follow it, edit and delete it', {
  timeout: 5 * 60_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const dir = tempDir(t, 'seedcast-channels-browser-');
  const avatar = join(dir, 'avatar.png');
  run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x96', '-frames:v', '1', avatar]);
  const server = await startServer({ host: '127.0.0.1', port: await freePort(), data: join(dir, 'data') });
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));

  const password = 'correct horse battery';
  await register(page, 'ada', password);

  // A bad name comes back beside its field, with what was typed kept.
  await page.goto('/channels');
  await Promise.all([page.waitForURL(/\/channels\/new$/), page.click('#new-channel')]);
  await page.fill('#f-name', 'Harbour Talks');
  await page.fill('#f-title', 'Harbour talks');
  await page.click('#channel-submit');
  assert.match((await page.textContent('#f-name-error')) ?? '', /lower-case letters/);
  assert.equal(await page.inputValue('#f-title'), 'Harbour talks');

  await page.fill('#f-name', 'harbour-talks');
  await page.fill('#f-description', 'Talks **by the sea**.');
  await page.fill('#f-category', 'Arts > Books');
  await page.selectOption('#f-medium', 'podcast');
  await page.setInputFiles('#f-avatar', avatar);
  await Promise.all([page.waitForURL(/\/channels\/harbour-talks$/), page.click('#channel-submit')]);
  assert.equal(await page.textContent('#channel-title'), 'Harbour talks');
  assert.equal(await page.locator('#channel-description strong').textContent(), 'by the sea');
  assert.equal(await page.locator('#channel-edit').count(), 1, 'the owner sees the edit link');

  // Publish an item into the channel through the API (a token for the same account).
  const token = (
    (await (
      await fetch(`${server.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password }),
      })
    ).json()) as { token: string }
  ).token;
  const form = new FormData();
  form.set('title', 'Episode one at the harbour');
  form.set('channel', 'harbour-talks');
  form.set('file', new Blob([Buffer.alloc(30_000, 5)]), 'episode1.ogg');
  const published = await fetch(`${server.url}/api/v1/items`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(published.status, 201, await published.clone().text());

  await page.reload();
  assert.match((await page.textContent('#items')) ?? '', /Episode one at the harbour/);
  const avatarShown = await page.evaluate(() => {
    const img = document.getElementById('channel-avatar');
    return img ? { complete: img.complete, width: img.naturalWidth, src: img.getAttribute('src') } : null;
  });
  assert.ok(avatarShown, 'the avatar is on the page');
  assert.equal(avatarShown.complete, true);
  assert.equal(avatarShown.width, 96, 'the browser decoded the avatar');
  const served = await fetch(`${server.url}${avatarShown.src}`);
  assert.equal(served.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), readFileSync(avatar));
  const feeds = await page
    .locator('.channel-feeds a')
    .evaluateAll((as: Dom[]) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(feeds, [
    '/channels/harbour-talks/feed.rss',
    '/channels/harbour-talks/feed.atom',
    '/channels/harbour-talks/feed.json',
    '/feeds/channels.opml',
  ]);

  // Follow: the button turns to Unfollow and the item is on the subscriptions page.
  assert.equal(await page.textContent('#channel-follow'), 'Follow');
  await Promise.all([page.waitForLoadState('load'), page.click('#channel-follow')]);
  assert.equal(await page.textContent('#channel-follow'), 'Unfollow');
  assert.equal(await page.textContent('#channel-followers'), '1 follower');
  await page.goto('/subscriptions');
  assert.match((await page.textContent('#subscription-items')) ?? '', /Episode one at the harbour/);
  assert.match((await page.textContent('#followed-channels')) ?? '', /Harbour talks/);

  // Edit the title; then delete after confirming: the item stays, without the channel.
  await page.goto('/channels/harbour-talks/edit');
  await page.fill('#f-title', 'Harbour talks, weekly');
  await Promise.all([page.waitForURL(/\/channels\/harbour-talks\?saved$/), page.click('#channel-submit')]);
  assert.equal(await page.textContent('#channel-title'), 'Harbour talks, weekly');
  await page.goto('/channels/harbour-talks/edit');
  await page.check('#f-confirm');
  await Promise.all([page.waitForURL(/\/channels\?deleted$/), page.click('#channel-delete-submit')]);
  assert.equal((await page.goto('/channels/harbour-talks'))?.status(), 404);
  const item = (await published.json()) as { id: number };
  const after = (await (await fetch(`${server.url}/api/v1/items/${item.id}`)).json()) as { title: string };
  assert.equal(after.title, 'Episode one at the harbour');
  assert.deepEqual(errors, []);
});
