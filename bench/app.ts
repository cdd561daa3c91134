/**
 * `npm run bench:app`: the aggregator app with a big library, and its media route against a plain
 * Node file server.
 *
 * 1. Pages and API: a fresh `$SEEDCAST_HOME` whose state holds BENCH_SHOWS shows (default 200) of
 *    BENCH_EPISODES episodes each (default 100: 20,000 records, far past a heavy listener's
 *    library), a third of them complete, some played, with descriptions. Each page is rendered
 *    through the real app with `app.inject()` (routing, the guard, rendering; no sockets)
 *    BENCH_REQUESTS times (default 300) after 30 warm-up requests: Shows `/`, New `/new`, Search
 *    `/search?q=<word>`, a show `/shows/<id>`, an episode `/episodes/<id>`, Sharing `/sharing`,
 *    Settings `/settings`, `GET /api/status`, `GET /api/episodes?show=<id>`. Prints p50, p99 and max,
 *    and the p99 against the target (50 ms).
 * 2. Saving the state: `Aggregator.persist()` (re-read, merge, write atomically with fsync) with
 *    that state, p50 and p99 of BENCH_SAVES (default 20) saves. The sync loop saves every 10 s and on
 *    every episode event; target p99 under 500 ms.
 * 3. Playing: `GET /media/<id>` over real HTTP (loopback), a 256 MiB episode read whole and as
 *    1 MiB ranges at random offsets (a player seeking), against a minimal `node:http` +
 *    `fs.createReadStream` server with the same Range handling in the same run (the floor any Node
 *    server stands on). Prints MiB/s and ranges per second for both and our ratio.
 * Exits 1 when a page's p99 or the save's p99 is over its target.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  Aggregator,
  DEFAULT_FEED_OPTIONS,
  type DownloadRecord,
  emptyState,
  feedId,
  libraryDir,
  saveState,
} from '../src/aggregator/index.js';
import { createAggregatorApp, loadAppAssets } from '../src/app/index.js';
import { secretFrom } from '../src/app/secret.js';
import { Engine } from '../src/engine/index.js';
import { parseRange } from '../src/web/range.js';

const SHOWS = Number(process.env.BENCH_SHOWS ?? 200);
const EPISODES = Number(process.env.BENCH_EPISODES ?? 100);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const SAVES = Number(process.env.BENCH_SAVES ?? 20);
const MEDIA_MIB = Number(process.env.BENCH_MEDIA_MIB ?? 256);
const PAGE_TARGET_MS = 50;
const SAVE_TARGET_MS = 500;
const WORDS = [
  'river',
  'kitchen',
  'night',
  'garden',
  'history',
  'science',
  'music',
  'city',
  'ocean',
  'stars',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function word(i: number): string {
  return WORDS[i % WORDS.length]!;
}

async function seedHome(home: string, mediaPath: string): Promise<{ showIds: string[]; mediaId: string }> {
  const state = emptyState();
  const now = Date.now();
  for (let s = 0; s < SHOWS; s++) {
    const url = `https://podcasts.example/${s}/feed.xml`;
    state.feeds.push({
      url,
      title: `The ${word(s)} show ${s}`,
      description: `A show about ${word(s)} and ${word(s + 3)}.`,
      options: { ...DEFAULT_FEED_OPTIONS },
      addedAt: new Date(now - 86_400_000).toISOString(),
      errors: s % 25 === 0 ? 2 : 0,
      ...(s % 25 === 0 ? { lastError: 'aggregator: fetch failed: HTTP 404' } : {}),
      initialized: true,
      seen: [],
    });
    for (let e = 0; e < EPISODES; e++) {
      const id = `${s.toString(16).padStart(6, '0')}${e.toString(16).padStart(10, '0')}`;
      const complete = e % 3 === 0;
      const record: DownloadRecord = {
        id,
        feed: url,
        guid: `${s}-${e}`,
        title: `Episode ${e}: ${word(e)} and ${word(e + s)}`,
        description: `We talk about ${word(e)}, ${word(e + 1)} and ${word(e + 2)} for an hour. `.repeat(4),
        published: new Date(now - e * 86_400_000 - s * 60_000).toISOString(),
        base: join(libraryDir(home), `show ${s}`, `episode ${e}`),
        status: complete ? 'complete' : 'new',
        attempts: complete ? 1 : 0,
        queuedAt: new Date(now - e * 86_400_000).toISOString(),
        media: `https://podcasts.example/${s}/${e}.mp3`,
        mediaType: 'audio/mpeg',
        length: 50_000_000,
        duration: 3600,
      };
      if (complete) {
        record.path = `${record.base}.mp3`;
        record.via = e % 2 === 0 ? 'swarm' : 'http';
        record.completedAt = record.published!;
        record.seeding = {
          uploaded: e * 1_000_000,
          downloaded: 50_000_000,
          seededMs: e * 60_000,
          done: e > 30,
        };
        if (e % 6 === 0) record.playedAt = record.published!;
      }
      state.downloads.push(record);
    }
  }
  // One real file to play.
  const media = state.downloads[0]!;
  media.status = 'complete';
  media.path = mediaPath;
  media.length = statSync(mediaPath).size;
  await saveState(home, state);
  return { showIds: state.feeds.map((f) => feedId(f.url)), mediaId: media.id };
}

async function measurePages(
  app: ReturnType<typeof createAggregatorApp>,
  headers: Record<string, string>,
  pages: [string, () => string][],
): Promise<boolean> {
  let ok = true;
  console.log(`\npages (${SHOWS} shows x ${EPISODES} episodes, ${REQUESTS} requests each, inject):`);
  console.log('page                      p50 ms   p99 ms   max ms   target p99');
  for (const [name, url] of pages) {
    for (let i = 0; i < 30; i++) await app.inject({ url: url(), headers });
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const res = await app.inject({ url: url(), headers });
      times.push(performance.now() - t0);
      if (res.statusCode !== 200)
        throw new Error(`${url()}: HTTP ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    times.sort((a, b) => a - b);
    const p99 = percentile(times, 99);
    const over = p99 > PAGE_TARGET_MS;
    if (over) ok = false;
    console.log(
      `${name.padEnd(24)} ${percentile(times, 50).toFixed(1).padStart(7)} ${p99.toFixed(1).padStart(8)} ${times[times.length - 1]!.toFixed(1).padStart(8)}   ${over ? 'OVER' : 'ok'} (${PAGE_TARGET_MS})`,
    );
  }
  return ok;
}

async function measureSaves(aggregator: Aggregator): Promise<boolean> {
  const times: number[] = [];
  for (let i = 0; i < SAVES; i++) {
    const t0 = performance.now();
    await aggregator.persist();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p99 = percentile(times, 99);
  console.log(
    `\nsaving the state (${aggregator.state.downloads.length} records): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target ${SAVE_TARGET_MS})`,
  );
  return p99 <= SAVE_TARGET_MS;
}

/** The floor: node:http + fs.createReadStream with the same single-range handling. */
function plainServer(path: string) {
  const size = statSync(path).size;
  return createServer((req, res) => {
    const range = parseRange(req.headers.range, size);
    if (range.kind === 'partial') {
      res.writeHead(206, {
        'content-type': 'audio/mpeg',
        'content-length': range.length,
        'content-range': `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`,
        'accept-ranges': 'bytes',
      });
      createReadStream(path, { start: range.offset, end: range.offset + range.length - 1 }).pipe(res);
    } else {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': size, 'accept-ranges': 'bytes' });
      createReadStream(path).pipe(res);
    }
  });
}

