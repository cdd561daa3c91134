/**
 * Bencode encoder (BEP 3), always canonical.
 *
 * Output, byte by byte: integers as `i<decimal>e`, byte strings as `<length>:<bytes>`, lists as
 * `l...e`, dictionaries as `d...e` with keys sorted by their raw bytes. JS strings are written as
 * UTF-8; `Map` keys are binary strings (one character per byte, see `types.ts`) and plain-object keys
 * are UTF-8 text. `undefined` object members are skipped. The encoder measures first, then writes
 * into one buffer of the exact size, so large byte strings (a torrent's `pieces`) are copied once.
 */

import { SeedcastError } from '../errors.js';
import type { BEncodable } from './types.js';

/** Encode a value to canonical bencode. */
export function encode(value: BEncodable): Buffer {
  const parts: (Buffer | string)[] = [];
  collect(value, parts, 0);
  let size = 0;
  for (const p of parts) size += typeof p === 'string' ? p.length : p.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const p of parts) {
    if (typeof p === 'string') pos += out.write(p, pos, 'latin1');
    else pos += p.copy(out, pos);
  }
  return out;
}

const MAX_DEPTH = 512;

function collect(value: BEncodable, parts: (Buffer | string)[], depth: number): void {
  if (depth > MAX_DEPTH) throw new SeedcastError('BENCODE_UNENCODABLE', 'nesting too deep (a cycle?)');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new SeedcastError('BENCODE_UNENCODABLE', `not a safe integer: ${value}`);
    parts.push(`i${value === 0 ? 0 : value}e`);
  } else if (typeof value === 'bigint') {
    parts.push(`i${value}e`);
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    parts.push(`${bytes.length}:`, bytes);
  } else if (value instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    parts.push(`${bytes.length}:`, bytes);
  } else if (Array.isArray(value)) {
    parts.push('l');
    for (const item of value as readonly BEncodable[]) collect(item, parts, depth + 1);
    parts.push('e');
  } else if (value instanceof Map) {
    const entries: [Buffer, BEncodable][] = [];
    for (const [k, v] of value as ReadonlyMap<string, BEncodable>)
      entries.push([Buffer.from(k, 'latin1'), v]);
    writeDict(entries, parts, depth);
  } else if (typeof value === 'object' && value !== null) {
    const entries: [Buffer, BEncodable][] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) entries.push([Buffer.from(k, 'utf8'), v as BEncodable]);
    }
    writeDict(entries, parts, depth);
  } else {
    throw new SeedcastError('BENCODE_UNENCODABLE', `cannot encode ${value === null ? 'null' : typeof value}`);
  }
}

function writeDict(entries: [Buffer, BEncodable][], parts: (Buffer | string)[], depth: number): void {
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  parts.push('d');
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i]!;
    if (i > 0 && Buffer.compare(entries[i - 1]![0], key) === 0) {
      throw new SeedcastError(
        'BENCODE_UNENCODABLE',
        `duplicate key ${JSON.stringify(key.toString('latin1'))}`,
      );
    }
    parts.push(`${key.length}:`, key);
    collect(v, parts, depth + 1);
  }
  parts.push('e');
}
