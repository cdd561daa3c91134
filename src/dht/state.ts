/**
 * The DHT's state across restarts: our node id, the external address it was made for (BEP 42) and
 * the nodes of the routing table (BEP 5), in a small JSON file, used as extra bootstrap nodes on the
 * next start:
 *
 *   { "id": "<40 hex>", "ip": "203.0.113.7", "nodes": [{ "host": "198.51.100.2", "port": 6881 }, ...] }
 *
 * A missing, unreadable or malformed file is an empty state (never an error); bad entries are
 * skipped. Written atomically (temporary file, then rename), private to the user (0600), at most
 * `MAX_SAVED_NODES` nodes.
 */

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { dirname } from 'node:path';
import type { Address } from './krpc.js';

export const MAX_SAVED_NODES = 200;

export interface DhtState {
  id?: Buffer;
  ip?: string;
  nodes: Address[];
}

function validAddress(v: unknown): v is Address {
  const a = v as Address;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.host === 'string' &&
    isIPv4(a.host) &&
    Number.isInteger(a.port) &&
    a.port > 0 &&
    a.port < 65536
  );
}

/** Read the state file; an empty state when it is missing or not what we wrote. */
export async function loadState(path: string): Promise<DhtState> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return { nodes: [] };
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const state: DhtState = {
    nodes: (Array.isArray(o.nodes) ? o.nodes : [])
      .filter(validAddress)
      .slice(0, MAX_SAVED_NODES)
      .map((a) => ({ host: a.host, port: a.port })),
  };
  if (typeof o.id === 'string' && /^[0-9a-f]{40}$/i.test(o.id)) state.id = Buffer.from(o.id, 'hex');
  if (typeof o.ip === 'string' && isIPv4(o.ip)) state.ip = o.ip;
  return state;
}

/** Write the state file atomically (0600), creating its folder. */
export async function saveState(path: string, state: DhtState): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body = {
    ...(state.id ? { id: state.id.toString('hex') } : {}),
    ...(state.ip ? { ip: state.ip } : {}),
    nodes: state.nodes.filter(validAddress).slice(0, MAX_SAVED_NODES),
  };
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
