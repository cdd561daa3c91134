/**
 * Torrent-only publishing tells the truth (issue 16): through `startServer` (real HTTP, tracker and
 * peer on loopback) with publishers' seeders that are real BitTorrent peers over TCP, the API's
 * `"archive"` and the item page show where archiving stands:
 * - `waiting` (`waiting for peers`) while nobody seeds, `archiving` with its progress (`archiving 50%`)
 *   while a seeder that holds half the content is connected, then `archived`;
 * - `failed` with the reason (`failed: not enough free disk space ...`);
 * - the upload form tells a torrent-only publisher to keep seeding and that the site's tracker goes
 *   first; the owner's item page tells them to keep seeding and links the `.torrent`; a site that does
 *   not archive says the publisher's seeders serve the item.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Config, DEFAULT_QUOTAS, type QuotaConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { account, makeContent, publishTorrent, startSeeder, waitForItem } from './archive-fixtures.js';
import { freePort, tempDir } from './helpers/tools.js';

async function site(
  t: { after(fn: () => unknown): void },
  dir: string,
  options: { quotas?: Partial<QuotaConfig>; archive?: boolean } = {},
): Promise<RunningServer> {
  const config: Partial<Config> = {
    host: '127.0.0.1',
    port: await freePort(),
    peerPort: await freePort(),
    data: join(dir, 'data'),
    archive: options.archive ?? true,
    quotas: { ...DEFAULT_QUOTAS, ...options.quotas },
  };
  const server = await startServer(config);
  t.after(() => server.close());
  return server;
}

async function page(url: string, cookie?: string): Promise<string> {
  const res = await fetch(url, cookie ? { headers: { cookie } } : {});
  assert.equal(res.status, 200, url);
  return res.text();
}

/** A session cookie for `username` (already registered). */
async function cookieOf(server: RunningServer, username: string): Promise<string> {
  const user = (await server.site.users.byName(username))!;
  return `sc_session=${(await server.site.sessions.create(user.id)).cookie}`;
}

test('the API and the item page show waiting for peers, then archiving with its progress, then archived', {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-archive-states-');
  const server = await site(t, dir);
  const base = server.url;
  const token = await account(base, 'publisher');
  const content = await makeContent(dir, 'show', `${base}/announce`);
  const { status, body } = await publishTorrent(base, token, content.torrent);
  assert.equal(status, 201, JSON.stringify(body));

  // Nobody seeds yet: the site's download runs but has no peer.
  const waiting = await waitForItem(base, body.id, (i) => i.archive?.phase === 'downloading', 30_000);
  assert.deepEqual(waiting.archive, { state: 'waiting', phase: 'downloading', progress: 0, peers: 0 });
  const visitorPage = await page(`${base}/items/${body.id}`);
  assert.match(visitorPage, /data-archive-state="waiting"/);
  assert.match(visitorPage, /<strong data-archive="label">waiting for peers<\/strong>/);
  assert.doesNotMatch(visitorPage, /Keep your BitTorrent client seeding/, 'the hint is for the publisher');
  const ownerPage = await page(`${base}/items/${body.id}`, await cookieOf(server, 'publisher'));
  assert.match(ownerPage, /Keep your BitTorrent client seeding this torrent until this says archived/);
  assert.match(
    ownerPage,
    new RegExp(`href="/items/${body.id}.torrent">.torrent</a>: it lists this site&#39;s tracker first`),
  );

  // A seeder with half the content: 8 pieces of 16 come in, then the site waits for the rest.
  await startSeeder(t, dir, content, `${base}/announce`, { half: true });
  const half = await waitForItem(
    base,
    body.id,
    (i) => i.archive?.state === 'archiving' && i.archive.progress === 0.5,
    60_000,
  );
  assert.equal(half.archive.phase, 'downloading');
  assert.ok(half.archive.peers >= 1, JSON.stringify(half.archive));
  assert.equal(half.archived, false);
  const halfPage = await page(`${base}/items/${body.id}`);
  assert.match(halfPage, /data-archive-state="archiving"/);
  assert.match(halfPage, /<strong data-archive="label">archiving 50%<\/strong>/);

  // The whole content: archived.
  await startSeeder(t, dir, content, `${base}/announce`);
  const done = await waitForItem(base, body.id, (i) => i.archived, 60_000);
  assert.deepEqual(done.archive, { state: 'archived', phase: 'done', progress: 1 });
  const donePage = await page(`${base}/items/${body.id}`);
  assert.match(donePage, /data-archive-state="archived"/);
  assert.match(donePage, /<strong data-archive="label">archived<\/strong>/);
});

test('a failed archive says why, in the API and on the item page', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t, 'seedcast-archive-failed-');
  const server = await site(t, dir, { quotas: { minFreeBytes: 2 ** 52 } });
  const base = server.url;
  const token = await account(base, 'publisher');
  const content = await makeContent(dir, 'show', `${base}/announce`);
  const { body } = await publishTorrent(base, token, content.torrent);
  const failed = await waitForItem(base, body.id, (i) => i.archive?.state === 'failed', 30_000);
  assert.equal(failed.archive.phase, 'failed');
  assert.match(failed.archive.error, /not enough free disk space/);
  assert.equal(failed.archive.attempts, 1);
  assert.ok(Date.parse(failed.archive.retryAt) > Date.now(), 'tried again later');
  const html = await page(`${base}/items/${body.id}`);
  assert.match(html, /data-archive-state="failed"/);
  assert.match(html, /<strong data-archive="label">failed: [^<]*not enough free disk space/);
  assert.match(html, /Next attempt: /);
});

test('the upload form tells a torrent-only publisher what to do; a site that does not archive says who serves the item', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir(t, 'seedcast-torrent-only-words-');
  const server = await site(t, dir, { archive: false });
  const base = server.url;
  const token = await account(base, 'publisher');
  const form = await page(`${base}/upload`, await cookieOf(server, 'publisher'));
  const hint = /<div class="hint" id="f-torrent-hint">([\s\S]*?)<\/div>/.exec(form)?.[1] ?? '';
  assert.match(hint, /<strong>Keep seeding<\/strong> this torrent/);
  assert.match(hint, /<strong>its own tracker first<\/strong>/);
  assert.match(hint, /info hash\s+stays the same/);
  assert.match(hint, /download the <code>.torrent<\/code> from the item&#39;s page/);
  assert.match(form, /aria-describedby="f-torrent-hint"/);

  const content = await makeContent(dir, 'show', `${base}/announce`);
  const { body } = await publishTorrent(base, token, content.torrent);
  assert.equal(body.archive, undefined, 'no archive state on a site that does not archive');
  const html = await page(`${base}/items/${body.id}`);
  assert.match(
    html,
    /This site does not keep a copy of torrent-only items: the publisher&#39;s seeders serve it/,
  );
});
