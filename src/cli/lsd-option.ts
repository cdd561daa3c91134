/**
 * The `--no-lsd` option of `seed`, `download` and `sync`: local service discovery (BEP 14) is on for
 * the commands a user runs on their own machine (libtorrent enables it everywhere); `serve` never
 * uses it, a public server has no LAN to share with.
 */

import { readLsdConfig } from '../config.js';
import type { EngineOptions } from '../engine/index.js';
import type { Parsed } from './args.js';
import { debugLog } from './engine-helpers.js';

export const LSD_OPTION = { 'no-lsd': { type: 'boolean' } } as const;

/**
 * Engine options for a command run on a user's machine: diagnostics (`debugLog`) and local service
 * discovery, on unless `--no-lsd` or `SEEDCAST_LSD=off` (a group given there is used for IPv4 only).
 */
export function userEngineOptions(args: Parsed): EngineOptions {
  const lsd = readLsdConfig({ noLsd: args.values['no-lsd'] === true });
  return { ...debugLog(), lsd: lsd === false ? false : lsd.address ? { ...lsd, address6: false } : true };
}
