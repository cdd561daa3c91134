/**
 * Collections in Chromium (playwright-core) against a real `startServer`: a visitor registers,
 * creates a collection through the pages, adds two items from their item pages ("Add to
 * collection"), opens the collection page (items in the order added), moves the second up with the
 * arrange form (no script involved), and opens the collection's RSS feed: both items, in the new
 * order (parsed with rss-parser). Skips loudly without chromium (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Parser from 'rss-parser';
import { readJobsConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { launchChromium } from './helpers/browser.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import { register } from './site-browser-fixtures.js';

test('a visitor makes a collection of two items from their pages and reads its feed in order', {
  timeout: 5 * 60_000,
}, async (t) => {
  if (!requireTools(t, 'chromium')) return;
  const dir = tempDir(t, 'seedcast-collections-browser-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: false, maxConnections: 10, stun: [] },
    jobs: readJobsConfig({ jobs: '0' }, {}),
  });
  t.after(() => server.close());

  // A publisher (the first account, so the visitor below is an ordinary user) and two items.
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
  const publish = async (title: string) => {
    const form = new FormData();
    form.append('title', title);
    form.append('file', new Blob([`${title}\n`]), `${title.toLowerCase().replace(/\W+/g, '-')}.txt`);
    const res = await fetch(`${server.url}/api/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: number }).id;
  };
  const first = await publish('Morning song');
  const second = await publish('Evening song');

  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();

  // Register and log in (registration signs in).
  await register(page, 'ada');

  // Create the collection through its page; an empty title is refused next to the field.
  await page.goto('/collections/new');
  await page.fill('#f-title', 'Road trip');
  await page.fill('#f-description', 'Songs *for* the car.');
  await page.check('#f-visibility-public');
  await Promise.all([page.waitForURL(/\/collections\/\d+$/), page.click('#create-collection')]);
  const collectionUrl = new URL(page.url());
  const id = Number(collectionUrl.pathname.split('/').pop());
  assert.equal(await page.textContent('#collection-title'), 'Road trip');
  assert.equal(await page.textContent('#collection-description em'), 'for', 'the description is Markdown');

  // Add the evening song first, then the morning song, each from its item page.
  for (const item of [second, first]) {
    await page.goto(`/items/${item}`);
    await page.selectOption('#collection-select', String(id));
    await Promise.all([
      page.waitForURL((url) => url.pathname === `/items/${item}` && url.search === `?collected=${id}`),
      page.click('#collection-add-submit'),
    ]);
    assert.match((await page.textContent('#collection-added')) ?? '', /Added to Road trip/);
  }

  // The collection page lists them in the order added; "Play all" goes to the first.
  await page.goto(`/collections/${id}`);
  const order = () =>
    page
      .locator('#collection-items .item-card h3')
      .allTextContents()
      .then((l) => l.map((s) => s.trim()));
  assert.deepEqual(await order(), ['Evening song', 'Morning song']);
  assert.equal(await page.getAttribute('#play-all', 'href'), `/items/${second}`);
  assert.match((await page.inputValue('#embed-code')) ?? '', new RegExp(`/embed/collections/${id}`));

  // Move the morning song up with the arrange form.
  await Promise.all([page.waitForURL(/#arrange$/), page.click(`#move-up-${first}`)]);
  assert.deepEqual(await order(), ['Morning song', 'Evening song']);

  // The RSS feed, from the page's link: both items, in the collection's order.
  const href = await page.getAttribute('#feed-rss', 'href');
  assert.equal(href, `/collections/${id}/feed.rss`);
  const response = await page.goto(href!);
  assert.equal(response?.status(), 200);
  assert.match(response?.headers()['content-type'] ?? '', /application\/rss\+xml/);
  const feed = await new Parser().parseString(await response!.text());
  assert.equal(feed.title, 'Road trip');
  assert.deepEqual(
    feed.items.map((i) => [i.title, i.link]),
    [
      ['Morning song', `${server.url}/items/${first}`],
      ['Evening song', `${server.url}/items/${second}`],
    ],
  );

  // The visitor's collections page lists it.
  await page.goto('/users/ada/collections');
  assert.equal(await page.locator(`#collections [data-collection-id="${id}"]`).count(), 1);
});
