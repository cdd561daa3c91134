/**
 * Following shows in the aggregator app, in Chromium (playwright-core), with every part real: a
 * `seedcast serve` (`startSiteProc`) with a channel and an item published in it, a podcast host
 * (`startPodcastHost`) with three healthy feeds, one that answers 404 and one that serves garbage, and
 * a `seedcast app` (`startAppProc`) opened at the link it printed.
 * - `/add`: the site's CHANNEL page URL pasted: the show appears under the channel's feed (found in
 *   the page's `<link rel="alternate">`), with its title and its episode listed; the ITEM page URL
 *   resolves to the same feed (the item page names its channel's feeds before the site's);
 * - OPML import of three feeds (a file): three shows with their titles; a pasted OPML with two broken
 *   feeds: each shows its error on the Shows page and its own page while the others still list their
 *   episodes;
 * - unsubscribe through the confirmation dialog; the Shows page at 390 px wide has no sideways scroll.
 * Skips loudly without chromium or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { feedId } from '../src/aggregator/index.js';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { startAppProc } from './helpers/app-proc.js';
import { launchChromium } from './helpers/browser.js';
import { startSiteProc } from './helpers/site-proc.js';
import { toneMp3 } from './helpers/tone.js';
import { requireTools } from './helpers/tools.js';
import { until } from './helpers/until.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
declare const document: any;

const TIMEOUT = 90_000;

/** Reloads `path` until `selector` is on it (a show's first poll may still be running). */
async function reloadUntil(page: Page, path: string, selector: string): Promise<void> {
  await until(
    `${selector} on ${path}`,
    async () => {
      await page.goto(path);
      return (await page.locator(selector).count()) > 0;
    },
    { timeoutMs: TIMEOUT },
  );
}

async function addShow(page: Page, url: string): Promise<string> {
  await page.goto('/add');
  await page.fill('form#add-show input[name="url"]', url);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/add'),
    page.click('form#add-show [type="submit"]'),
  ]);
  await page.waitForLoadState('load');
  const errors = await page.locator('.field-error').allTextContents();
  assert.equal(response.status(), 303, `adding ${url}: ${response.status()} ${errors.join(' ')}`);
  await page.waitForURL(/\/shows\/[0-9a-f]{10}\?done=/);
  return new URL(page.url()).pathname.split('/').pop() ?? '';
}

