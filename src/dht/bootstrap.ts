/**
 * Bootstrap nodes (BEP 5): where a node with an empty routing table starts. By default the public
 * routers that libtorrent, Transmission and uTorrent use; `--dht-bootstrap HOST:PORT` (repeatable)
 * or `SEEDCAST_DHT_BOOTSTRAP` (comma-separated) replace them; `none` means no bootstrap node (the
 * node still answers, and learns the nodes that contact it: LANs, tests).
 */

import { lookup } from 'node:dns/promises';
import { isIP, isIPv4 } from 'node:net';
import { SeedcastError } from '../errors.js';
import type { Address } from './krpc.js';

export const DEFAULT_BOOTSTRAP: readonly string[] = Object.freeze([
  'router.bittorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'router.utorrent.com:6881',
  'dht.libtorrent.org:25401',
]);

/**
 * Check `HOST:PORT` entries (each may hold several, comma-separated); `none` alone means an empty
 * list. Throws USAGE naming the bad entry.
 */
export function parseBootstrap(entries: readonly string[], what = '--dht-bootstrap'): string[] {
  const list = entries
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (list.length === 1 && list[0]!.toLowerCase() === 'none') return [];
  for (const entry of list) {
    const m = /^(\[[^\]]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535)
      throw new SeedcastError('USAGE', `${what} takes HOST:PORT (or none), got "${entry}"`);
  }
  return list;
}

function split(entry: string): Address {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(entry.slice(at + 1)) };
}

/**
 * Resolve entries to IPv4 addresses (this DHT speaks IPv4 only), each within `timeoutMs`; entries
 * that do not resolve are reported to `log` and left out.
 */
export async function resolveBootstrap(
  entries: readonly string[],
  options: { timeoutMs?: number; log?: (message: string) => void } = {},
): Promise<Address[]> {
  const found = await Promise.all(
    entries.map(async (entry): Promise<Address | undefined> => {
      const { host, port } = split(entry);
      if (isIPv4(host)) return { host, port };
      if (isIP(host) !== 0) {
        options.log?.(`dht: bootstrap node ${entry} is IPv6 (not supported): skipped`);
        return undefined;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), options.timeoutMs ?? 5000);
        });
        const { address } = await Promise.race([lookup(host, { family: 4 }), timeout]);
        return { host: address, port };
      } catch (err) {
        options.log?.(`dht: bootstrap node ${entry}: ${(err as Error).message}`);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return found.filter((a): a is Address => a !== undefined);
}
