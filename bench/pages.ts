/**
 * `npm run bench:pages`: how fast the site renders its pages for people on SQLite with 100,000 items.
 *
 * Seeds a fresh SQLite file (in a temp folder; `pages-seed.ts`) with BENCH_ITEMS items (default
 * 100,000), 300 users, 100 channels holding 70 % of the items, follows (`user1` follows 20 channels)
 * and 1,000 collections of 10–50 items, in bulk. The tracker gets live swarms for 2,000 items (1–30
 * seeders each) so "most seeded" has work to do. Then it renders, through the real app with
 * `app.inject()` (the whole Fastify request path, routing, hooks, page rendering, database; no
 * sockets, so the figures leave out TCP and HTTP parsing), each page BENCH_REQUESTS times (default
 * 500) after 50 warm-up requests:
 * - home `/` (newest, most seeded, channels);
 * - search `/search?q=<word>&type=...` — a one-word query from the vocabulary, with a type or licence
 *   facet filter (values that occur, as a facet click gives) on half of them, a random sort and
 *   page 1–3;
 * - item `/items/<random id>`; user `/users/<random user>`;
 * - channel `/channels/<random slug>` (about 700 items each), channels `/channels`, subscriptions
 *   `/subscriptions` (logged in as `user1`, following 20 channels);
 * - collection `/collections/<random id>`, user collections `/users/<a collection owner>/collections`;
 * - about `/about`; admin settings `/admin/settings` and admin users `/admin/users` (the admin's
 *   session); item edit `/items/<random id>/edit` (its owner's session).
 * Logged-in pages send a session cookie made by `SessionRepository`. A page whose route answers 404
 * on its first request is reported as "not built yet" and not measured.
 * `BENCH_DB=file` keeps the seeded database there and reuses it on the next run.
 * Prints p50, p99 and max per page, p50 as a multiple of home's, and compares p99 with the target
 * (50 ms); exits 1 when a page is over. `BENCH_PAGES=home,item` measures only those pages.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SessionRepository, SiteLinks } from '../src/catalog/index.js';
import { Engine } from '../src/engine/index.js';
import { createSite } from '../src/server.js';
import { LocalDiskStore } from '../src/storage/index.js';
import { TrackerService } from '../src/tracker/index.js';
import { buildApp } from '../src/web/app.js';
import { SESSION_COOKIE } from '../src/web/session.js';
import { FOLLOWER, LICENSES, pick, random, seed, TYPES, WORDS } from './pages-seed.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const WARMUP = 50;
const TARGET_P99_MS = 50;
const SWARMS = 2000;

interface BenchPage {
  name: string;
  url: () => string;
  /** The session cookie's value to send (a logged-in page). */
  cookie?: () => string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-pages-'));
  const { db, hashes } = await seed(process.env.BENCH_DB ?? join(dir, 'bench.db'), { items: ITEMS });
  const tracker = new TrackerService({ allow: () => true });
  for (let s = 0; s < SWARMS; s++) {
    const hash = Buffer.from(hashes[Math.floor(random() * hashes.length)]!, 'hex');
    const seeders = 1 + Math.floor(random() * 30);
    for (let p = 0; p < seeders; p++) {
      await tracker.announce({
        infoHash: hash,
        peerId: Buffer.from(`-BE0001-${String(s * 100 + p).padStart(12, '0')}`),
        ip: Buffer.from([10, (p >> 8) & 255, p & 255, (s % 250) + 1]),
        port: 6881,
        uploaded: 0,
        downloaded: 0,
        left: 0,
        event: 'started',
        numwant: 0,
        key: p,
        wantPeerIds: false,
        transport: 'http',
      });
    }
  }
  const engine = new Engine({ host: '127.0.0.1' });
  const site = createSite({
    db,
    blobs: new LocalDiskStore(join(dir, 'blobs')),
    engine,
    links: new SiteLinks('http://bench.test'),
    stagingRoot: join(dir, 'tmp', 'uploads'),
  });
  const app = buildApp({ tracker, site });
  await app.ready();

  // Who looks: the admin (user0), the follower, and each item's owner for its edit page.
  const sessions = new SessionRepository(db);
  const users = await db.selectFrom('users').select(['id', 'username', 'role']).orderBy('id').execute();
  const cookieOf = new Map<number, string>();
  for (const user of users) cookieOf.set(user.id, (await sessions.create(user.id)).cookie);
  const admin = users.find((u) => u.role === 'admin')!;
  const follower = users.find((u) => u.username === FOLLOWER)!;
  const channels = (await db.selectFrom('channels').select('slug').execute()).map((c) => c.slug);
  const collections = await db.selectFrom('collections').select(['id', 'owner_id']).execute();
  const collectors = [...new Set(collections.map((c) => c.owner_id))].map(
    (id) => users.find((u) => u.id === id)!.username,
  );
  const itemIds = await db.selectFrom('items').select(['id', 'owner_id']).execute();
  const ownerOf = new Map(itemIds.map((r) => [r.id, r.owner_id]));
  let editing = 0;

  const pages: BenchPage[] = [
    { name: 'home', url: () => '/' },
    {
      name: 'search',
      url: () => {
        const params = new URLSearchParams({ q: pick(WORDS) });
        if (random() < 0.25) params.set('type', pick(TYPES));
        else if (random() < 0.33) params.set('license', pick(LICENSES.filter((l) => l !== null)));
        params.set('sort', pick(['relevance', 'newest', 'relevance', 'title']));
        params.set('page', String(1 + Math.floor(random() * 3)));
        return `/search?${params}`;
      },
    },
    { name: 'item', url: () => `/items/${1 + Math.floor(random() * ITEMS)}` },
    { name: 'user', url: () => `/users/${pick(users).username}` },
    { name: 'channel', url: () => `/channels/${pick(channels)}` },
    { name: 'channels', url: () => '/channels' },
    { name: 'subscriptions', url: () => '/subscriptions', cookie: () => cookieOf.get(follower.id)! },
    { name: 'collection', url: () => `/collections/${pick(collections).id}` },
    { name: 'user-collections', url: () => `/users/${pick(collectors)}/collections` },
    { name: 'about', url: () => '/about' },
    { name: 'admin-settings', url: () => '/admin/settings', cookie: () => cookieOf.get(admin.id)! },
    { name: 'admin-users', url: () => '/admin/users', cookie: () => cookieOf.get(admin.id)! },
    {
      name: 'item-edit',
      url: () => {
        editing = pick(itemIds).id;
        return `/items/${editing}/edit`;
      },
      cookie: () => cookieOf.get(ownerOf.get(editing)!)!,
    },
  ];
  const only = process.env.BENCH_PAGES?.split(',').filter(Boolean);
  const unknown = only?.filter((name) => !pages.some((p) => p.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_PAGES: unknown ${unknown.join(', ')}`);
  const get = (page: BenchPage) => {
    const url = page.url();
    const cookie = page.cookie?.();
    return {
      url,
      send: () =>
        app.inject({
          method: 'GET',
          url,
          ...(cookie ? { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } } : {}),
        }),
    };
  };

  let failed = false;
  const notBuilt: string[] = [];
  let homeP50: number | undefined;
  console.log(`\n${REQUESTS} requests per page through app.inject() (no sockets), after ${WARMUP} warm-up`);
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (this machine has 2 cores)`,
  );
  console.log('page               p50 ms   p99 ms   max ms   p50/home   target p99 <= 50 ms');
  for (const page of pages.filter((p) => !only || only.includes(p.name))) {
    const first = get(page);
    const probe = await first.send();
    if (probe.statusCode === 404) {
      notBuilt.push(page.name);
      console.log(`${page.name.padEnd(18)} not built yet (${first.url}: 404), not measured`);
      continue;
    }
    for (let i = 0; i < WARMUP; i++) await get(page).send();
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const { url, send } = get(page);
      const t0 = performance.now();
      const res = await send();
      times.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    if (page.name === 'home') homeP50 = p50;
    const ok = p99 <= TARGET_P99_MS;
    failed ||= !ok;
    const ratio = homeP50 ? `${(p50 / homeP50).toFixed(2)}x` : '';
    console.log(
      `${page.name.padEnd(18)} ${p50.toFixed(1).padStart(6)}   ${p99.toFixed(1).padStart(6)}   ${times.at(-1)!.toFixed(1).padStart(6)}   ${ratio.padStart(8)}   ${ok ? 'ok' : 'OVER'}`,
    );
  }
  if (notBuilt.length > 0) console.log(`not built yet (not measured): ${notBuilt.join(', ')}`);
  await app.close();
  await engine.close();
  await tracker.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  if (failed) process.exitCode = 1;
}

await main();
