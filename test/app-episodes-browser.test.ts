/**
 * Episodes in the aggregator app, in Chromium against a real `seedcast app` (from source):
 * - through the swarm: an item published on a real `seedcast serve` in a channel, the app subscribed
 *   to the channel's torrent-first RSS feed; on /new the row goes downloading (progress, via
 *   "swarm") and then complete or seeding without a reload;
 * - a plain podcast feed (HTTP enclosures, throttled host): the row shows progress via HTTP, then
 *   complete, without a reload;
 * - auto-download off: episodes are listed as new; Download fetches one, Delete (confirmed) removes
 *   the file and lists it as new again, Mark played moves it out of /new.
 * Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { rssFeed, startPodcastHost } from './aggregator-fixtures.js';
import { type AppProc, startAppProc } from './helpers/app-proc.js';
import { launchChromium } from './helpers/browser.js';
import { startSiteProc } from './helpers/site-proc.js';
import { requireTools, runCli } from './helpers/tools.js';

// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate
type Dom = any;
declare const document: Dom;
declare const window: Dom;

const TIMEOUT = 90_000;

async function browserFor(t: TestContext): Promise<Browser> {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

/** Subscribe through the app's API, with the show's auto-download setting from the start. */
async function subscribeApp(app: AppProc, feed: string, options: { autoDownload: boolean }): Promise<void> {
  const res = await fetch(`${app.base}/api/shows`, {
    method: 'POST',
    headers: {
      cookie: app.cookie,
      'x-csrf-token': app.csrf,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify({ url: feed, autoDownload: options.autoDownload }),
  });
  assert.equal(res.status, 201, `POST /api/shows: ${res.status} ${await res.text()}`);
}

interface EpisodeJson {
  id: string;
  title: string;
  state: string;
  via: string | null;
}

async function waitForEpisode(
  app: AppProc,
  ok: (e: EpisodeJson) => boolean,
  what: string,
  timeout = TIMEOUT,
): Promise<EpisodeJson> {
  const until = Date.now() + timeout;
  for (;;) {
    const { episodes } = (await app.api('/api/episodes')) as { episodes: EpisodeJson[] };
    const found = episodes.find(ok);
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(episodes)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Records every state, via text and progress value the row shows (a MutationObserver in the page). */
async function watchRow(page: Page, id: string): Promise<void> {
  // A string: tsx would wrap named functions in `__name`, which the page does not have.
  await page.evaluate(`(() => {
    const row = document.querySelector('li.episode[data-episode-id="${id}"]');
    const seen = [];
    const record = function () {
      const bar = row.querySelector('progress.episode-progress');
      const via = row.querySelector('.episode-via');
      seen.push({
        state: row.dataset.state,
        via: via.hidden ? '' : via.textContent,
        progress: bar.hasAttribute('value') ? bar.value : null,
        progressShown: !bar.hidden,
      });
    };
    record();
    new MutationObserver(record).observe(row, { subtree: true, childList: true, attributes: true, characterData: true });
    window.__seen = seen;
    window.__loads = (window.__loads || 0) + 1;
  })()`);
}

// biome-ignore lint/suspicious/noExplicitAny: the records from the page
async function seen(page: Page): Promise<any[]> {
  return page.evaluate(() => window.__seen);
}

/** Clicks a form's button and waits for the page it leads to (the 303 back). */
async function submit(page: Page, button: Locator, url: RegExp): Promise<void> {
  await Promise.all([page.waitForNavigation({ url, waitUntil: 'load' }), button.click()]);
}

async function openApp(t: TestContext, app: AppProc, path: string): Promise<Page> {
  const browser = await browserFor(t);
  const page = await browser.newPage();
  await page.goto(app.link);
  await page.goto(`${app.base}${path}`);
  return page;
}

describe('episodes in the app (Chromium)', { timeout: 300_000 }, () => {
  it('an episode published on a Seedcast site arrives through the swarm, live on /new', async (t) => {
    if (!requireTools(t, 'chromium')) return;
    const site = await startSiteProc(t, { flags: ['--jobs', '0'] });
    await site.api('/api/v1/channels', {
      method: 'POST',
      headers: { authorization: `Bearer ${site.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'swarm-show', title: 'Swarm Show' }),
    });
    const size = Number(process.env.SEEDCAST_TEST_SWARM_MB ?? 128) * 1024 * 1024;
    const data = randomBytes(size);
    await site.publish('Big Swarm Episode', { 'big.mp3': data }, { channel: 'swarm-show' });
    const app = await startAppProc(t);
    await subscribeApp(app, `${site.base}/channels/swarm-show/feed.rss?enclosure=torrent`, {
      autoDownload: false,
    });
    const episode = await waitForEpisode(app, (e) => e.title === 'Big Swarm Episode', 'the episode');
    assert.equal(episode.state, 'new');
    const page = await openApp(t, app, '/new');
    const row = page.locator(`li.episode[data-episode-id="${episode.id}"]`);
    await submit(page, row.locator('button[value="download"]'), /\/new#episode-[0-9a-f]{16}$/);
    await watchRow(page, episode.id);
    await page.waitForFunction(
      (id: string) =>
        ['complete', 'seeding'].includes(
          document.querySelector(`li.episode[data-episode-id="${id}"]`)?.dataset.state,
        ),
      episode.id,
      { timeout: TIMEOUT, polling: 50 },
    );
    const states = await seen(page);
    t.diagnostic(
      `seen: ${JSON.stringify(states.filter((s, i) => i === 0 || JSON.stringify(s) !== JSON.stringify(states[i - 1])).slice(0, 12))}`,
    );
    const downloading = states.filter((s) => s.state === 'downloading' && s.progressShown);
    assert.ok(downloading.length > 0, 'the row showed the download in progress');
    assert.ok(
      downloading.some((s) => /swarm/.test(s.via)),
      'the bytes came from the swarm',
    );
    assert.ok(
      downloading.every((s) => !/HTTP/.test(s.via)),
      'never shown as HTTP (the swarm is tried first)',
    );
    assert.equal(await page.evaluate(() => window.__loads), 1, 'no reload');
    assert.equal(await row.locator('progress.episode-progress').isHidden(), true);
    const done = (await app.api(`/api/episodes/${episode.id}`)).episode;
    assert.equal(done.via, 'swarm');
    // Seeding (the torrent came through the swarm) shows its figures without a reload.
    if (done.state === 'seeding' || (await row.getAttribute('data-state')) === 'seeding')
      await row.locator('.episode-seeding').waitFor({ state: 'visible', timeout: TIMEOUT });
  });

  it('a plain podcast feed arrives over HTTP with visible progress', async (t) => {
    if (!requireTools(t, 'chromium')) return;
    const host = await startPodcastHost(t);
    const data = randomBytes(3 * 1024 * 1024);
    // About 24 s of download: the row shows how it arrives only while it downloads, and on a loaded
    // machine Chromium may take several seconds to open the page (at 600 KiB/s it was done before).
    host.set('/slow.mp3', { body: data, type: 'audio/mpeg', bytesPerSecond: 128 * 1024 });
    host.set('/feed.xml', {
      type: 'application/rss+xml',
      body: rssFeed('Plain Podcast', [
        {
          title: 'Slow One',
          guid: 'slow',
          enclosure: { url: `${host.url}/slow.mp3`, type: 'audio/mpeg', length: data.length },
        },
      ]),
    });
    const app = await startAppProc(t);
    await subscribeApp(app, `${host.url}/feed.xml`, { autoDownload: true });
    const episode = await waitForEpisode(
      app,
      (e) => e.title === 'Slow One' && e.state === 'downloading',
      'the download',
    );
    const page = await openApp(t, app, '/new');
    await watchRow(page, episode.id);
    const row = page.locator(`li.episode[data-episode-id="${episode.id}"]`);
    await row.locator('.episode-via', { hasText: 'HTTP' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.waitForFunction(
      (id: string) =>
        document.querySelector(`li.episode[data-episode-id="${id}"]`)?.dataset.state === 'complete',
      episode.id,
      { timeout: TIMEOUT, polling: 50 },
    );
    const states = await seen(page);
    const values = [...new Set(states.filter((s) => s.state === 'downloading').map((s) => s.progress))];
    t.diagnostic(`progress values seen: ${values.join(', ')}`);
    assert.ok(values.length >= 2, 'the progress bar moved while the page was open');
    assert.equal(await page.evaluate(() => window.__loads), 1, 'no reload');
    assert.equal(await row.locator('.episode-state').textContent(), 'Downloaded');
    assert.equal(await row.locator('button[value="delete"]').isVisible(), true);
  });

  it('with auto-download off: Download fetches, Delete lists it as new, played leaves /new', async (t) => {
    if (!requireTools(t, 'chromium')) return;
    const host = await startPodcastHost(t);
    const items = [1, 2].map((n) => {
      const body = randomBytes(200_000 + n);
      host.set(`/e${n}.mp3`, { body, type: 'audio/mpeg' });
      return {
        title: `Quiet ${n}`,
        guid: `q${n}`,
        pubDate: new Date(Date.UTC(2026, 10, n)),
        enclosure: { url: `${host.url}/e${n}.mp3`, type: 'audio/mpeg', length: body.length },
      };
    });
    host.set('/feed.xml', { type: 'application/rss+xml', body: rssFeed('Quiet Show', items) });
    const app = await startAppProc(t);
    await subscribeApp(app, `${host.url}/feed.xml`, { autoDownload: false });
    const one = await waitForEpisode(app, (e) => e.title === 'Quiet 1', 'Quiet 1');
    const two = await waitForEpisode(app, (e) => e.title === 'Quiet 2', 'Quiet 2');
    assert.deepEqual([one.state, two.state], ['new', 'new']);
    const page = await openApp(t, app, '/new');
    const titles = await page.locator('ul#episodes li.episode .episode-title').allTextContents();
    assert.deepEqual(titles, ['Quiet 2', 'Quiet 1'], 'newest first');
    const row = page.locator(`li.episode[data-episode-id="${one.id}"]`);
    assert.equal(await row.getAttribute('data-state'), 'new');
    await submit(page, row.locator('button[value="download"]'), /\/new#episode-[0-9a-f]{16}$/);
    await page.waitForFunction(
      (id: string) =>
        document.querySelector(`li.episode[data-episode-id="${id}"]`)?.dataset.state === 'complete',
      one.id,
      { timeout: TIMEOUT, polling: 50 },
    );
    const path = (await app.api(`/api/episodes/${one.id}`)).episode;
    assert.equal(path.via, 'http');
    const files = JSON.parse(
      (await runCli(['library', '--json'], { env: { SEEDCAST_HOME: app.home } })).stdout,
    );
    const file = files.find((f: { title: string }) => f.title === 'Quiet 1')?.path as string;
    assert.ok(file && existsSync(file), 'the file is there');

    // Delete asks first: dismissing keeps the file.
    page.once('dialog', (d) => void d.dismiss());
    await row.locator('button[value="delete"]').click();
    await page.waitForTimeout(300);
    assert.ok(existsSync(file), 'dismissed: kept');
    page.once('dialog', (d) => {
      assert.match(d.message(), /Quiet 1/);
      void d.accept();
    });
    await submit(page, row.locator('button[value="delete"]'), /\/new#episode-[0-9a-f]{16}$/);
    await page.waitForFunction(
      (id: string) => document.querySelector(`li.episode[data-episode-id="${id}"]`)?.dataset.state === 'new',
      one.id,
      { timeout: TIMEOUT },
    );
    assert.equal(existsSync(file), false, 'the file is gone');
    assert.equal(await row.locator('button[value="download"]').isVisible(), true);

    await submit(page, row.locator('button[value="played"]'), /\/new#episode-[0-9a-f]{16}$/);
    assert.equal(await page.locator(`li.episode[data-episode-id="${one.id}"]`).count(), 0, 'played: not new');
    assert.equal(await page.locator(`li.episode[data-episode-id="${two.id}"]`).count(), 1);
    const search = await page.goto(`${app.base}/search?q=quiet%201`);
    assert.equal(search?.status(), 200);
    const found = page.locator(`ul#episodes li.episode[data-episode-id="${one.id}"]`);
    assert.equal(await found.locator('.episode-played').textContent(), 'Played');
    await submit(
      page,
      found.locator('button[value="unplayed"]'),
      /\/search\?q=quiet%201#episode-[0-9a-f]{16}$/,
    );
    assert.equal(await found.locator('.episode-played').textContent(), 'Unplayed');
  });
});
