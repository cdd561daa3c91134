/**
 * Allow-list mode: only listed torrents are tracked. An `AllowCheck` decides per info hash; it comes
 * from a file (`seedcast tracker --allow FILE`: one info hash a line, 40 hex digits, or a 64-digit
 * v2 hash of which the tracker sees the first 20 bytes as BEP 52 says; blank lines and `#` comments
 * are ignored) or from a callback (the site: "is this one of our items?").
 */

import { readFile } from 'node:fs/promises';
import { SeedcastError } from '../../errors.js';
import { InfoHashIndex } from './info-hash-index.js';

/**
 * True when the torrent with this 20-byte info hash may be tracked. An asynchronous check must read
 * `infoHash` before it returns: transports may reuse the buffer's memory once the call is over.
 */
export type AllowCheck = (infoHash: Buffer) => boolean | Promise<boolean>;

/** Parses allow-list text into a set of lower-case 40-digit hex info hashes. */
export function parseAllowList(text: string, options: { source?: string } = {}): Set<string> {
  const set = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (!/^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$/.test(line)) {
      throw new SeedcastError(
        'TRACKER_ALLOW_LIST',
        `${options.source ?? 'allow list'} line ${i + 1}: not a 40-digit hex info hash: "${line.slice(0, 80)}"`,
      );
    }
    set.add(line.slice(0, 40).toLowerCase());
  }
  return set;
}

/** An index of the binary hashes of a set of hex hashes: looked up by the request's bytes. */
function binaryKeys(hexes: Set<string>): InfoHashIndex<true> {
  const keys = new InfoHashIndex<true>();
  for (const h of hexes) keys.set(Buffer.from(h, 'hex'), true);
  return keys;
}

/** What `allowSet` returns: an allow check that also tells what it holds. */
export interface AllowSet extends AllowCheck {
  /** Replaces the set. */
  update(next: Set<string>): void;
  size(): number;
  /** The binary info hashes, 20 bytes each, one after the other (for the native fast path). */
  keys(): Buffer;
  /** Calls `listener` after each `update`. */
  onUpdate(listener: () => void): void;
}

/** An allow check over a set of hex info hashes (the set may be replaced later through `update`). */
export function allowSet(hashes: Set<string>): AllowSet {
  let hexes = hashes;
  let current = binaryKeys(hashes);
  const listeners: (() => void)[] = [];
  const check = (infoHash: Buffer) => current.has(infoHash);
  return Object.assign(check, {
    update(next: Set<string>) {
      hexes = next;
      current = binaryKeys(next);
      for (const l of listeners) l();
    },
    size: () => current.size,
    keys: () => Buffer.from([...hexes].join(''), 'hex'),
    onUpdate(listener: () => void) {
      listeners.push(listener);
    },
  });
}

/** Whether an allow check is an `allowSet` (whose hashes can be read). */
export function isAllowSet(check: AllowCheck): check is AllowSet {
  return typeof (check as Partial<AllowSet>).keys === 'function';
}

/** Reads an allow-list file. */
export async function loadAllowList(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SeedcastError('TRACKER_ALLOW_LIST', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseAllowList(text, { source: path });
}
