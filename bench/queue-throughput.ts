/**
 * Job queue benchmark: empty jobs (`noop` with no wait) per second through each adapter: the
 * embedded queue on SQLite and on PostgreSQL, BullMQ on PostgreSQL and on Redis. The PostgreSQL and
 * Redis servers are started for the run (test/helpers), or taken from `SEEDCAST_BENCH_PG` (a URL
 * of a server whose maintenance database we may create databases from) and `SEEDCAST_BENCH_REDIS`.
 * `measureEmptyJobs` queues `count` jobs, then times workers (4 at once) from start until every one
 * is done. `bench/transcode.ts` imports it.
 *
 *   node --import tsx bench/queue-throughput.ts [--count 2000] [--backend sqlite,postgres,...]
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/index.js';
import { BullJobQueue } from '../src/jobs/bullmq.js';
import { EmbeddedJobQueue, type JobQueue, noop } from '../src/jobs/index.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { startRedis } from '../test/helpers/redis.js';

export type QueueBench = 'sqlite' | 'postgres' | 'bullmq-postgres' | 'bullmq-redis';
export const QUEUE_BENCHES: readonly QueueBench[] = ['sqlite', 'postgres', 'bullmq-postgres', 'bullmq-redis'];

export interface EmptyJobsResult {
  /** Jobs completed per second by the workers, from their start until the last one was done. */
  jobsPerSecond: number;
  /** Jobs queued per second (one `enqueue` at a time). */
  enqueuePerSecond: number;
}

/** A fresh PostgreSQL database (from `SEEDCAST_BENCH_PG`, or a server started for it) and its cleanup. */
async function postgresDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.SEEDCAST_BENCH_PG;
  if (given) {
    const name = `bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: given });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(given);
    url.pathname = `/${name}`;
    return { url: url.href, stop: async () => undefined };
  }
  const server = await startPostgres();
  return { url: await server.createDatabase(), stop: () => server.stop() };
}

async function openBench(backend: QueueBench): Promise<{ queue: JobQueue; stop: () => Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-bench-jobs-'));
    const db = await openDatabase({ sqlite: join(dir, 'jobs.sqlite') });
    const queue = new EmbeddedJobQueue(db, { ownsDatabase: true });
    return { queue, stop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (backend === 'bullmq-redis') {
    const given = process.env.SEEDCAST_BENCH_REDIS;
    const server = given ? undefined : await startRedis();
    const queue = await BullJobQueue.open(
      { redis: given ?? server!.url },
      { name: `bench-${randomBytes(4).toString('hex')}` },
    );
    return { queue, stop: async () => server?.stop() };
  }
  const database = await postgresDatabase();
  if (backend === 'postgres') {
    const db: Database = await openDatabase(database.url);
    return { queue: new EmbeddedJobQueue(db, { ownsDatabase: true }), stop: database.stop };
  }
  const queue = await BullJobQueue.open({ postgres: database.url }, { name: 'bench' });
  return { queue, stop: database.stop };
}

/** Queues `count` empty jobs, then times `concurrency` workers running them all. */
export async function measureEmptyJobs(
  backend: QueueBench,
  count: number,
  options: { concurrency?: number } = {},
): Promise<EmptyJobsResult> {
  const { queue, stop } = await openBench(backend);
  try {
    const queuedAt = performance.now();
    for (let i = 0; i < count; i++) await queue.enqueue({ kind: 'noop', payload: {} });
    const enqueueSeconds = (performance.now() - queuedAt) / 1000;
    let done = 0;
    let finish!: () => void;
    const all = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const startedAt = performance.now();
    const workers = queue.work(
      { noop },
      {
        concurrency: options.concurrency ?? 4,
        log: (m) => {
          if (m.startsWith('done ') && ++done === count) finish();
        },
      },
    );
    await all;
    const seconds = (performance.now() - startedAt) / 1000;
    await workers.close();
    return { jobsPerSecond: count / seconds, enqueuePerSecond: count / enqueueSeconds };
  } finally {
    await queue.close();
    await stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '2000' },
      backend: { type: 'string', default: QUEUE_BENCHES.join(',') },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const count = Number(values.count);
  const backends = values.backend.split(',').map((b) => b.trim()) as QueueBench[];
  console.log(`empty jobs: ${count} per queue, ${values.concurrency} workers at once`);
  console.log(`${'queue'.padEnd(18)} ${'jobs/s'.padStart(9)} ${'enqueue/s'.padStart(10)}`);
  for (const backend of backends) {
    if (!QUEUE_BENCHES.includes(backend)) throw new Error(`unknown backend ${backend}`);
    const r = await measureEmptyJobs(backend, count, { concurrency: Number(values.concurrency) });
    console.log(
      `${backend.padEnd(18)} ${r.jobsPerSecond.toFixed(0).padStart(9)} ${r.enqueuePerSecond.toFixed(0).padStart(10)}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
