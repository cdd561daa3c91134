/**
 * Parts of the site's configuration read from `SEEDCAST_*` variables that `config.ts` assembles:
 * the storage limits and archiving bounds (issue 15), the job queue (issue 18), and the small value
 * parsers (sizes, durations, whole numbers, on/off) every reader shares. Pure functions; nothing
 * here reads `process.env` by itself except as a default argument.
 */

import { SeedcastError } from './errors.js';
import { parseBytes } from './web/limits.js';
import { LOG_LEVELS, type LogLevel } from './web/request-log.js';

export { parseBytes };

/** The environment as given (tests pass their own). */
export type Env = Record<string, string | undefined>;

/** An unset or empty variable is undefined. */
export const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

/** An on/off variable: 1/0, true/false, yes/no, on/off; `fallback` when unset; USAGE otherwise. */
export function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SeedcastError('USAGE', `${name} must be on or off (1/0, true/false, yes/no), got "${value}"`);
}

// --- storage limits and archiving (issue 15, findings 1 and 7) -------------------------------
/** Bounds on what one account may store and on archiving torrent-only items; all from the environment. */
export interface QuotaConfig {
  /** Largest declared total of a torrent-only item (SEEDCAST_TORRENT_MAX_BYTES, default 64 GiB). */
  torrentMaxBytes: number;
  /** Most files in a torrent-only item (SEEDCAST_TORRENT_MAX_FILES, default 10,000). */
  torrentMaxFiles: number;
  /** Default storage quota of an account in bytes, null: none (SEEDCAST_USER_QUOTA, default 100 GiB; admins: none). */
  userQuota: number | null;
  /** Free space kept on the data folder's disk: bytes (SEEDCAST_MIN_FREE_BYTES, default 1 GiB) ... */
  minFreeBytes: number;
  /** ... or, when the setting ends in `%`, that share of the disk (0..1; 0 when given in bytes). */
  minFreeRatio: number;
  /** Torrent-only items downloading at once; the rest wait in a queue (SEEDCAST_ARCHIVE_CONCURRENCY, default 4). */
  archiveConcurrency: number;
  /** Archiving gives up after this long without a verified piece (SEEDCAST_ARCHIVE_STALL, default 24 h). */
  archiveStallMs: number;
  /** Attempts after a failure (full disk, storage error) before archiving stays failed (SEEDCAST_ARCHIVE_RETRIES, default 5). */
  archiveRetries: number;
}

export const DEFAULT_QUOTAS: Readonly<QuotaConfig> = Object.freeze({
  torrentMaxBytes: 64 * 1024 ** 3,
  torrentMaxFiles: 10_000,
  userQuota: 100 * 1024 ** 3,
  minFreeBytes: 1024 ** 3,
  minFreeRatio: 0,
  archiveConcurrency: 4,
  archiveStallMs: 24 * 3_600_000,
  archiveRetries: 5,
});

/** "86400" (seconds), "1500ms", "90s", "30m", "24h", "7d". */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim().toLowerCase());
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? 's') as 's'];
  const n = m ? Math.round(Number(m[1]) * scale) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new SeedcastError('USAGE', `${name} must be a duration (e.g. 86400, 90s, 24h), got "${value}"`);
  return n;
}