test('follow shows in the app: a Seedcast channel by its page or item URL, OPML import, broken feeds beside working ones', {
  timeout: 600_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  const site = await startSiteProc(t);
  await site.api('/api/v1/channels', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${site.token}` },
    body: JSON.stringify({ name: 'night-walks', title: 'Night walks', description: 'Owls.' }),
  });
  const { item } = await site.publish(
    'A walk by the river',
    { 'river.mp3': toneMp3(t, { seconds: 3, bitrate: '64k', frequency: 440 }) },
    { channel: 'night-walks' },
  );
  const channelPage = `${site.base}/channels/night-walks`;
  await until(
    'the channel feed to list the item',
    async () => {
      const res = await fetch(`${channelPage}/feed.rss`);
      return res.ok && (await res.text()).includes('A walk by the river');
    },
    { timeoutMs: TIMEOUT },
  );

  const host = await startPodcastHost(t);
  const names = ['Morning news', 'Garden hour', 'Night jazz'];
  names.forEach((title, n) => {
    const bytes = Buffer.alloc(2000 + n, n + 1);
    host.set(`/ep${n}.mp3`, { body: bytes, type: 'audio/mpeg' });
    host.set(`/feed${n}.xml`, {
      type: 'application/rss+xml',
      body: rssFeed(title, [
        {
          title: `${title}, episode 1`,
          guid: `${n}-1`,
          enclosure: { url: `${host.url}/ep${n}.mp3`, type: 'audio/mpeg', length: bytes.length },
        },
      ]),
    });
  });
  host.set('/garbage.xml', { type: 'application/octet-stream', body: '\u0000\u0001 certainly not a feed' });
  const opml = (urls: string[]) =>
    `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>${urls
      .map((u) => `<outline type="rss" text="${u}" xmlUrl="${u}"/>`)
      .join('')}</body></opml>`;

  const app = await startAppProc(t);
  const browser: Browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: app.base });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  await page.goto(app.link);

  // 1. The channel's page URL: the show appears under the channel's own feed, titled, its episode listed.
  const channelId = await addShow(page, channelPage);
  const { shows } = await app.api('/api/shows');
  assert.equal(shows.length, 1, JSON.stringify(shows));
  assert.equal(shows[0].url, `${channelPage}/feed.rss`);
  assert.equal(channelId, feedId(shows[0].url));
  await reloadUntil(page, `/shows/${channelId}`, 'ul#episodes > li.episode');
  assert.equal((await page.textContent('h1'))?.trim(), 'Night walks');
  assert.match((await page.textContent('ul#episodes')) ?? '', /A walk by the river/);
  await page.goto('/');
  assert.match(
    (await page.textContent(`ul#shows > li.show[data-show-id="${channelId}"] .show-title`)) ?? '',
    /Night walks/,
  );

  // 2. The item's page URL resolves to the same channel feed (not the site's newest items).
  const itemPage = item.url.startsWith('http') ? item.url : `${site.base}${item.url}`;
  const viaItem = await addShow(page, itemPage);
  assert.equal(viaItem, channelId);
  assert.match(page.url(), /done=exists/);
  assert.equal((await app.api('/api/shows')).shows.length, 1);

  // 3. OPML import of three feeds, from a file.
  await page.goto('/add');
  await page.setInputFiles('form#import-opml input[name="opml"]', {
    name: 'shows.opml',
    mimeType: 'text/x-opml',
    buffer: Buffer.from(opml(names.map((_, n) => `${host.url}/feed${n}.xml`))),
  });
  await Promise.all([
    page.waitForURL(/\/\?done=imported&n=3$/),
    page.click('form#import-opml [type="submit"]'),
  ]);
  assert.match((await page.textContent('#notice')) ?? '', /Imported 3 new shows/);
  const ids = names.map((_, n) => feedId(`${host.url}/feed${n}.xml`));
  await until(
    'the three imported shows titled',
    async () => {
      await page.goto('/');
      const titles = await page.locator('ul#shows > li.show .show-title').allTextContents();
      return names.every((n) => titles.some((x) => x.includes(n))) && titles.length === 4;
    },
    { timeoutMs: TIMEOUT },
  );

  // 4. Two broken feeds (404, garbage), pasted as OPML text: their errors show, the others go on.
  await page.goto('/add');
  await page.fill(
    'form#import-opml textarea[name="opml_text"]',
    opml([`${host.url}/missing.xml`, `${host.url}/garbage.xml`]),
  );
  await Promise.all([
    page.waitForURL(/\/\?done=imported&n=2$/),
    page.click('form#import-opml [type="submit"]'),
  ]);
  const missing = feedId(`${host.url}/missing.xml`);
  const garbage = feedId(`${host.url}/garbage.xml`);
  await until(
    'both errors on the Shows page',
    async () => {
      await page.goto('/');
      return (await page.locator('ul#shows > li.show .show-error').count()) === 2;
    },
    { timeoutMs: TIMEOUT },
  );
  assert.match((await page.textContent(`li.show[data-show-id="${missing}"] .show-error`)) ?? '', /HTTP 404/);
  assert.match((await page.textContent(`li.show[data-show-id="${garbage}"] .show-error`)) ?? '', /\S/);
  for (const id of [channelId, ...ids])
    assert.equal(await page.locator(`li.show[data-show-id="${id}"] .show-error`).count(), 0, id);
  await page.goto(`/shows/${missing}`);
  assert.match((await page.textContent('#show-error')) ?? '', /HTTP 404/);
  for (const [n, id] of ids.entries()) {
    await reloadUntil(page, `/shows/${id}`, 'ul#episodes > li.episode');
    assert.match((await page.textContent('ul#episodes')) ?? '', new RegExp(`${names[n]}, episode 1`));
    assert.equal(await page.locator('#show-error').count(), 0);
  }

  // 5. Settings by the keyboard-operable form, then unsubscribe through the confirmation dialog.
  await page.goto(`/shows/${garbage}`);
  await page.fill('form#show-settings input[name="keepLast"]', '2');
  await page.check('form#show-settings input[name="httpFallback"][value="false"]');
  await Promise.all([page.waitForURL(/done=saved/), page.click('form#show-settings [type="submit"]')]);
  const saved = (await app.api(`/api/shows/${garbage}`)).show;
  assert.deepEqual([saved.options.keepLast, saved.options.httpFallback], [2, false]);
  page.once('dialog', (dialog) => void dialog.accept());
  await Promise.all([
    page.waitForURL(/\/\?done=unsubscribed$/),
    page.click('form#unsubscribe [type="submit"]'),
  ]);
  assert.equal(await page.locator(`li.show[data-show-id="${garbage}"]`).count(), 0);
  assert.equal((await app.api('/api/shows')).shows.length, 5);

  // 6. 390 px wide: no sideways scrolling on the Shows page and a show's page.
  const narrow = await browser.newContext({ baseURL: app.base, viewport: { width: 390, height: 844 } });
  t.after(() => narrow.close());
  const phone = await narrow.newPage();
  await phone.goto(app.link);
  for (const path of ['/', `/shows/${missing}`, '/add']) {
    await phone.goto(path);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width} px wide at 390 px`);
  }
});
