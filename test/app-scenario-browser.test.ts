/**
 * Issue 23's main story end to end, in Chromium (playwright-core), with every part real:
 * - a `seedcast serve` (`startSiteProc`) with a channel (`POST /api/v1/channels`) and an MP3 of
 *   several MiB published into it (made by ffmpeg, a sine tone: it plays in Chromium), reached
 *   through a slow link (`app-scenario-slow-link.ts`: its public URL, with the tracker's peers
 *   relayed) so the transfer lasts seconds and its progress can be seen;
 * - a `seedcast app` (`startAppProc`) on a fresh `$SEEDCAST_HOME`, opened at the link it printed;
 * - on `/add`, the site's CHANNEL PAGE URL pasted into `form#add-show`: the app finds the channel's
 *   feed in the page's `<link rel="alternate">` and the show appears;
 * - the episode arrives through the swarm (the site's seeding peer and its web seed): a
 *   MutationObserver installed before any page script records every `li.episode` state and
 *   `.episode-via` text the page showed, so `downloading` + "swarm" are seen even when they last a
 *   moment; the state file must say `via: 'swarm'` as well;
 * - on the episode page `#player` plays and its `currentTime` advances; the page then says `seeding`;
 * - a plain podcast feed (`startPodcastHost`, `rssFeed`) added by URL: its episode arrives over HTTP.
 * Skips loudly without chromium or ffmpeg (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { feedId } from '../src/aggregator/index.js';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { startSlowLink } from './app-scenario-slow-link.js';
import { startAppProc } from './helpers/app-proc.js';
import { launchChromium } from './helpers/browser.js';
import { startSiteProc } from './helpers/site-proc.js';
import { toneMp3 } from './helpers/tone.js';
import { requireTools } from './helpers/tools.js';
import { until } from './helpers/until.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const document: Dom;
declare const window: Dom;

const TIMEOUT = 180_000;

/**
 * Records, in the page, every `data-state` an `li.episode` took and the `.episode-via` texts it
 * showed (`window.__episodeStates`: id -> ["downloading swarm", ...]), from before any page script.
 * A string, not a function: tsx's transform would add helpers the page does not have.
 */
const RECORD_EPISODE_STATES = `(() => {
  const seen = {};
  window.__episodeStates = seen;
  const note = () => {
    for (const li of document.querySelectorAll('li.episode[data-episode-id]')) {
      const id = li.getAttribute('data-episode-id');
      const via = (li.querySelector('.episode-via')?.textContent ?? '').trim();
      const entry = li.getAttribute('data-state') + ' ' + via;
      const list = seen[id] ?? (seen[id] = []);
      if (list[list.length - 1] !== entry) list.push(entry);
    }
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  document.addEventListener('DOMContentLoaded', note);
})();`;

// biome-ignore lint/suspicious/noExplicitAny: the state file as JSON
function stateFile(home: string): any {
  return JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
}

/** Submits `url` in `form#add-show` (as a person would: no script needed); answers the page it led to. */
async function addShow(page: Page, url: string): Promise<string> {
  const res = await page.goto('/add');
  assert.equal(res?.status(), 200, 'the Add page');
  await page.fill('form#add-show input[name="url"]', url);
  await Promise.all([
    page
      .waitForURL((u) => u.pathname !== '/add', { timeout: 60_000 })
      .catch(async () => {
        const error = await page.textContent('form#add-show').catch(() => '');
        throw new Error(`adding ${url} stayed on /add: ${error?.replace(/\s+/g, ' ')}`);
      }),
    page.click('form#add-show [type="submit"]'),
  ]);
  return new URL(page.url()).pathname;
}

