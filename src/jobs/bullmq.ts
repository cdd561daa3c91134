/**
 * The BullMQ adapter (`SEEDCAST_QUEUE=bullmq`): BullMQ 6 on the site's PostgreSQL (its own tables in
 * the `bullmq` schema, claims by `FOR UPDATE SKIP LOCKED`, wake-ups by LISTEN/NOTIFY) or on Redis.
 * One BullMQ queue holds every kind (the job's name is its kind; data is `{ itemId, payload }`).
 *
 * - States: waiting/prioritized/delayed are `queued`, active is `running`, completed is
 *   `done`, failed is `failed`, or `cancelled` when the job carries the cancelled marker.
 * - Retries: BullMQ's attempts with our backoff curve (`backoffMs`); a worker's lock is our lease
 *   (`lockDuration`, renewed every `heartbeatMs`); a killed worker's job stalls and BullMQ's stalled
 *   check (every lease) moves it back to wait for another worker.
 * - Cancelling an item removes its waiting jobs and marks its running ones; each worker checks its
 *   running jobs' markers every heartbeat and aborts the handler, which fails the job for good.
 * - Closing the workers moves their running jobs back to wait (the attempt does not count).
 * The workers are in `bullmq-workers.ts`.
 */

import {
  type Job as BullJob,
  createPostgresBackend,
  type JobsOptions,
  type JobType,
  Queue,
  withBackend,
} from 'bullmq';
import { BullWorkers } from './bullmq-workers.js';
import type { QueueTimings, Timings } from './common.js';
import { backoffMs, checkSpec, timings } from './common.js';
import {
  JOB_STATES,
  type Job,
  type JobFilter,
  type JobHandlers,
  type JobQueue,
  type JobSpec,
  type JobState,
  type JobWorkers,
} from './types.js';

/** Where BullMQ keeps its queue. */
export type BullTarget = { postgres: string } | { redis: string };

export interface BullQueueOptions extends QueueTimings {
  /** The queue's name (default `seedcast`). */
  name?: string;
}

/** What we store in a BullMQ job's data. */
export interface BullData {
  itemId: number | null;
  payload: Record<string, unknown>;
  /** Set when the job's item was cancelled while it ran (or was about to). */
  cancelled?: boolean;
}

const QUEUED_TYPES: JobType[] = ['waiting', 'prioritized', 'delayed', 'waiting-children'];
const TYPES: Record<JobState, JobType[]> = {
  queued: QUEUED_TYPES,
  running: ['active'],
  done: ['completed'],
  failed: ['failed'],
  cancelled: ['failed', 'active', ...QUEUED_TYPES],
};

// biome-ignore lint/suspicious/noExplicitAny: BullMQ's generics differ per backend
export type AnyQueue = Queue<BullData, any, string, any, any, any, any, any>;

export class BullJobQueue implements JobQueue {
  readonly backend = 'bullmq' as const;
  readonly timings: Timings;
  private readonly workers = new Set<BullWorkers>();

  private constructor(
    readonly target: BullTarget,
    readonly name: string,
    readonly queue: AnyQueue,
    options: QueueTimings,
  ) {
    this.timings = timings(options);
  }

  static async open(target: BullTarget, options: BullQueueOptions = {}): Promise<BullJobQueue> {
    const { name = 'seedcast', ...rest } = options;
    const queue = newQueue(target, name);
    queue.on('error', () => undefined); // connection errors surface on the next call
    await queue.waitUntilReady();
    return new BullJobQueue(target, name, queue, rest);
  }

