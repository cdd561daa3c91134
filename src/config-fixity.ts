/**
 * The fixity settings (issue 22, slice 3): how often each stored item is re-hashed against its
 * piece hashes and how fast, from `SEEDCAST_FIXITY*` environment variables over the defaults (on,
 * every item once in 30 days, at most 8 MiB/s). See docs/scale.md.
 */

import { blank, type Env, flag, parseBytes, parseDuration } from './config-site.js';
import { SeedcastError } from './errors.js';

export interface FixityConfig {
  /** `SEEDCAST_FIXITY=0` turns the periodic checks off (default on); damage found is still repaired. */
  enabled: boolean;
  /** Every item is checked again once its last pass is this old (`SEEDCAST_FIXITY_PERIOD`, default 30d). */
  periodMs: number;
  /** Bytes per second the checks of one process read at most (`SEEDCAST_FIXITY_RATE`, default 8M; 0: no limit). */
  bytesPerSecond: number;
}

export const FIXITY_DEFAULTS: Readonly<FixityConfig> = Object.freeze({
  enabled: true,
  periodMs: 30 * 86_400_000,
  bytesPerSecond: 8 * 1024 * 1024,
});

/** `SEEDCAST_FIXITY`, `SEEDCAST_FIXITY_PERIOD` (at least 1 minute), `SEEDCAST_FIXITY_RATE` (a size per second). */
export function readFixityConfig(env: Env = process.env): FixityConfig {
  const enabled = flag('SEEDCAST_FIXITY', env.SEEDCAST_FIXITY, FIXITY_DEFAULTS.enabled);
  const period = blank(env.SEEDCAST_FIXITY_PERIOD);
  const periodMs = period ? parseDuration('SEEDCAST_FIXITY_PERIOD', period) : FIXITY_DEFAULTS.periodMs;
  if (periodMs < 60_000) throw new SeedcastError('USAGE', 'SEEDCAST_FIXITY_PERIOD is at least 1m');
  const rate = blank(env.SEEDCAST_FIXITY_RATE);
  const bytesPerSecond = rate
    ? (parseBytes('SEEDCAST_FIXITY_RATE', rate.replace(/\/s$/i, '')) ?? 0)
    : FIXITY_DEFAULTS.bytesPerSecond;
  return { enabled, periodMs, bytesPerSecond };
}
