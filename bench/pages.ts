/**
 * `npm run bench:pages`: how fast the site renders its pages for people on SQLite with 100,000 items.
 *
 * Seeds a fresh SQLite file (in a temp folder) with BENCH_ITEMS items (default 100,000: realistic
 * titles, descriptions in Markdown, 1–5 tags from a 200-word vocabulary, licences, media types, one
 * file each), 300 users and 100 channels, in bulk (multi-row inserts, 500 rows per statement, one
 * transaction per 10,000 items). The tracker gets live swarms for 2,000 items (1–30 seeders each)
 * so "most seeded" has work to do. Then it renders, through the real app with `app.inject()` (the
 * whole Fastify request path, routing, hooks, page rendering, database; no sockets, so the figures
 * leave out TCP and HTTP parsing), each page BENCH_REQUESTS times (default 500) after 50 warm-up
 * requests:
 * - home `/` (newest, most seeded, channels);
 * - search `/search?q=<word>&type=...` — a one-word query from the vocabulary, with a type or licence
 *   facet filter (values that occur, as a facet click gives) on half of them, a random sort and
 *   page 1–3;
 * - item `/items/<random id>`.
 * `BENCH_DB=file` keeps the seeded database there and reuses it on the next run.
 * Prints p50, p99 and max per page and compares p99 with the target (50 ms). `BENCH_PAGES=home,item`
 * measures only those pages.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UserRepository } from '../src/catalog/index.js';
import { openDatabase } from '../src/db/index.js';
import { Engine } from '../src/engine/index.js';
import { createSite } from '../src/server.js';
import { SiteLinks } from '../src/site/index.js';
import { LocalDiskStore } from '../src/storage/index.js';
import { TrackerService } from '../src/tracker/index.js';
import { buildApp } from '../src/web/app.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const WARMUP = 50;
const TARGET_P99_MS = 50;
const USERS = 300;
const CHANNELS = 100;
const SWARMS = 2000;

/** A small deterministic generator (mulberry32), so every run seeds the same catalogue. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const WORDS = (
  'river forest city night morning ocean mountain rain storm wind bird song voice piano guitar drum ' +
  'lecture interview history science space planet star moon garden kitchen recipe travel train ' +
  'bicycle market festival dance theatre poetry story children school library museum archive film ' +
  'documentary news podcast episode season island desert snow winter summer autumn spring harbour ' +
  'bridge tower castle village farm harvest bread coffee tea jazz blues folk choir orchestra opera ' +
  'radio signal machine robot code software open source commons community protest election parliament ' +
  'climate energy solar water glacier volcano earthquake whale wolf bear fox owl insect flower tree ' +
  'mushroom soil stone light shadow colour paint sketch photo portrait street crowd silence echo ' +
  'memory dream journey home family friend teacher worker sailor pilot doctor nurse engineer artist ' +
  'writer reader walk run swim climb build repair craft wood metal glass paper ink book map atlas ' +
  'chart data model theory experiment field recording sound ambient noise loop sample beat remix'
).split(' ');
const TYPES = ['video', 'audio', 'audio', 'image', 'text', 'video', 'audio', 'other'] as const;
const MIME: Record<string, [string, string]> = {
  video: ['video/mp4', 'mp4'],
  audio: ['audio/mpeg', 'mp3'],
  image: ['image/jpeg', 'jpg'],
  text: ['text/plain', 'txt'],
  other: ['application/zip', 'zip'],
};
const LICENSES = [
  'https://creativecommons.org/licenses/by/4.0/',
  'https://creativecommons.org/licenses/by-sa/4.0/',
  'https://creativecommons.org/licenses/by-nc/4.0/',
  'https://creativecommons.org/publicdomain/zero/1.0/',
  'CC-BY-3.0',
  'MIT',
  null,
];

function title(): string {
  const n = 2 + Math.floor(random() * 5);
  const words = Array.from({ length: n }, () => pick(WORDS));
  return words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');
}

function description(): string {
  const sentences = Array.from(
    { length: 2 + Math.floor(random() * 6) },
    () => `${title()} ${pick(WORDS)} ${pick(WORDS)} and ${pick(WORDS)}.`,
  );
  return `## About\n\n${sentences.join(' ')}\n\n- recorded near the *${pick(WORDS)}*\n- see [the archive](https://example.org/${pick(WORDS)})`;
}

async function seed(file: string) {
  const db = await openDatabase({ sqlite: file });
  const existing = await db.selectFrom('items').select('info_hash').execute();
  if (existing.length > 0) {
    console.log(`reusing ${file}: ${existing.length} items`);
    return { db, hashes: existing.map((r) => r.info_hash!) };
  }
  const now = Date.now();
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const owners: number[] = [];
  for (let i = 0; i < USERS; i++)
    owners.push((await users.register({ username: `user${i}`, password: 'correct horse' })).id);
  const channelIds: number[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const row = await db
      .insertInto('channels')
      .values({
        owner_id: pick(owners),
        slug: `channel-${i}`,
        title: `The ${title()} channel`,
        description: description().slice(0, 200),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    channelIds.push(row.id);
  }
  await db
    .insertInto('tags')
    .values(WORDS.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const tagRows = await db.selectFrom('tags').select(['id', 'name']).execute();
  const tagIds = tagRows.map((t) => t.id);

  const hashes: string[] = [];
  const started = performance.now();
  const ROWS = 500;
  for (let base = 0; base < ITEMS; base += 10_000) {
    await db.transaction().execute(async (tx) => {
      for (let start = base; start < Math.min(ITEMS, base + 10_000); start += ROWS) {
        const count = Math.min(ROWS, ITEMS - start);
        const items = Array.from({ length: count }, (_, k) => {
          const i = start + k;
          const type = pick(TYPES);
          const hash = (i + 1).toString(16).padStart(40, '0');
          hashes.push(hash);
          return {
            owner_id: pick(owners),
            channel_id: random() < 0.3 ? pick(channelIds) : null,
            title: title(),
            description: description(),
            creator: `${pick(WORDS)} ${pick(WORDS)}`,
            license: pick(LICENSES),
            media_type: type,
            mime_type: MIME[type]![0],
            status: 'ready' as const,
            info_hash: hash,
            total_length: 1_000_000 + Math.floor(random() * 1e9),
            duration_ms: type === 'video' || type === 'audio' ? Math.floor(random() * 7_200_000) : null,
            created_at: now - (ITEMS - i) * 60_000,
            updated_at: now,
          };
        });
        const ids = await tx.insertInto('items').values(items).returning(['id', 'media_type']).execute();
        await tx
          .insertInto('item_files')
          .values(
            ids.map((r, k) => ({
              item_id: r.id,
              position: 0,
              path: `item-${start + k}.${MIME[r.media_type]![1]}`,
              length: items[k]!.total_length,
              blob_key: `files/bench/${start + k}`,
              mime_type: MIME[r.media_type]![0],
            })),
          )
          .execute();
        const links: { item_id: number; tag_id: number }[] = [];
        for (const r of ids) {
          const chosen = new Set<number>();
          const n = 1 + Math.floor(random() * 5);
          while (chosen.size < n) chosen.add(pick(tagIds));
          for (const tag_id of chosen) links.push({ item_id: r.id, tag_id });
        }
        await tx.insertInto('item_tags').values(links).execute();
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`seeded ${ITEMS} items, ${USERS} users, ${CHANNELS} channels in ${seconds.toFixed(1)} s`);
  return { db, hashes };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-pages-'));
  const { db, hashes } = await seed(process.env.BENCH_DB ?? join(dir, 'bench.db'));
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

  const pages: { name: string; url: () => string }[] = [
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
  ];
  let failed = false;
  console.log(`\n${REQUESTS} requests per page through app.inject() (no sockets), after ${WARMUP} warm-up`);
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (this machine has 2 cores)`,
  );
  console.log('page     p50 ms   p99 ms   max ms   target p99 <= 50 ms');
  const only = process.env.BENCH_PAGES?.split(',');
  for (const page of pages.filter((p) => !only || only.includes(p.name))) {
    for (let i = 0; i < WARMUP; i++) await app.inject({ method: 'GET', url: page.url() });
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const url = page.url();
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url });
      times.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    times.sort((a, b) => a - b);
    const p99 = percentile(times, 99);
    const ok = p99 <= TARGET_P99_MS;
    failed ||= !ok;
    console.log(
      `${page.name.padEnd(8)} ${percentile(times, 50).toFixed(1).padStart(6)}   ${p99.toFixed(1).padStart(6)}   ${times.at(-1)!.toFixed(1).padStart(6)}   ${ok ? 'ok' : 'OVER'}`,
    );
  }
  await app.close();
  await engine.close();
  await tracker.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  if (failed) process.exitCode = 1;
}

await main();