async function drain(url: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  let n = 0;
  for await (const chunk of res.body!) n += (chunk as Uint8Array).byteLength;
  return n;
}

async function streamFigures(url: string, headers: Record<string, string>, size: number) {
  await drain(url, headers); // warm the page cache
  const wholeRuns = 3;
  let t0 = performance.now();
  for (let i = 0; i < wholeRuns; i++) await drain(url, headers);
  const wholeMiBs = (wholeRuns * size) / 1048576 / ((performance.now() - t0) / 1000);
  const ranges = 300;
  t0 = performance.now();
  for (let i = 0; i < ranges; i++) {
    const start = Math.floor(Math.random() * (size - 1048576));
    await drain(url, { ...headers, range: `bytes=${start}-${start + 1048575}` });
  }
  const rangesPerSec = ranges / ((performance.now() - t0) / 1000);
  return { wholeMiBs, rangesPerSec };
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'seedcast-bench-app-'));
  const engine = new Engine();
  let aggregator: Aggregator | undefined;
  try {
    console.log(
      `load average at start: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    await mkdir(libraryDir(home), { recursive: true });
    const mediaPath = join(libraryDir(home), 'bench.mp3');
    writeFileSync(mediaPath, randomBytes(MEDIA_MIB * 1048576));
    const { showIds, mediaId } = await seedHome(home, mediaPath);
    aggregator = new Aggregator(home, { engine });
    await aggregator.open();
    const secret = secretFrom(randomBytes(32).toString('hex'));
    const app = createAggregatorApp({
      aggregator,
      engine,
      home,
      secret,
      assets: await loadAppAssets(),
      lastSeen: { at: 0 },
    });
    const headers = { host: '127.0.0.1:8181', cookie: `seedcast_app=${secret.token}`, accept: 'text/html' };
    const show = () => showIds[Math.floor(Math.random() * showIds.length)]!;
    const episode = () =>
      aggregator!.state.downloads[Math.floor(Math.random() * aggregator!.state.downloads.length)]!.id;
    const pagesOk = await measurePages(app, headers, [
      ['shows /', () => '/'],
      ['new /new', () => '/new'],
      ['search /search', () => `/search?q=${word(Math.floor(Math.random() * 10))}`],
      ['show /shows/<id>', () => `/shows/${show()}`],
      ['episode /episodes/<id>', () => `/episodes/${episode()}`],
      ['sharing /sharing', () => '/sharing'],
      ['settings /settings', () => '/settings'],
      ['GET /api/status', () => '/api/status'],
      ['GET /api/episodes?show=', () => `/api/episodes?show=${show()}`],
    ]);
    const savesOk = await measureSaves(aggregator);

    await app.listen({ host: '127.0.0.1', port: 0 });
    const ours = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/media/${mediaId}`;
    const plain = plainServer(mediaPath);
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const floor = `http://127.0.0.1:${(plain.address() as { port: number }).port}/bench.mp3`;
    const size = MEDIA_MIB * 1048576;
    const a = await streamFigures(ours, { host: headers.host, cookie: headers.cookie }, size);
    const b = await streamFigures(floor, {}, size);
    plain.close();
    console.log(`\nplaying a ${MEDIA_MIB} MiB episode over loopback HTTP:`);
    console.log('server                               whole MiB/s   1 MiB ranges/s');
    console.log(
      `app GET /media/<id>                  ${a.wholeMiBs.toFixed(0).padStart(11)}   ${a.rangesPerSec.toFixed(0).padStart(14)}`,
    );
    console.log(
      `node:http + fs.createReadStream      ${b.wholeMiBs.toFixed(0).padStart(11)}   ${b.rangesPerSec.toFixed(0).padStart(14)}`,
    );
    console.log(
      `ratio (app / node:http)              ${(a.wholeMiBs / b.wholeMiBs).toFixed(2).padStart(11)}   ${(a.rangesPerSec / b.rangesPerSec).toFixed(2).padStart(14)}`,
    );
    await app.close();
    if (!pagesOk || !savesOk) process.exitCode = 1;
  } finally {
    await aggregator?.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
