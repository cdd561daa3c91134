/**
 * The embedded job queue: a `jobs` table in the site's own database (SQLite or PostgreSQL, through
 * Kysely), nothing else to run. A worker claims a job with one atomic statement (PostgreSQL:
 * `FOR UPDATE SKIP LOCKED`; SQLite: one `UPDATE ... WHERE id = (SELECT ...) RETURNING`, serialised by
 * the database's write lock), holding it by a random lease token until `lease_until`, which its
 * heartbeat renews. A job whose lease ran out (its worker was killed) is claimable again; every
 * change a worker makes to a running job names its token, so a job is never completed twice.
 * The workers themselves are in `embedded-workers.ts`.
 */

import { randomUUID } from 'node:crypto';
import type { Selectable, Updateable } from 'kysely';
import { type Database, databaseKind, type JobsTable } from '../db/index.js';
import { backoffMs, checkSpec, type QueueTimings, type Timings, timings } from './common.js';
import { EmbeddedWorkers } from './embedded-workers.js';
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

type Row = Selectable<JobsTable>;

export interface EmbeddedQueueOptions extends QueueTimings {
  /** Destroy the database when the queue closes (default false: the site owns it). */
  ownsDatabase?: boolean;
}

/** A job a worker holds: the job, and the token every later change must name. */
export interface Claim {
  job: Job;
  token: string;
}

export class EmbeddedJobQueue implements JobQueue {
  readonly backend = 'embedded' as const;
  readonly timings: Timings;
  private readonly listeners = new Set<() => void>();
  private readonly workers = new Set<EmbeddedWorkers>();
  private closed = false;

  constructor(
    readonly db: Database,
    private readonly options: EmbeddedQueueOptions = {},
  ) {
    this.timings = timings(options);
  }

