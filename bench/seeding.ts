/**
 * `npm run bench:seeding`: a site that seeds many items, restarted (issue 22, slice 2).
 *
 * Publishes BENCH_ITEMS items (default 10,000) of 1 MiB each into a site data folder, straight
 * through the site's `Publisher` (no HTTP API), then restarts `serve` (`startServer`) in a child
 * process and reports: the time until HTTP answers and until every item is registered for seeding
 * (`startServer` resolved), the bytes read from the blob store during the start (content and
 * `.torrent` blobs apart, counted by a wrapping `BlobStore`), the RSS after start and per idle
 * torrent (against the same site with no items), and the engine scheduler's active sessions.
 *
 * The named comparison: the old start (`--recheck`: every piece read and hashed) against the
 * trusted start on BENCH_COMPARE_ITEMS items (default 1,000; 0 skips it), in the same run.
 * Each restart runs in a fresh process, after a warm-up start of the empty site in it (module loading
 * through tsx is not counted), with the public URL the items were published under (as a real
 * restart keeps it: the sessions then know the torrents' tracker as the site's own and never
 * announce to it over the network). Data folders are kept under BENCH_DIR (default the OS temp folder) and reused by later runs.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Transform } from 'node:stream';
import { readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import type { BlobStore } from '../src/storage/index.js';
import { parseTorrent } from '../src/torrent/index.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const COMPARE = Number(process.env.BENCH_COMPARE_ITEMS ?? 1000);
const ROOT = process.env.BENCH_DIR ?? join(tmpdir(), 'seedcast-bench-seeding');
const MIB = 1024 * 1024;

interface ChildResult {
  items: number;
  recheck: boolean;
  httpReadyMs: number;
  readyMs: number;
  /** CPU time (user + system) of the process from the start until ready: steady on a busy machine. */
  cpuMs: number;
  contentBytes: number;
  torrentBytes: number;
  otherBytes: number;
  gets: number;
  heads: number;
  rss: number;
  heapUsed: number;
  seeded: number;
  activeSessions: number;
}

