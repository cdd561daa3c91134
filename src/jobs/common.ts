/**
 * What both adapters of the job queue share: their timings (lease, heartbeat, polling, backoff,
 * progress), the backoff curve, checking a `JobSpec`, turning a thrown value into the error text a
 * job keeps, and throttling a handler's progress reports.
 */

import { SeedcastError } from '../errors.js';
import type { JobSpec } from './types.js';

/** How a queue times its work; the defaults suit a site, tests shorten them. */
export interface QueueTimings {
  /** How long a claim holds without renewal (default 30 s); then another worker may take the job. */
  leaseMs?: number;
  /** How often a running job's claim is renewed (default a third of the lease, 10 s). */
  heartbeatMs?: number;
  /** How often idle workers look for work (default 500 ms); an enqueue in this process wakes them at once. */
  pollMs?: number;
  /** The first retry waits `2 × backoffBaseMs`, each next one twice as long (default 1 s: 2 s, 4 s, 8 s...). */
  backoffBaseMs?: number;
  /** Longest wait before a retry (default 5 minutes). */
  backoffMaxMs?: number;
  /** Progress is written at most this often (default 1 s). */
  progressIntervalMs?: number;
}

export type Timings = Required<QueueTimings>;

export function timings(t: QueueTimings = {}): Timings {
  const leaseMs = positive('leaseMs', t.leaseMs, 30_000);
  return {
    leaseMs,
    heartbeatMs: positive('heartbeatMs', t.heartbeatMs, Math.max(1, Math.floor(leaseMs / 3))),
    pollMs: positive('pollMs', t.pollMs, 500),
    backoffBaseMs: positive('backoffBaseMs', t.backoffBaseMs, 1000),
    backoffMaxMs: positive('backoffMaxMs', t.backoffMaxMs, 300_000),
    progressIntervalMs: positive('progressIntervalMs', t.progressIntervalMs, 1000),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new SeedcastError('JOBS_CONFIG', `${name} must be positive`);
  return value;
}

/** The wait before the next attempt after `attempts` attempts: base × 2^attempts, capped. */
export function backoffMs(attempts: number, t: Pick<Timings, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  return Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** Math.max(1, Math.min(attempts, 30)));
}

export const DEFAULT_MAX_ATTEMPTS = 3;

/** A spec as stored: a kind of at most 100 characters, attempts 1..100, JSON payload. */
export function checkSpec(spec: JobSpec): Required<Omit<JobSpec, 'itemId'>> & { itemId: number | null } {
  if (typeof spec.kind !== 'string' || !/^[a-z][a-z0-9._-]{0,99}$/i.test(spec.kind))
    throw new SeedcastError('JOBS_CONFIG', `bad job kind "${String(spec.kind)}"`);
  const maxAttempts = spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
    throw new SeedcastError('JOBS_CONFIG', 'maxAttempts must be a whole number from 1 to 100');
  const itemId = spec.itemId ?? null;
  if (itemId !== null && !Number.isSafeInteger(itemId))
    throw new SeedcastError('JOBS_CONFIG', 'itemId must be a whole number');
  const delayMs = Math.max(0, Math.floor(spec.delayMs ?? 0));
  return { kind: spec.kind, itemId, payload: { ...(spec.payload ?? {}) }, maxAttempts, delayMs };
}

/** The text a failed attempt leaves on its job (one line, at most 2000 characters). */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, 2000) || 'failed';
}

/** Reports progress through `write` at most once per `intervalMs`, the last value always written. */
export class ProgressThrottle {
  private last = 0;
  private pending: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (fraction: number) => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  report(fraction: number): void {
    if (!Number.isFinite(fraction)) return;
    this.pending = Math.min(1, Math.max(0, fraction));
    if (this.timer) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  private flush(): void {
    this.timer = undefined;
    if (this.pending === undefined) return;
    const value = this.pending;
    this.pending = undefined;
    this.last = Date.now();
    this.write(value).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}

/** Thrown into a handler's signal when its worker stops: the job goes back to the queue. */
export class WorkerStopping extends Error {
  constructor() {
    super('the worker is stopping');
    this.name = 'WorkerStopping';
  }
}

/** Thrown into a handler's signal when its job was cancelled or taken over. */
export class LeaseLost extends Error {
  constructor() {
    super('the job was cancelled or another worker took it over');
    this.name = 'LeaseLost';
  }
}

/** Resolves after `ms`, or early when `signal` aborts (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
