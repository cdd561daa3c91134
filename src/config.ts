/**
 * The site's configuration, read once: `seedcast serve` flags win over `SEEDCAST_*` environment
 * variables, which win over the embedded defaults (127.0.0.1:8080, SQLite and local disk under
 * `./seedcast-data`; torrent-only items archived). The result is frozen and handed to `startServer`; nothing else reads the
 * environment.
 */

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type FixityConfig, readFixityConfig } from './config-fixity.js';
import { type MailConfig, readMailConfig } from './config-mail.js';
import {
  blank,
  type Env,
  flag,
  type JobsConfig,
  parseDuration,
  type QuotaConfig,
  readJobsConfig,
  readLogLevel,
  readQuotaConfig,
  wholeNumber,
} from './config-site.js';
import { parseBootstrap } from './dht/index.js';
import { SeedcastError } from './errors.js';
import { parseTorrentFormat, type TorrentFormat } from './torrent/format.js';
import { type LimitOverrides, parseLimits } from './web/limits.js';
import type { LogLevel } from './web/request-log.js';

export {
  DEFAULT_QUOTAS,
  type JobsConfig,
  parseBytes,
  parseDuration,
  type QuotaConfig,
  readJobsConfig,
  readQuotaConfig,
} from './config-site.js';

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
  /** Read and hash every stored item at start instead of trusting the hashes recorded (default off). */
  recheck: boolean;
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
  /** Fixity checks and repairs (issue 22): `config-fixity.ts`. */
  fixity: FixityConfig;
  /** Fastify's request log (`--log-level`, SEEDCAST_LOG_LEVEL); undefined: none (quiet, like `warn`). */
  logLevel: LogLevel | undefined;
  /** One node of several serving one site (issue 22): see `readClusterConfig`; undefined: alone. */
  cluster: ClusterConfig | undefined;
}

// --- cluster (issue 22, two-nodes): docs/scale-out.md ----------------------------------------
/** This process as one node of several that serve one site on a shared PostgreSQL, S3 store and Redis. */
export interface ClusterConfig {
  /** This node's name, unique among the site's nodes (`--node-id`, SEEDCAST_NODE_ID). */
  nodeId: string;
  /** How long a node counts as live after its last heartbeat (SEEDCAST_NODE_TTL, default 15s). */
  ttlMs: number;
}

/**
 * `--node-id` over SEEDCAST_NODE_ID turns cluster mode on; it needs what the nodes share (a PostgreSQL
 * database, an S3-compatible store and Redis) and throws USAGE without them or on a bad id or TTL.
 */
export function readClusterConfig(
  flags: { nodeId?: string },
  env: Env,
  shared: { databaseUrl?: string; storageUrl?: string; redisUrl?: string },
): ClusterConfig | undefined {
  const nodeId = flags.nodeId ?? blank(env.SEEDCAST_NODE_ID);
  if (nodeId === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(nodeId))
    throw new SeedcastError('USAGE', `--node-id: 1-64 letters, digits, '.', '_' or '-', got "${nodeId}"`);
  const missing = [
    !/^postgres(ql)?:/.test(shared.databaseUrl ?? '') && 'SEEDCAST_DATABASE_URL (postgres://...)',
    !shared.storageUrl && 'SEEDCAST_STORAGE_URL (s3://...)',
    !shared.redisUrl && 'SEEDCAST_REDIS_URL',
  ].filter(Boolean);
  if (missing.length > 0)
    throw new SeedcastError('USAGE', `--node-id: the nodes of a site share ${missing.join(', ')}; set it`);
  const ttl = blank(env.SEEDCAST_NODE_TTL);
  const ttlMs = ttl === undefined ? 15_000 : parseDuration('SEEDCAST_NODE_TTL', ttl);
  if (ttlMs < 3_000 || ttlMs > 600_000)
    throw new SeedcastError('USAGE', 'SEEDCAST_NODE_TTL: between 3s and 10m');
  return { nodeId, ttlMs };
}
// --- end of cluster ---------------------------------------------------------------------------

/** Which proxies' `X-Forwarded-For` to believe (Fastify's `trustProxy`). */
export type TrustProxy = boolean | number | string[];

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

/** What the command line gave (undefined: not given). */
export interface ConfigFlags {
  host?: string;
  port?: number;
  data?: string;
  peerPort?: number;
  publicUrl?: string;
  /** `--archive` / `--no-archive`. */
  archive?: boolean;
  /** `--recheck`. */
  recheck?: boolean;
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
  /** `--log-level` (issue 19). */
  logLevel?: string;
  /** `--node-id` (issue 22): this node's name in a cluster. */
  nodeId?: string;
}

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
    recheck: flags.recheck ?? flag('SEEDCAST_RECHECK', env.SEEDCAST_RECHECK, false),
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
    fixity: Object.freeze(readFixityConfig(env)),
    logLevel: readLogLevel(flags.logLevel, env),
    cluster: readClusterConfig({ nodeId: flags.nodeId }, env, {
      databaseUrl: blank(env.SEEDCAST_DATABASE_URL),
      storageUrl: blank(env.SEEDCAST_STORAGE_URL),
      redisUrl: blank(env.SEEDCAST_REDIS_URL),
    }),
  });
}

/** `--tracker-grace`: a duration in whole seconds (default 600), `0` or `off` for none. */
function graceSeconds(value: string | undefined): number {
  if (value === undefined) return 600;
  if (['0', 'off', 'no', 'false'].includes(value.trim().toLowerCase())) return 0;
  return Math.max(1, Math.round(parseDuration('--tracker-grace', value) / 1000));
}