/** A blob store that counts what is read through `get`, by kind of key. */
function counting(
  inner: BlobStore,
  counts: { content: number; torrent: number; other: number; gets: number; heads: number },
): BlobStore {
  return {
    put: (key, body, options) => inner.put(key, body, options),
    head: (key) => {
      counts.heads++;
      return inner.head(key);
    },
    delete: (key) => inner.delete(key),
    list: (prefix) => inner.list(prefix),
    close: () => inner.close(),
    get: async (key, range) => {
      counts.gets++;
      const source = await inner.get(key, range);
      const kind = key.startsWith('files/') ? 'content' : key.endsWith('torrent') ? 'torrent' : 'other';
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          counts[kind] += chunk.length;
          done(null, chunk);
        },
      });
      source.on('error', (err) => tap.destroy(err));
      return source.pipe(tap);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The origin the site in `data` published its torrents under (their tracker's), if any. */
function publishedUrl(data: string): string | undefined {
  const root = join(data, 'blobs', 'items');
  const first = existsSync(root) ? readdirSync(root)[0] : undefined;
  if (!first) return undefined;
  const tracker = parseTorrent(readFileSync(join(root, first, 'torrent'))).announce[0]?.[0];
  return tracker ? new URL(tracker).origin : undefined;
}

const quiet = { jobs: readConfig({ jobs: '0' }, {}).jobs, host: '127.0.0.1', peerPort: 0, archive: false };

/**
 * The child: one restart of the site on `data`, measured, after a warm-up start and stop of the empty
 * site (so tsx compiling the sources is not counted: `serve` from dist/ has no such step).
 */
async function child(data: string, items: number, recheck: boolean): Promise<void> {
  await (await startServer({ ...quiet, data: join(ROOT, 'empty'), port: 0 }, { log: () => {} })).close();
  const counts = { content: 0, torrent: 0, other: 0, gets: 0, heads: 0 };
  const port = await freePort();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let httpReadyMs = 0;
  const poll = (async () => {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        httpReadyMs = performance.now() - started;
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const publicUrl = publishedUrl(data);
  const server = await startServer(
    { ...quiet, data, port, recheck, ...(publicUrl ? { publicUrl } : {}) },
    { wrapBlobs: (b) => counting(b, counts), log: () => {} },
  );
  const readyMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await poll;
  const read = { ...counts };
  await new Promise((r) => setTimeout(r, 3000)); // the first ticks: idle sessions go to sleep
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const mem = process.memoryUsage();
  const engine = (
    server.site.seeding as unknown as { options: { engine: { scheduler: { activeCount: number } } } }
  ).options.engine;
  const result: ChildResult = {
    items,
    recheck,
    httpReadyMs,
    readyMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    contentBytes: read.content,
    torrentBytes: read.torrent,
    otherBytes: read.other,
    gets: read.gets,
    heads: read.heads,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    seeded: server.site.seeding.seededIds().length,
    activeSessions: engine.scheduler.activeCount,
  };
  await server.close();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** Item `i`'s 1 MiB: a shared random-ish base with the index stamped every 64 KiB (cheap, unique). */
function content(base: Buffer, i: number): Buffer {
  const out = Buffer.from(base);
  for (let at = 0; at < out.length; at += 65536) out.writeUInt32BE(i, at);
  return out;
}

/** Publishes `items` items into `data` through the Publisher (reused when already there). */
async function prepare(data: string, items: number): Promise<void> {
  const marker = join(data, `published-${items}`);
  if (existsSync(marker)) return console.log(`reusing ${data} (${items} items)`);
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const server = await startServer({ ...quiet, data, port: 0 }, { log: () => {} });
  const { site } = server;
  const owner = await site.users.register({ username: 'bench', password: 'correct horse battery' });
  const base = Buffer.alloc(MIB);
  for (let i = 0; i < base.length; i += 4)
    base.writeUInt32LE(((Math.imul(i, 2654435761) >>> 0) ^ 0x5bd1e995) >>> 0, i);
  const t0 = performance.now();
  for (let i = 0; i < items; i++) {
    const draft = site.publisher.draft({ maxBytes: 2 * MIB, maxFiles: 1 });
    await draft.add(`item-${i}.bin`, Readable.from([content(base, i)]));
    await site.publisher.publish(owner, draft, { title: `Bench item ${i}`, license: 'CC0-1.0' });
    if ((i + 1) % 1000 === 0)
      console.log(`  published ${i + 1}/${items} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  // Queue their media analysis now (no worker runs it), so the restart has no catch-up to do.
  await (site.processing as { catchUp?: () => Promise<number> }).catchUp?.();
  await server.close();
  writeFileSync(marker, '');
  console.log(`published ${items} items of 1 MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function runChild(data: string, items: number, recheck: boolean): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--expose-gc',
        new URL(import.meta.url).pathname,
        '--child',
        data,
        String(items),
        String(recheck),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`child exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice(7)) as ChildResult);
    });
  });
}

const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;

function show(label: string, r: ChildResult, base: ChildResult): void {
  const per = r.items > 0 ? (r.rss - base.rss) / r.items : 0;
  const heapPer = r.items > 0 ? (r.heapUsed - base.heapUsed) / r.items : 0;
  console.log(`${label}: ${r.items} items (${r.seeded} seeded)`);
  console.log(
    `  HTTP answering after ${(r.httpReadyMs / 1000).toFixed(2)} s; ready (every item seeded) after ${(r.readyMs / 1000).toFixed(2)} s, ${(r.cpuMs / 1000).toFixed(2)} s of CPU`,
  );
  console.log(
    `  read from the blob store during start: content ${r.contentBytes} bytes, .torrent ${r.torrentBytes} bytes (${r.gets} gets, ${r.heads} heads)`,
  );
  console.log(
    `  RSS after start ${mib(r.rss)} (empty site ${mib(base.rss)}): ${(per / 1024).toFixed(1)} KiB per idle torrent; heap ${(heapPer / 1024).toFixed(1)} KiB per torrent`,
  );
  console.log(`  sessions ticked each second after start: ${r.activeSessions}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3]!, Number(process.argv[4]), process.argv[5] === 'true');
    return;
  }
  mkdirSync(ROOT, { recursive: true });
  const empty = join(ROOT, 'empty');
  await prepare(empty, 0);
  const big = join(ROOT, `items-${ITEMS}`);
  await prepare(big, ITEMS);
  const base = await runChild(empty, 0, false);
  const trusted = await runChild(big, ITEMS, false);
  show('trusted start (default)', trusted, base);
  if (COMPARE > 0) {
    const small = join(ROOT, `items-${COMPARE}`);
    await prepare(small, COMPARE);
    const smallTrusted = await runChild(small, COMPARE, false);
    const smallRecheck = await runChild(small, COMPARE, true);
    show(`trusted start, ${COMPARE} items`, smallTrusted, base);
    show(`recheck start (--recheck, the old path), ${COMPARE} items`, smallRecheck, base);
    console.log(
      `ratio on ${COMPARE} items, trusted / recheck: time to ready ${(smallTrusted.readyMs / smallRecheck.readyMs).toFixed(3)}x, content bytes read ${smallTrusted.contentBytes} / ${smallRecheck.contentBytes}`,
    );
  }
}

await main();