export function wholeNumber(name: string, value: string, min: number): number {
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < min)
    throw new SeedcastError('USAGE', `${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/** The storage limits from `SEEDCAST_*` variables over `DEFAULT_QUOTAS`; throws USAGE on a bad value. */
export function readQuotaConfig(env: Env): QuotaConfig {
  const q: QuotaConfig = { ...DEFAULT_QUOTAS };
  const get = (key: string) => blank(env[key]);
  let v = get('SEEDCAST_TORRENT_MAX_BYTES');
  if (v) q.torrentMaxBytes = parseBytes('SEEDCAST_TORRENT_MAX_BYTES', v)!;
  v = get('SEEDCAST_TORRENT_MAX_FILES');
  if (v) q.torrentMaxFiles = wholeNumber('SEEDCAST_TORRENT_MAX_FILES', v, 1);
  v = get('SEEDCAST_USER_QUOTA');
  if (v) q.userQuota = parseBytes('SEEDCAST_USER_QUOTA', v, { none: true });
  v = get('SEEDCAST_MIN_FREE_BYTES');
  if (v?.trim().endsWith('%')) {
    const ratio = Number(v.trim().slice(0, -1)) / 100;
    if (!(ratio >= 0 && ratio < 1))
      throw new SeedcastError('USAGE', `SEEDCAST_MIN_FREE_BYTES: a share below 100%, got "${v}"`);
    q.minFreeRatio = ratio;
    q.minFreeBytes = 0;
  } else if (v) q.minFreeBytes = parseBytes('SEEDCAST_MIN_FREE_BYTES', v)!;
  v = get('SEEDCAST_ARCHIVE_CONCURRENCY');
  if (v) q.archiveConcurrency = wholeNumber('SEEDCAST_ARCHIVE_CONCURRENCY', v, 1);
  v = get('SEEDCAST_ARCHIVE_STALL');
  if (v) q.archiveStallMs = parseDuration('SEEDCAST_ARCHIVE_STALL', v);
  v = get('SEEDCAST_ARCHIVE_RETRIES');
  if (v) q.archiveRetries = wholeNumber('SEEDCAST_ARCHIVE_RETRIES', v, 0);
  return q;
}
// --- end of storage limits -------------------------------------------------------------------

// --- job queue (issue 18, i18-jobs): `serve` and `worker` ----------------------------------------
/** Where jobs are queued and how many this process runs at once. */
export interface JobsConfig {
  /** `embedded` (the site's database; default) or `bullmq` (BullMQ on PostgreSQL or Redis). */
  queue: 'embedded' | 'bullmq';
  /** Jobs run at once in this process (`--jobs N`, `SEEDCAST_JOBS`, default 1; 0: none, workers only). */
  workers: number;
  /** How long a worker's claim on a job holds without renewal (`SEEDCAST_JOB_LEASE`, default 30 s). */
  leaseMs: number;
}

/** `--jobs` over `SEEDCAST_JOBS`, `SEEDCAST_QUEUE`, `SEEDCAST_JOB_LEASE`; throws USAGE on a bad value. */
export function readJobsConfig(flags: { jobs?: string } = {}, env: Env = process.env): JobsConfig {
  const n = flags.jobs ?? blank(env.SEEDCAST_JOBS);
  const workers =
    n === undefined ? 1 : wholeNumber(flags.jobs !== undefined ? '--jobs' : 'SEEDCAST_JOBS', n, 0);
  if (workers > 64)
    throw new SeedcastError(
      'USAGE',
      `${flags.jobs !== undefined ? '--jobs' : 'SEEDCAST_JOBS'} is at most 64`,
    );
  const q = (blank(env.SEEDCAST_QUEUE) ?? 'embedded').trim().toLowerCase();
  if (q !== 'embedded' && q !== 'bullmq')
    throw new SeedcastError(
      'USAGE',
      `SEEDCAST_QUEUE must be embedded or bullmq, got "${env.SEEDCAST_QUEUE}"`,
    );
  const lease = blank(env.SEEDCAST_JOB_LEASE);
  const leaseMs = lease ? parseDuration('SEEDCAST_JOB_LEASE', lease) : 30_000;
  if (leaseMs < 1000) throw new SeedcastError('USAGE', 'SEEDCAST_JOB_LEASE is at least 1s');
  return { queue: q, workers, leaseMs };
}
// --- end of job queue -----------------------------------------------------------------------------

// --- request log (issue 19, site admin) ---------------------------------------------------------
/** `--log-level` over `SEEDCAST_LOG_LEVEL`: undefined when neither is given (no logger: quiet, as `warn`). */
export function readLogLevel(flag: string | undefined, env: Env = process.env): LogLevel | undefined {
  const v = (flag ?? blank(env.SEEDCAST_LOG_LEVEL))?.trim().toLowerCase();
  if (v === undefined) return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(v))
    throw new SeedcastError(
      'USAGE',
      `${flag !== undefined ? '--log-level' : 'SEEDCAST_LOG_LEVEL'} must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`,
    );
  return v as LogLevel;
}
