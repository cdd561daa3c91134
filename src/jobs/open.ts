/**
 * Opening the site's job queue: the embedded adapter on the site's own database (the default), or
 * BullMQ (`SEEDCAST_QUEUE=bullmq`) on that database when it is PostgreSQL, else on Redis
 * (`SEEDCAST_REDIS_URL`). BullMQ is loaded only when chosen.
 */

import { type Database, databaseKind } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import type { QueueTimings } from './common.js';
import { EmbeddedJobQueue } from './embedded.js';
import type { JobQueue } from './types.js';

export type QueueBackend = 'embedded' | 'bullmq';

export interface OpenJobQueueOptions extends QueueTimings {
  /** `embedded` (default) or `bullmq`. */
  backend?: QueueBackend;
  /** The site's PostgreSQL URL (BullMQ keeps its tables there, in the `bullmq` schema). */
  databaseUrl?: string;
  /** Redis for BullMQ when the site's database is SQLite. */
  redisUrl?: string;
  /** BullMQ's queue name (default `seedcast`; tests use their own). */
  name?: string;
}

/** Parses `SEEDCAST_QUEUE`. */
export function parseQueueBackend(value: string, source = 'SEEDCAST_QUEUE'): QueueBackend {
  const v = value.trim().toLowerCase();
  if (v === 'embedded' || v === 'bullmq') return v;
  throw new SeedcastError('USAGE', `${source} must be embedded or bullmq, got "${value}"`);
}

/** Opens the queue; closing it leaves `db` open (the site owns it). */
export async function openJobQueue(db: Database, options: OpenJobQueueOptions = {}): Promise<JobQueue> {
  const { backend = 'embedded', databaseUrl, redisUrl, name, ...timings } = options;
  if (backend === 'embedded') return new EmbeddedJobQueue(db, timings);
  const { BullJobQueue } = await import('./bullmq.js');
  if (databaseKind(db) === 'postgres') {
    if (!databaseUrl) throw new SeedcastError('JOBS_CONFIG', 'BullMQ on PostgreSQL needs the database URL');
    return BullJobQueue.open({ postgres: databaseUrl }, { ...timings, name });
  }
  if (!redisUrl)
    throw new SeedcastError(
      'JOBS_CONFIG',
      'SEEDCAST_QUEUE=bullmq needs PostgreSQL (SEEDCAST_DATABASE_URL) or Redis (SEEDCAST_REDIS_URL)',
    );
  return BullJobQueue.open({ redis: redisUrl }, { ...timings, name });
}