  /** BullMQ's connection options for a queue or worker on `target`. */
  static connection(target: BullTarget, poolSize = 4) {
    if ('postgres' in target) return { connectionString: target.postgres, migrate: true, max: poolSize };
    const url = new URL(target.redis);
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 6379),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    };
  }

  async enqueue(spec: JobSpec): Promise<Job> {
    const s = checkSpec(spec);
    const opts: JobsOptions = {
      attempts: s.maxAttempts,
      backoff: { type: 'seedcast' },
      delay: s.delayMs,
      removeOnComplete: { age: 7 * 86_400, count: 10_000 },
      removeOnFail: { age: 30 * 86_400, count: 10_000 },
    };
    const job = await this.queue.add(s.kind, { itemId: s.itemId, payload: s.payload }, opts);
    return toJob(job as BullJob<BullData>, 'queued');
  }

  async get(id: string): Promise<Job | undefined> {
    if (!/^[\w:-]{1,100}$/.test(id)) return undefined;
    const job = (await this.queue.getJob(id)) as BullJob<BullData> | undefined;
    if (!job) return undefined;
    return toJob(job, stateOf(await job.getState(), job.data));
  }

  async list(filter: JobFilter = {}): Promise<Job[]> {
    const limit = Math.max(1, Math.min(1000, Math.floor(filter.limit ?? 100)));
    const wanted = filter.states && filter.states.length > 0 ? filter.states : JOB_STATES;
    const types = [...new Set(wanted.flatMap((s) => TYPES[s]))];
    const scan = filter.itemId !== undefined || filter.kind !== undefined ? 2000 : limit;
    const found = new Map<string, Job>();
    for (const type of types) {
      const jobs = (await this.queue.getJobs([type], 0, scan - 1, false)) as BullJob<BullData>[];
      for (const job of jobs) {
        if (!job?.id || found.has(job.id)) continue;
        const j = toJob(job, stateOf(type, job.data));
        if (!wanted.includes(j.state)) continue;
        if (filter.itemId !== undefined && j.itemId !== filter.itemId) continue;
        if (filter.kind !== undefined && j.kind !== filter.kind) continue;
        found.set(job.id, j);
      }
    }
    return [...found.values()]
      .sort((a, b) => b.createdAt - a.createdAt || idOrder(b.id, a.id))
      .slice(0, limit);
  }

  async cancelItem(itemId: number): Promise<number> {
    const jobs = (await this.queue.getJobs(['active', ...QUEUED_TYPES], 0, -1, false)) as BullJob<BullData>[];
    let n = 0;
    for (const job of jobs) {
      if (!job?.id || job.data?.itemId !== itemId || job.data.cancelled) continue;
      await job.updateData({ ...job.data, cancelled: true });
      n++;
      // Waiting jobs are removed; a running one (locked) is aborted by its worker's next check.
      if ((await job.getState()) !== 'active') await job.remove().catch(() => undefined);
    }
    return n;
  }

  async retry(id: string): Promise<boolean> {
    if (!/^[\w:-]{1,100}$/.test(id)) return false;
    const job = (await this.queue.getJob(id)) as BullJob<BullData> | undefined;
    if (!job || (await job.getState()) !== 'failed') return false;
    if (job.data.cancelled) await job.updateData({ itemId: job.data.itemId, payload: job.data.payload });
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = await this.queue.getJobCounts(...QUEUED_TYPES, 'active', 'completed', 'failed');
    const failed = (await this.queue.getJobs(['failed'], 0, 999, false)) as BullJob<BullData>[];
    const cancelled = failed.filter((j) => j?.data?.cancelled).length;
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    counts.queued = QUEUED_TYPES.reduce((sum, t) => sum + (c[t] ?? 0), 0);
    counts.running = c.active ?? 0;
    counts.done = c.completed ?? 0;
    counts.failed = Math.max(0, (c.failed ?? 0) - cancelled);
    counts.cancelled = cancelled;
    return counts;
  }

  work(handlers: JobHandlers, options: { concurrency: number; log?: (message: string) => void }): JobWorkers {
    const workers = new BullWorkers(this, handlers, options);
    this.workers.add(workers);
    workers.closed.then(() => this.workers.delete(workers));
    return workers;
  }

  /** BullMQ's backoff strategy for `backoff: { type: 'seedcast' }`. */
  backoff(attemptsMade: number): number {
    return backoffMs(attemptsMade, this.timings);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
    await this.queue.close();
  }
}

function newQueue(target: BullTarget, name: string): AnyQueue {
  if ('postgres' in target) {
    const { Queue: PgQueue } = withBackend(createPostgresBackend);
    return new PgQueue<BullData>(name, {
      connection: BullJobQueue.connection(target),
    }) as unknown as AnyQueue;
  }
  return new Queue<BullData>(name, {
    connection: BullJobQueue.connection(target),
    prefix: 'seedcast',
  }) as unknown as AnyQueue;
}

function stateOf(type: string, data: BullData | undefined): JobState {
  const cancelled = data?.cancelled === true;
  if (type === 'completed') return 'done';
  if (type === 'failed') return cancelled ? 'cancelled' : 'failed';
  if (cancelled) return 'cancelled';
  if (type === 'active') return 'running';
  return 'queued';
}

function idOrder(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function toJob(job: BullJob<BullData>, state: JobState): Job {
  const data = job.data ?? { itemId: null, payload: {} };
  const progress = typeof job.progress === 'number' ? job.progress : null;
  return {
    id: String(job.id),
    kind: job.name,
    itemId: typeof data.itemId === 'number' ? data.itemId : null,
    payload: data.payload && typeof data.payload === 'object' ? data.payload : {},
    state,
    attempts: job.attemptsStarted ?? job.attemptsMade ?? 0,
    maxAttempts: job.opts?.attempts ?? 1,
    progress: state === 'done' ? 1 : progress,
    error: job.failedReason ? job.failedReason : null,
    createdAt: job.timestamp,
    updatedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
  };
}
