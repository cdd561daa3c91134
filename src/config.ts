/**
 * The site's configuration, read once: `seedcast serve` flags win over `SEEDCAST_*` environment
 * variables, which win over the embedded defaults (127.0.0.1:8080, SQLite and local disk under
 * `./seedcast-data`; torrent-only items archived). The result is frozen and handed to `startServer`; nothing else reads the
 * environment.
 */

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type MailConfig, readMailConfig } from './config-mail.js';
import { parseBootstrap } from './dht/index.js';
import { SeedcastError } from './errors.js';
import { parseTorrentFormat, type TorrentFormat } from './torrent/format.js';
import { type LimitOverrides, parseLimits } from './web/limits.js';

export interface Config {
  host: string;
  port: number;
  /** Absolute path of the data folder (SQLite database, blobs, temporary uploads). */
  data: string;
  /** TCP port of the seeding peer (0: any free port). */
  peerPort: number;
  /** Public base URL without a trailing slash; default `http://host:port` once listening. */
  publicUrl: string | undefined;
  /** `postgres://...`; default SQLite in the data folder. */
  databaseUrl: string | undefined;
  /** `s3://bucket?endpoint=...`; default local disk in the data folder. */
  storageUrl: string | undefined;
  /** Redis for the tracker's swarms; default in memory. */
  redisUrl: string | undefined;
  /** Archive torrent-only items: fetch their content through the swarm and keep it (default on). */
  archive: boolean;
  // web limits (issue 15): action rates, failures, lockout, timeouts, connection cap; metrics access
  /** From `SEEDCAST_LIMITS` then each `--limit` (later names win); see `parseLimits`. */
  limits: LimitOverrides;
  /** Bearer token that may read `/metrics` from anywhere (else loopback only). */
  metricsToken: string | undefined;
  // outbound policy and proxy trust (issue 15, netpolicy)
  /** Let the site contact loopback, private and link-local addresses on a user's behalf (default off). */
  allowPrivateUrls: boolean;
  /** Fastify `trustProxy`: false, true, a hop count, or addresses/CIDRs of trusted proxies. */
  trustProxy: TrustProxy;
  /** Storage limits and archiving bounds (issue 15): see `readQuotaConfig`. */
  quotas: QuotaConfig;
  // torrent-only publishing (issue 16, publishing)
  /**
   * Seconds the site's tracker keeps tracking an info hash not (yet) published after its last
   * announce, answering with no peers (`--tracker-grace`, SEEDCAST_TRACKER_GRACE, default 600; 0: off).
   */
  trackerGrace: number;
  /** The site's peer in the DHT (issue 16): see `readDhtConfig`. */
  dht: DhtConfig;
  // torrent format (issue 16, format): docs/interop.md
  /** Torrents made for uploads: `v1` (default) or `hybrid` (`--torrent-format`, SEEDCAST_TORRENT_FORMAT). */
  torrentFormat: TorrentFormat;
  /** The seeding peer's WebRTC side (issue 17): see `readWebRtcConfig`. */
  webrtc: WebRtcConfig;
  /** The job queue and this process's workers (issue 18): see `readJobsConfig`. */
  jobs: JobsConfig;
  /** Outgoing mail (issue 19): `config-mail.ts`. */
  mail: MailConfig;
}

/** Which proxies' `X-Forwarded-For` to believe (Fastify's `trustProxy`). */
export type TrustProxy = boolean | number | string[];

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

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "1073741824", "64G", "64GiB", "1.5 TB" (powers of 1024); "none"/"unlimited" is null when allowed. */
export function parseBytes(name: string, value: string, options: { none?: boolean } = {}): number | null {
  const v = value.trim().toLowerCase();
  if (options.none && ['none', 'unlimited', 'off'].includes(v)) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/.exec(v) ?? /^(\d+)()b?$/.exec(v);
  const n = m ? Math.floor(Number(m[1]) * UNITS[m[2]!]!) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new SeedcastError(
      'USAGE',
      `${name} must be a size in bytes (e.g. 1073741824, 512M, 64GiB), got "${value}"`,
    );
  return n;
}

/** "86400" (seconds), "1500ms", "90s", "30m", "24h", "7d". */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim().toLowerCase());
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? 's') as 's'];
  const n = m ? Math.round(Number(m[1]) * scale) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new SeedcastError('USAGE', `${name} must be a duration (e.g. 86400, 90s, 24h), got "${value}"`);
  return n;
}