  async enqueue(spec: JobSpec): Promise<Job> {
    const s = checkSpec(spec);
    const now = Date.now();
    const row = await this.db
      .insertInto('jobs')
      .values({
        kind: s.kind,
        item_id: s.itemId,
        payload: JSON.stringify(s.payload),
        state: 'queued',
        max_attempts: s.maxAttempts,
        run_after: now + s.delayMs,
        progress: null,
        error: null,
        lease_token: null,
        lease_until: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.wake();
    return toJob(row);
  }

  async get(id: string): Promise<Job | undefined> {
    const n = numericId(id);
    if (n === undefined) return undefined;
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', n).executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async list(filter: JobFilter = {}): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll();
    if (filter.states && filter.states.length > 0) q = q.where('state', 'in', [...filter.states]);
    if (filter.itemId !== undefined) q = q.where('item_id', '=', filter.itemId);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    const limit = Math.max(1, Math.min(1000, Math.floor(filter.limit ?? 100)));
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toJob);
  }

  async cancelItem(itemId: number): Promise<number> {
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'cancelled', lease_token: null, lease_until: null, updated_at: Date.now() })
      .where('item_id', '=', itemId)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    // Running handlers learn it at their next heartbeat, which finds their lease gone.
    return Number(result.numUpdatedRows);
  }

  async retry(id: string): Promise<boolean> {
    const n = numericId(id);
    if (n === undefined) return false;
    const now = Date.now();
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'queued', attempts: 0, progress: null, run_after: now, updated_at: now })
      .where('id', '=', n)
      .where('state', 'in', ['failed', 'cancelled'])
      .executeTakeFirst();
    const ok = Number(result.numUpdatedRows) === 1;
    if (ok) this.wake();
    return ok;
  }

  async counts(): Promise<Record<JobState, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const r of rows) counts[r.state as JobState] = Number(r.n);
    return counts;
  }

  work(handlers: JobHandlers, options: { concurrency: number; log?: (message: string) => void }): JobWorkers {
    const workers = new EmbeddedWorkers(this, handlers, options);
    this.workers.add(workers);
    workers.closed.then(() => this.workers.delete(workers));
    return workers;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.workers].map((w) => w.close()));
    if (this.options.ownsDatabase) await this.db.destroy();
  }

  // --- for the workers --------------------------------------------------------------------------

  /** Calls `listener` whenever this process queues a job (the workers wake at once). */
  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private wake(): void {
    for (const l of this.listeners) l();
  }

  /** Claims the next due job of these kinds (or one whose worker's lease ran out), or none. */
  async claim(kinds: readonly string[]): Promise<Claim | undefined> {
    if (kinds.length === 0) return undefined;
    const now = Date.now();
    const token = randomUUID();
    let next = this.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', [...kinds])
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('run_after')
      .orderBy('id')
      .limit(1);
    if (databaseKind(this.db) === 'postgres') next = next.forUpdate().skipLocked();
    const row = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        lease_token: token,
        lease_until: now + this.timings.leaseMs,
        progress: null,
        updated_at: now,
      }))
      .where('id', '=', next)
      .returningAll()
      .executeTakeFirst();
    return row ? { job: toJob(row), token } : undefined;
  }

  /**
   * Jobs whose worker vanished after their last attempt: failed, not run again (a job that kills its
   * worker each time must not loop forever). Others with a lapsed lease are simply claimed again.
   */
  async failAbandoned(): Promise<number> {
    const now = Date.now();
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'failed',
        error: eb.fn.coalesce('error', eb.val('the worker running it stopped')),
        lease_token: null,
        lease_until: null,
        updated_at: now,
      }))
      .where('state', '=', 'running')
      .where('lease_until', '<', now)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** True when a job of these kinds is due now. */
  async hasDue(kinds: readonly string[]): Promise<boolean> {
    if (kinds.length === 0) return false;
    const now = Date.now();
    const row = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', [...kinds])
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb('lease_until', '<', now)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Renews the lease; false when the job is no longer this claim's (cancelled, or taken over). */
  async renew(claim: Claim): Promise<boolean> {
    const now = Date.now();
    return this.held(claim, { lease_until: now + this.timings.leaseMs, updated_at: now });
  }

  async progress(claim: Claim, fraction: number): Promise<boolean> {
    return this.held(claim, { progress: fraction, updated_at: Date.now() });
  }

  /** Marks the job done; false (and nothing changed) when the claim no longer holds. */
  async complete(claim: Claim): Promise<boolean> {
    const now = Date.now();
    return this.held(claim, {
      state: 'done',
      progress: 1,
      lease_token: null,
      lease_until: null,
      updated_at: now,
    });
  }

  /** Records a failed attempt: queued again after a backoff while attempts remain, else failed. */
  async fail(claim: Claim, error: string, options: { final?: boolean } = {}): Promise<boolean> {
    const now = Date.now();
    const { attempts, maxAttempts } = claim.job;
    const again = !options.final && attempts < maxAttempts;
    const ok = await this.held(claim, {
      state: again ? 'queued' : 'failed',
      error,
      run_after: again ? now + backoffMs(attempts, this.timings) : now,
      lease_token: null,
      lease_until: null,
      updated_at: now,
    });
    if (ok && again) setTimeout(() => this.wake(), backoffMs(attempts, this.timings) + 5).unref();
    return ok;
  }

  /** Gives a job back untouched (its worker is stopping): the attempt does not count. */
  async release(claim: Claim): Promise<boolean> {
    const now = Date.now();
    const ok = await this.held(claim, {
      state: 'queued',
      attempts: Math.max(0, claim.job.attempts - 1),
      run_after: now,
      lease_token: null,
      lease_until: null,
      updated_at: now,
    });
    if (ok) this.wake();
    return ok;
  }

  private async held(claim: Claim, set: Updateable<JobsTable>): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set(set)
      .where('id', '=', Number(claim.job.id))
      .where('state', '=', 'running')
      .where('lease_token', '=', claim.token)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

function numericId(id: string): number | undefined {
  return /^[1-9]\d{0,15}$/.test(id) ? Number(id) : undefined;
}

function parsePayload(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toJob(row: Row): Job {
  return {
    id: String(row.id),
    kind: row.kind,
    itemId: row.item_id === null ? null : Number(row.item_id),
    payload: parsePayload(row.payload),
    state: row.state,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    progress: row.progress === null ? null : Number(row.progress),
    error: row.error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
