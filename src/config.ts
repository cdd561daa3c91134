/**
 * The site's configuration, read once: `seedcast serve` flags win over `SEEDCAST_*` environment
 * variables, which win over the embedded defaults (127.0.0.1:8080, SQLite and local disk under
 * `./seedcast-data`; torrent-only items archived). The result is frozen and handed to `startServer`; nothing else reads the
 * environment.
 */

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { SeedcastError } from './errors.js';
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
}

/** Which proxies' `X-Forwarded-For` to believe (Fastify's `trustProxy`). */
export type TrustProxy = boolean | number | string[];

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
}

type Env = Record<string, string | undefined>;

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
  });
}