test('follow a Seedcast channel by its page URL: the episode comes through the swarm, plays and seeds; a podcast feed comes over HTTP', {
  timeout: 600_000,
}, async (t) => {
  if (!requireTools(t, 'chromium', 'ffmpeg')) return;
  // The site behind a slow link (its public URL), so the transfer lasts long enough to be seen.
  const link = await startSlowLink(t, 512 * 1024);
  const site = await startSiteProc(t, { flags: ['--public-url', link.url] });
  link.target = site.base;
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${site.token}` },
    body: JSON.stringify(body),
  });
  await site.api(
    '/api/v1/channels',
    json({ name: 'night-walks', title: 'Night walks', description: 'Owls.' }),
  );
  // About 9.4 MiB: long enough for a progress bar on loopback, short to make.
  const tone = toneMp3(t, { seconds: 300, bitrate: '256k', frequency: 330 });
  const { item } = await site.publish(
    'A walk by the river',
    { 'river.mp3': tone },
    { channel: 'night-walks' },
  );
  const channelPage = `${link.url}/channels/night-walks`;
  // The channel's feed lists the item once the site has it (its media work may still run).
  await until(
    'the channel feed to list the item',
    async () => {
      const res = await fetch(`${channelPage}/feed.rss`);
      return res.ok && (await res.text()).includes('A walk by the river');
    },
    { timeoutMs: TIMEOUT },
  );

  const app = await startAppProc(t);
  const browser: Browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: app.base });
  context.setDefaultTimeout(TIMEOUT);
  await context.addInitScript({ content: RECORD_EPISODE_STATES });
  const page = await context.newPage();
  await page.goto(app.link);

  // 1. Paste the channel page's URL: the show appears, under the feed the page names.
  const landed = await addShow(page, channelPage);
  const { shows } = await app.api('/api/shows');
  assert.equal(shows.length, 1, JSON.stringify(shows));
  const show = shows[0];
  assert.match(show.url, /\/channels\/night-walks\/feed\.(rss|atom|json)$/);
  assert.equal(show.id, feedId(show.url));
  assert.equal(show.title, 'Night walks');
  assert.equal(landed, `/shows/${show.id}`, 'adding leads to the show');
  await page.goto('/');
  await page.waitForSelector(`ul#shows > li.show[data-show-id="${show.id}"]`);
  assert.match((await page.textContent(`li.show[data-show-id="${show.id}"]`)) ?? '', /Night walks/);

  // 2. The episode arrives through the swarm, with progress on the show's page.
  await page.goto(`/shows/${show.id}`);
  assert.match((await page.textContent('h1')) ?? '', /Night walks/);
  const row = await page.waitForSelector('ul#episodes > li.episode[data-episode-id]');
  const episodeId = (await row.getAttribute('data-episode-id')) ?? '';
  assert.match(episodeId, /^[0-9a-f]{16}$/);
  const li = `li.episode[data-episode-id="${episodeId}"]`;
  await page
    .waitForSelector(`${li}:is([data-state="complete"],[data-state="seeding"])`)
    .catch(async (err) => {
      const seen = await page.evaluate(`JSON.stringify(window.__episodeStates)`);
      const now = stateFile(app.home).downloads.find((d: { id: string }) => d.id === episodeId);
      throw new Error(`${String(err).split('\n')[0]}; rows: ${seen}; record: ${JSON.stringify(now)}`);
    });
  const states: string[] = await page.evaluate((id: string) => window.__episodeStates[id] ?? [], episodeId);
  t.diagnostic(`states the row showed: ${states.join(' -> ')}`);
  const record = stateFile(app.home).downloads.find((d: { id: string }) => d.id === episodeId);
  assert.equal(record?.via, 'swarm', JSON.stringify(record));
  assert.equal(record.title, 'A walk by the river');
  assert.ok(record.infoHash, 'a swarm download keeps its info hash');
  assert.equal(readFileSync(record.path).length, tone.length);
  assert.deepEqual(readFileSync(record.path), tone);
  // The state file is the proof of the route; the page must also have shown the transfer once
  // (the MutationObserver sees every update, however brief).
  assert.ok(
    states.some((s) => /^downloading\b.*swarm/i.test(s)),
    `no "downloading ... swarm" state seen on the page (saw: ${states.join(', ') || 'none'})`,
  );

  // 3. It plays in the page, from the local file, and shows as seeding.
  await page.click(`${li} a[href="/episodes/${episodeId}"]`);
  await page.waitForURL(`**/episodes/${episodeId}`);
  assert.match((await page.textContent('h1')) ?? '', /A walk by the river/);
  const src = await page.getAttribute('#player', 'src');
  assert.equal(src === null ? await page.getAttribute('#player source', 'src') : src, `/media/${episodeId}`);
  const started: number = await page.evaluate(async () => {
    const player = document.querySelector('#player');
    player.muted = true;
    await player.play();
    return player.currentTime;
  });
  await page.waitForFunction(
    (from: number) => document.querySelector('#player').currentTime > from + 0.5,
    started,
    { timeout: 30_000 },
  );
  await page.evaluate(() => document.querySelector('#player').pause());
  await until(
    'the episode page to say seeding',
    async () => {
      await page.reload();
      return (await page.getAttribute('#episode-state', 'data-state')) === 'seeding';
    },
    { timeoutMs: 60_000 },
  );
  const { episode } = await app.api(`/api/episodes/${episodeId}`);
  assert.equal(episode.state, 'seeding');
  assert.equal(episode.via, 'swarm');
  assert.equal(item.title, 'A walk by the river');

  // 4. A plain podcast feed added by URL: its episode comes over HTTP.
  const host = await startPodcastHost(t);
  const mp3 = toneMp3(t, { seconds: 20, bitrate: '256k', frequency: 330 });
  host.set('/episode-1.mp3', { body: mp3, type: 'audio/mpeg', etag: true });
  host.set('/feed.xml', {
    type: 'application/rss+xml',
    etag: true,
    body: rssFeed('Kitchen radio', [
      {
        title: 'Soup',
        guid: 'kitchen-1',
        enclosure: { url: `${host.url}/episode-1.mp3`, type: 'audio/mpeg', length: mp3.length },
      },
    ]),
  });
  const kitchen = feedId(`${host.url}/feed.xml`);
  assert.equal(await addShow(page, `${host.url}/feed.xml`), `/shows/${kitchen}`);
  await page.goto(`/shows/${kitchen}`);
  assert.match((await page.textContent('h1')) ?? '', /Kitchen radio/);
  const soup = await page.waitForSelector(
    'ul#episodes > li.episode:is([data-state="complete"],[data-state="seeding"])',
  );
  assert.match((await soup.textContent()) ?? '', /Soup/);
  // A complete row no longer names its route; the API and the state file do.
  const soupId = (await soup.getAttribute('data-episode-id')) ?? '';
  assert.equal((await app.api(`/api/episodes/${soupId}`)).episode.via, 'http');
  const soupRecord = stateFile(app.home).downloads.find((d: { id: string }) => d.id === soupId);
  assert.equal(soupRecord?.via, 'http', JSON.stringify(soupRecord));
  assert.deepEqual(readFileSync(soupRecord.path), mp3);
  assert.ok(host.log.some((r) => r.path === '/episode-1.mp3' && (r.status === 200 || r.status === 206)));

  // Both shows on the Shows page, neither failing.
  await page.goto('/');
  assert.equal(await page.locator('ul#shows > li.show').count(), 2);
  assert.equal(await page.locator('ul#shows .show-error').count(), 0);
});