function wholeNumber(name: string, value: string, min: number): number {
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

// --- DHT (issue 16, i16-dht): `serve`, `seed`, `download`, `sync` -----------------------------
/** Whether to join the DHT (BEP 5) and from where. */
export interface DhtConfig {
  /** `--no-dht` / `SEEDCAST_DHT=0` turn it off (default on). */
  enabled: boolean;
  /** `HOST:PORT` bootstrap nodes (`--dht-bootstrap`, else `SEEDCAST_DHT_BOOTSTRAP`); undefined: the public routers; empty: none. */
  bootstrap: string[] | undefined;
}

/** `--no-dht` and `--dht-bootstrap` (flags) over `SEEDCAST_DHT` and `SEEDCAST_DHT_BOOTSTRAP`; throws USAGE on a bad entry. */
export function readDhtConfig(
  flags: { noDht?: boolean; bootstrap?: string[] },
  env: Env = process.env,
): DhtConfig {
  const enabled = flags.noDht ? false : flag('SEEDCAST_DHT', env.SEEDCAST_DHT, true);
  const given = flags.bootstrap ?? [];
  const fromEnv = blank(env.SEEDCAST_DHT_BOOTSTRAP);
  const bootstrap =
    given.length > 0
      ? parseBootstrap(given)
      : fromEnv !== undefined
        ? parseBootstrap([fromEnv], 'SEEDCAST_DHT_BOOTSTRAP')
        : undefined;
  return { enabled, bootstrap };
}
// --- end of DHT ---------------------------------------------------------------------------------

// --- WebRTC (issue 17, i17-rtcpeer): the site's peer answers WebTorrent offers --------------------
/** Whether the seeding peer accepts WebRTC peers (when `@roamhq/wrtc` is installed), and how many. */
export interface WebRtcConfig {
  /** `SEEDCAST_WEBRTC=0` turns it off (default on). */
  enabled: boolean;
  /** Most WebRTC connections at once (`SEEDCAST_WEBRTC_MAX_CONNECTIONS`, default 200). */
  maxConnections: number;
  /**
   * STUN servers (`SEEDCAST_STUN`, comma-separated `stun:`/`stuns:` URLs; default none) given to the
   * site's peer and to every viewer's player, so browsers behind NAT learn their public address and
   * reach one another (RFC 8489). None: viewers connect where their own addresses reach.
   */
  stun: string[];
}

/** `--no-webrtc` over `SEEDCAST_WEBRTC`, and `SEEDCAST_WEBRTC_MAX_CONNECTIONS`; throws USAGE on a bad value. */
export function readWebRtcConfig(flags: { noWebrtc?: boolean } = {}, env: Env = process.env): WebRtcConfig {
  const max = blank(env.SEEDCAST_WEBRTC_MAX_CONNECTIONS);
  const stun = (blank(env.SEEDCAST_STUN) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = stun.find((url) => !/^stuns?:[A-Za-z0-9.:[\]-]{1,253}(\?transport=(udp|tcp))?$/.test(url));
  if (bad !== undefined || stun.length > 8)
    throw new SeedcastError(
      'USAGE',
      `SEEDCAST_STUN: at most 8 stun: or stuns: URLs, got "${bad ?? stun.length}"`,
    );
  return {
    enabled: flags.noWebrtc ? false : flag('SEEDCAST_WEBRTC', env.SEEDCAST_WEBRTC, true),
    maxConnections: max ? wholeNumber('SEEDCAST_WEBRTC_MAX_CONNECTIONS', max, 1) : 200,
    stun,
  };
}
// --- end of WebRTC ------------------------------------------------------------------------------

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

/** What the command line gave (undefined: not given). */
export interface ConfigFlags {
  host?: string;
  port?: number;
  data?: string;
  peerPort?: number;
  publicUrl?: string;
  /** `--archive` / `--no-archive`. */
  archive?: boolean;
  /** Each `--limit name=value[,name=value...]`. */
  limits?: string[];
  // outbound policy and proxy trust (issue 15, netpolicy)
  allowPrivateUrls?: boolean;
  /** `--trust-proxy` as given: `true`, a hop count, or comma-separated addresses/CIDRs. */
  trustProxy?: string;
  /** `--tracker-grace` as given: a duration (`600`, `10m`) or `0`/`off`. */
  trackerGrace?: string;
  /** `--no-dht`; each `--dht-bootstrap`. */
  noDht?: boolean;
  dhtBootstrap?: string[];
  /** `--torrent-format v1|hybrid` (issue 16, format). */
  torrentFormat?: string;
  /** `--no-webrtc` (issue 17). */
  noWebrtc?: boolean;
  /** `--jobs N` as given (issue 18). */
  jobs?: string;
}

type Env = Record<string, string | undefined>;

// --- local service discovery (issue 16, lsd) ------------------------------------------------
/** BEP 14 multicast for `seed`, `download` and `sync` (the site never uses it: it has no LAN). */
export type LsdConfig = false | { address?: string; port?: number };

/**
 * `--no-lsd` wins over `SEEDCAST_LSD`: `on` (the default), `off`, or another IPv4 group as
 * `ADDRESS:PORT` (tests, private networks). Throws USAGE on anything else.
 */
export function readLsdConfig(flags: { noLsd?: boolean }, env: Env = process.env): LsdConfig {
  if (flags.noLsd) return false;
  const v = blank(env.SEEDCAST_LSD?.trim());
  const group = v ? /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(v) : null;
  if (group) {
    const port = Number(group[2]);
    const multicast = isIP(group[1]!) === 4 && Number(group[1]!.split('.')[0]) >= 224;
    if (!multicast || Number(group[1]!.split('.')[0]) > 239 || port < 1 || port > 65535)
      throw new SeedcastError('USAGE', `SEEDCAST_LSD: ${v} is not an IPv4 multicast group and port`);
    return { address: group[1]!, port };
  }
  return flag('SEEDCAST_LSD', v, true) ? {} : false;
}
// --- end of local service discovery ----------------------------------------------------------

function port(name: string, value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new SeedcastError('USAGE', `${name} must be a port number (0-65535), got "${value}"`);
  }
  return n;
}

function publicUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SeedcastError('USAGE', `public URL "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SeedcastError('USAGE', 'the public URL must be http:// or https://');
  }
  return url.href.replace(/\/+$/, '');
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SeedcastError('USAGE', `${name} must be on or off (1/0, true/false, yes/no), got "${value}"`);
}

/** `--trust-proxy`: `true`/`false`, a hop count, or comma-separated addresses and CIDRs. */
export function trustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === '') return false;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const entry of list) {
    const [address, bits, extra] = entry.split('/');
    const ok =
      extra === undefined &&
      (isIP(address ?? '') !== 0 || ['loopback', 'linklocal', 'uniquelocal'].includes(address ?? '')) &&
      (bits === undefined ||
        (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address ?? '') === 6 ? 128 : 32)));
    if (!ok)
      throw new SeedcastError(
        'USAGE',
        `--trust-proxy takes true, a hop count or comma-separated addresses/CIDRs; "${entry}" is none of these`,
      );
  }
  return list;
}

const blank = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

/** Flags over `env` over defaults; throws USAGE on a bad port or URL. */
export function readConfig(flags: ConfigFlags = {}, env: Env = process.env): Readonly<Config> {
  return Object.freeze({
    host: flags.host ?? blank(env.SEEDCAST_HOST) ?? '127.0.0.1',
    port: port('--port', flags.port ?? env.SEEDCAST_PORT, 8080),
    data: resolve(flags.data ?? blank(env.SEEDCAST_DATA) ?? 'seedcast-data'),
    peerPort: port('--peer-port', flags.peerPort ?? env.SEEDCAST_PEER_PORT, 0),
    publicUrl: publicUrl(flags.publicUrl ?? env.SEEDCAST_PUBLIC_URL),
    databaseUrl: blank(env.SEEDCAST_DATABASE_URL),
    storageUrl: blank(env.SEEDCAST_STORAGE_URL),
    redisUrl: blank(env.SEEDCAST_REDIS_URL),
    archive: flags.archive ?? flag('SEEDCAST_ARCHIVE', env.SEEDCAST_ARCHIVE, true),
    limits: parseLimits([env.SEEDCAST_LIMITS ?? '', ...(flags.limits ?? [])]),
    metricsToken: blank(env.SEEDCAST_METRICS_TOKEN),
    allowPrivateUrls:
      flags.allowPrivateUrls ?? flag('SEEDCAST_ALLOW_PRIVATE_URLS', env.SEEDCAST_ALLOW_PRIVATE_URLS, false),
    trustProxy: trustProxy(flags.trustProxy ?? env.SEEDCAST_TRUST_PROXY),
    quotas: Object.freeze(readQuotaConfig(env)),
    trackerGrace: graceSeconds(flags.trackerGrace ?? blank(env.SEEDCAST_TRACKER_GRACE)),
    dht: readDhtConfig({ noDht: flags.noDht, bootstrap: flags.dhtBootstrap }, env),
    torrentFormat: parseTorrentFormat(
      flags.torrentFormat ?? blank(env.SEEDCAST_TORRENT_FORMAT) ?? 'v1',
      flags.torrentFormat === undefined ? 'SEEDCAST_TORRENT_FORMAT' : '--torrent-format',
    ),
    webrtc: readWebRtcConfig({ noWebrtc: flags.noWebrtc }, env),
    jobs: Object.freeze(readJobsConfig({ jobs: flags.jobs }, env)),
    mail: Object.freeze(readMailConfig(env)),
  });
}

/** `--tracker-grace`: a duration in whole seconds (default 600), `0` or `off` for none. */
function graceSeconds(value: string | undefined): number {
  if (value === undefined) return 600;
  if (['0', 'off', 'no', 'false'].includes(value.trim().toLowerCase())) return 0;
  return Math.max(1, Math.round(parseDuration('--tracker-grace', value) / 1000));
}
