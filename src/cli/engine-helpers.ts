/** Small helpers shared by the commands that run the engine (`download`, `seed`). */

import type { Engine } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import type { PeerAddress } from '../wire/index.js';

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
