/** Small helpers shared by the commands that run the engine (`download`, `seed`, `sync`). */

import { join } from 'node:path';
import { seedcastHome } from '../aggregator/paths.js'; // not the index: it loads the whole aggregator
import { readDhtConfig } from '../config.js';
import type { DhtOptions } from '../dht/index.js';
import type { Engine } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import type { PeerAddress } from '../wire/index.js';
import { listFlag, type OptionSpec, type Parsed } from './args.js';

const DEFAULT_PORT = 6881;

/** Listen on `port`; without an explicit port, 6881 or (if taken) any free port. */
export async function listenWithFallback(engine: Engine, port: number | undefined): Promise<number> {
  try {
    return await engine.listen(port ?? DEFAULT_PORT);
  } catch (err) {
    if (port === undefined && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') return engine.listen(0);
    throw err;
  }
}

/** "host:port" or "[v6]:port" -> a peer address. */
export function parsePeerFlag(text: string): PeerAddress {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535)
    throw new SeedcastError('USAGE', `--peer must be HOST:PORT, got "${text}"`);
  return { host: m[1]!, port };
}

/** Resolves with 'signal' on the first SIGINT or SIGTERM. */
export function waitForSignal(): Promise<'signal'> {
  return new Promise((resolve) => {
    const on = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve('signal');
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Engine options that print diagnostics on stderr when SEEDCAST_DEBUG is set. */
export function debugLog(): { log?: (message: string) => void } {
  return process.env.SEEDCAST_DEBUG ? { log: (message) => process.stderr.write(`debug: ${message}\n`) } : {};
}

/** The DHT flags of `seed`, `download`, `sync` (and `serve`). */
export const DHT_FLAGS: OptionSpec = {
  'no-dht': { type: 'boolean' },
  'dht-bootstrap': { type: 'string', multiple: true },
};

/** Their --help lines. */
export const DHT_HELP = `  --no-dht           do not join the BitTorrent DHT (SEEDCAST_DHT=0; default: join it, BEP 5,
                     on the UDP port of the peer port's number)
  --dht-bootstrap HOST:PORT
                     DHT bootstrap node, repeatable, instead of the public routers
                     (SEEDCAST_DHT_BOOTSTRAP, comma-separated; "none": no bootstrap node)`;

/**
 * The engine's `dht` option from the flags and environment: false with --no-dht; else the bootstrap
 * nodes and the routing table kept in $SEEDCAST_HOME/dht.json (shared by seed, download and sync).
 */
export function dhtOption(args: Parsed): DhtOptions | false {
  const config = readDhtConfig({
    noDht: args.values['no-dht'] === true,
    bootstrap: listFlag(args, 'dht-bootstrap'),
  });
  if (!config.enabled) return false;
  return {
    ...(config.bootstrap ? { bootstrap: config.bootstrap } : {}),
    statePath: join(seedcastHome(), 'dht.json'),
  };
}
