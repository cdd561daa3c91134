/**
 * `npm run bench:comments`: what a hostile comment thread costs the item page (issue 15, finding 6).
 *
 * Seeds a fresh SQLite file (in a temp folder) with two ready items and, through the catalog's
 * `CommunityRepository` (no HTTP, for speed), BENCH_COMMENTS comments each (default 6,000): on one
 * a single reply chain (each comment answers the previous one), on the other as many top-level
 * comments. Then, in the same run, it views both item pages BENCH_REQUESTS times each (default 200,
 * after 20 warm-up views, interleaved so load on the machine hits both alike) through the real app
 * with `app.inject()` (routing, hooks, database, rendering; no sockets), and prints p50 and p99 per
 * view and the deep/flat ratio (target: at most 1.5). It also views a page far down the chain (the
 * page after comment 3,000, through the "Older comments" cursor), and times 8 parallel anonymous
 * views of the deep page over real HTTP (the app listening on 127.0.0.1), the wall time a visitor
 * waits while they run.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CommunityRepository, SiteLinks, UserRepository } from '../src/catalog/index.js';
import { openDatabase } from '../src/db/index.js';
import { Engine } from '../src/engine/index.js';
import { createSite } from '../src/server.js';
import { LocalDiskStore } from '../src/storage/index.js';
import { TrackerService } from '../src/tracker/index.js';
import { buildApp } from '../src/web/app.js';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 6000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 20;
const PARALLEL = 8;
const TARGET_RATIO = 1.5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-comments-'));
  const db = await openDatabase({ sqlite: join(dir, 'bench.db') });
  const engine = new Engine({ host: '127.0.0.1' });
  const users = new UserRepository(db, { scrypt: { N: 1024 } });
  const site = createSite({
    db,
    blobs: new LocalDiskStore(join(dir, 'blobs')),
    engine,
    links: new SiteLinks('http://bench.test'),
    stagingRoot: join(dir, 'tmp', 'uploads'),
    users,
  });
  const tracker = new TrackerService({ allow: () => true });
  const app = buildApp({ tracker, site });
  await app.ready();

  const author = await users.register({ username: 'talker', password: 'correct horse' });
  const make = (title: string) =>
    site.items.create({
      ownerId: author.id,
      title,
      files: [{ path: `${title}.bin`, length: 1 }],
      status: 'ready',
    });
  const deep = await make('deep');
  const flat = await make('flat');
  const community = site.community as CommunityRepository;
  const started = performance.now();
  let parentId: number | null = null;
  let middle: number | undefined;
  for (let i = 0; i < COMMENTS; i++) {
    const body = `comment ${i}: ${'words '.repeat(8)}`;
    const made: { id: number } = await community.addComment({
      itemId: deep.id,
      userId: author.id,
      parentId,
      body,
    });
    parentId = made.id;
    if (i === Math.floor(COMMENTS / 2)) middle = made.id;
    await community.addComment({ itemId: flat.id, userId: author.id, parentId: null, body });
  }
  console.log(
    `seeded ${COMMENTS} comments as one reply chain and ${COMMENTS} top-level in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // The "Older comments" cursor of the page that starts after the middle of the chain.
  let farUrl: string | undefined;
  if ('commentPage' in community && middle !== undefined) {
    let page = await community.commentPage(deep.id, { limit: 100 });
    while (page.next && !page.comments.some((c) => c.id === middle))
      page = await community.commentPage(deep.id, { after: page.next, limit: 100 });
    if (page.next) farUrl = `/items/${deep.id}?after=${encodeURIComponent(page.next)}`;
  }

  const pages = [
    { name: 'deep', url: `/items/${deep.id}`, times: [] as number[] },
    { name: 'flat', url: `/items/${flat.id}`, times: [] as number[] },
    ...(farUrl ? [{ name: 'deep, far page', url: farUrl, times: [] as number[] }] : []),
  ];
  const view = async (url: string) => {
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < WARMUP; i++) for (const p of pages) await view(p.url);
  console.log(
    `\n${REQUESTS} views per page through app.inject() (no sockets), after ${WARMUP} warm-up; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores, shared)`,
  );
  for (let i = 0; i < REQUESTS; i++) for (const p of pages) p.times.push(await view(p.url));
  console.log('page              p50 ms   p99 ms   max ms');
  for (const p of pages) {
    p.times.sort((a, b) => a - b);
    console.log(
      `${p.name.padEnd(16)} ${percentile(p.times, 50).toFixed(2).padStart(7)}  ${percentile(p.times, 99).toFixed(2).padStart(7)}  ${p.times.at(-1)!.toFixed(2).padStart(7)}`,
    );
  }
  const ratio = percentile(pages[0]!.times, 50) / percentile(pages[1]!.times, 50);
  const ratio99 = percentile(pages[0]!.times, 99) / percentile(pages[1]!.times, 99);
  console.log(
    `deep / flat: p50 ${ratio.toFixed(2)}x, p99 ${ratio99.toFixed(2)}x (target <= ${TARGET_RATIO}x): ${ratio <= TARGET_RATIO ? 'ok' : 'OVER'}`,
  );

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const wall: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const res = await fetch(`${address}/items/${deep.id}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`parallel view: ${res.status}`);
      }),
    );
    wall.push(performance.now() - t0);
  }
  wall.sort((a, b) => a - b);
  console.log(
    `${PARALLEL} parallel views of the deep page over HTTP: wall time median ${wall[2]!.toFixed(1)} ms, worst ${wall[4]!.toFixed(1)} ms (5 rounds)`,
  );

  await app.close();
  await engine.close();
  await tracker.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  if (ratio > TARGET_RATIO) process.exitCode = 1;
}

await main();
