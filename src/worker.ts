/**
 * Composition root of `seedcast worker`: runs the site's jobs from another process or machine. It
 * opens what `serve` opens for media work, from the same settings: the database (SQLite in the data
 * folder, or `SEEDCAST_DATABASE_URL`), the blob store (local disk in the data folder, or
 * `SEEDCAST_STORAGE_URL`) and the job queue (embedded, or `SEEDCAST_QUEUE=bullmq`), then runs the
 * handlers (`noop`, media, `fixity.check`) `jobs.workers` at a time. Closing gives running jobs back to the queue.
 */

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DerivativeRepository, ItemRepository, SiteLinks } from './catalog/index.js';
import { type Config, readConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { Fixity, SqlFixityStore } from './distribution/index.js';
import { type JobHandlers, type JobQueue, type JobWorkers, noop, openJobQueue } from './jobs/index.js';
import { type MediaJobDeps, mediaJobHandlers } from './media/jobs.js';
import { openBlobStore } from './storage/index.js';

export interface RunningWorker {
  queue: JobQueue;
  workers: JobWorkers | undefined;
  close(): Promise<void>;
}

/** Starts the workers; `log` receives `done <id> <kind>` / `failed <id> <kind>: <error>` and problems. */
export async function startWorker(
  config: Partial<Config> = {},
  extras: { log?: (message: string) => void } = {},
): Promise<RunningWorker> {
  const c: Config = { ...readConfig({}, {}), ...config };
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    await mkdir(c.data, { recursive: true, mode: 0o700 });
    const db = await openDatabase(c.databaseUrl ?? { sqlite: join(c.data, 'seedcast.db') });
    closers.push(() => db.destroy());
    const blobs = openBlobStore(c.storageUrl ?? { local: join(c.data, 'blobs') });
    closers.push(() => blobs.close());
    const queue = await openJobQueue(db, {
      backend: c.jobs.queue,
      databaseUrl: c.databaseUrl,
      redisUrl: c.redisUrl,
      leaseMs: c.jobs.leaseMs,
    });
    closers.push(() => queue.close());
    // Its own temporary folder: `serve` empties tmp/media when it starts.
    const tmpRoot = join(c.data, 'tmp', `worker-${process.pid}`);
    await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    closers.push(() => rm(tmpRoot, { recursive: true, force: true }));
    const log = extras.log ?? (() => undefined);
    // Fixity checks (issue 22) run here too; the damage they record is repaired by the seeding `serve`.
    const items = new ItemRepository(db);
    const fixity = new Fixity({
      store: new SqlFixityStore(db),
      items,
      blobs,
      jobs: queue,
      settings: c.fixity,
      log,
    });
    closers.push(() => fixity.close());
    const workers = startJobWorkers(
      queue,
      {
        items,
        blobs,
        tmpRoot,
        links: new SiteLinks(c.publicUrl),
        log,
        // Derivatives and their torrent are recorded in the database; the site seeds them from there.
        derivatives: new DerivativeRepository(db),
        torrentFormat: c.torrentFormat,
      },
      { concurrency: c.jobs.workers, finished: true, handlers: fixity.handlers() },
    );
    if (workers) closers.push(() => workers.close());
    return { queue, workers, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Runs the site's job handlers (`noop`, media, and `handlers`: fixity) `concurrency` at a time in this process (none at 0).
 * `log` gets problems, and each finished job's line when `finished` is set.
 */
export function startJobWorkers(
  queue: JobQueue,
  deps: Omit<MediaJobDeps, 'queue'>,
  options: { concurrency: number; finished?: boolean; handlers?: JobHandlers },
): JobWorkers | undefined {
  if (options.concurrency <= 0) return undefined;
  const log = deps.log ?? (() => undefined);
  return queue.work(
    { noop, ...mediaJobHandlers({ ...deps, queue }), ...options.handlers },
    {
      concurrency: options.concurrency,
      log: (m) => (options.finished || !/^(done|retry) /.test(m) ? log(m) : undefined),
    },
  );
}
