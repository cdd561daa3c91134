/**
 * Parses HTTP tracker query strings (BEP 3 announce, BEP 48 scrape) into plain requests.
 *
 * `info_hash` and `peer_id` are 20 raw bytes, percent-encoded (`%xx`) except for unreserved
 * characters, so the query is decoded here byte by byte and never through a UTF-8 decoder (which
 * would turn bytes >= 0x80 into U+FFFD). Announce parameters read:
 *
 *   info_hash  20 bytes, required        peer_id   20 bytes, required
 *   port       1..65535, required         uploaded / downloaded / left   decimal, >= 0
 *   event      started | completed | stopped | paused (BEP 21, read as none) | empty
 *   numwant    decimal >= 0               compact   0 | 1 (BEP 23; we answer compact unless 0)
 *   no_peer_id 1 (non-compact answers without ids)
 *   key        up to 100 characters (reduced to 32 bits)    trackerid   accepted and ignored
 *
 * Anything else is ignored. Malformed values, repeated singletons, oversized queries and too
 * many parameters are `TRACKER_BAD_REQUEST` / `TRACKER_TOO_LARGE` errors naming the problem.
 */

import { SeedcastError } from '../../../errors.js';
import type { AnnounceEvent, AnnounceRequest, ScrapeRequest } from '../../service/types.js';

/** Longest query string accepted, in characters. */
export const MAX_QUERY_LENGTH = 8192;
const MAX_PARAMS = 200;
const MAX_NUMBER_DIGITS = 20;

function bad(detail: string): SeedcastError {
  return new SeedcastError('TRACKER_BAD_REQUEST', detail);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Percent-decodes `query[start, end)` into bytes; throws on a broken escape. */
export function percentDecode(query: string, start: number, end: number, name: string): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = query.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < end ? hexValue(query.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < end ? hexValue(query.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) throw bad(`broken percent-encoding in ${name}`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.subarray(0, n);
}

/** Visits each `name=value` pair of a raw query string (names are decoded; values are offsets). */
function eachParam(query: string, visit: (name: string, start: number, end: number) => void): void {
  if (query.length > MAX_QUERY_LENGTH) {
    throw new SeedcastError('TRACKER_TOO_LARGE', `query longer than ${MAX_QUERY_LENGTH} characters`);
  }
  let params = 0;
  let pos = 0;
  while (pos < query.length) {
    let amp = query.indexOf('&', pos);
    if (amp < 0) amp = query.length;
    if (amp > pos) {
      if (++params > MAX_PARAMS)
        throw new SeedcastError('TRACKER_TOO_LARGE', `more than ${MAX_PARAMS} parameters`);
      let eq = query.indexOf('=', pos);
      if (eq < 0 || eq > amp) eq = amp;
      const rawName = query.slice(pos, eq);
      const name = rawName.includes('%')
        ? percentDecode(rawName, 0, rawName.length, 'a name').toString('latin1')
        : rawName;
      visit(name, eq < amp ? eq + 1 : amp, amp);
    }
    pos = amp + 1;
  }
}

function hash20(query: string, start: number, end: number, name: string): Buffer {
  const bytes = percentDecode(query, start, end, name);
  if (bytes.length !== 20) throw bad(`${name} must be 20 bytes, got ${bytes.length}`);
  return Buffer.from(bytes);
}

function decimal(query: string, start: number, end: number, name: string): number {
  if (end === start || end - start > MAX_NUMBER_DIGITS) throw bad(`${name} must be a whole number`);
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = query.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw bad(`${name} must be a whole number`);
    v = v * 10 + d;
  }
  // Past 2^53 a double is no longer exact: such counts (some clients send 2^63 - 1 for "unknown")
  // are read as the largest exact one. Found by fuzzing (fuzz/crashes/tracker-http).
  return v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : v;
}

function eventOf(value: string): AnnounceEvent {
  switch (value) {
    case '':
    case 'empty':
    case 'paused':
      return 'none';
    case 'started':
    case 'completed':
    case 'stopped':
      return value;
    default:
      throw bad(`unknown event "${value.slice(0, 20)}"`);
  }
}

/** FNV-1a of the key's characters: a client's `key` as the 32 bits the store keeps. */
function key32(query: string, start: number, end: number): number {
  if (end - start > 100) throw bad('key longer than 100 characters');
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ query.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

/** An announce as HTTP carries it: the plain request and the answer style asked for (BEP 23). */
export interface HttpAnnounce {
  request: AnnounceRequest;
  compact: boolean;
}

/** Parses an announce query string (without the `?`); `ip` is the peer's address (4 or 16 bytes). */
export function parseAnnounce(query: string, ip: Buffer): HttpAnnounce {
  let infoHash: Buffer | undefined;
  let peerId: Buffer | undefined;
  let port = -1;
  let uploaded = 0;
  let downloaded = 0;
  let left = -1;
  let event: AnnounceEvent = 'none';
  let numwant = -1;
  let compact = true;
  let noPeerId = false;
  let key = 0;
  eachParam(query, (name, start, end) => {
    switch (name) {
      case 'info_hash':
        if (infoHash) throw bad('info_hash given twice');
        infoHash = hash20(query, start, end, 'info_hash');
        break;
      case 'peer_id':
        if (peerId) throw bad('peer_id given twice');
        peerId = hash20(query, start, end, 'peer_id');
        break;
      case 'port':
        port = decimal(query, start, end, 'port');
        if (port < 1 || port > 65535) throw bad('port must be 1..65535');
        break;
      case 'uploaded':
        uploaded = decimal(query, start, end, 'uploaded');
        break;
      case 'downloaded':
        downloaded = decimal(query, start, end, 'downloaded');
        break;
      case 'left':
        left = decimal(query, start, end, 'left');
        break;
      case 'event':
        event = eventOf(query.slice(start, Math.min(end, start + 32)));
        break;
      case 'numwant':
        numwant = decimal(query, start, end, 'numwant');
        break;
      case 'compact':
        compact = query.slice(start, end) !== '0';
        break;
      case 'no_peer_id':
        noPeerId = query.slice(start, end) !== '0';
        break;
      case 'key':
        key = key32(query, start, end);
        break;
    }
  });
  if (!infoHash) throw bad('info_hash is missing');
  if (!peerId) throw bad('peer_id is missing');
  if (port < 0) throw bad('port is missing');
  const request: AnnounceRequest = {
    infoHash,
    peerId,
    ip,
    port,
    uploaded,
    downloaded,
    left: left < 0 ? Number.MAX_SAFE_INTEGER : left,
    event,
    numwant,
    key,
    wantPeerIds: !compact && !noPeerId,
    transport: 'http',
  };
  return { request, compact };
}

/** Parses a scrape query string (`info_hash` repeated, BEP 48); repeated hashes count once. */
export function parseScrape(query: string, options: { max: number }): ScrapeRequest {
  const seen = new Set<string>();
  const infoHashes: Buffer[] = [];
  eachParam(query, (name, start, end) => {
    if (name !== 'info_hash') return;
    const h = hash20(query, start, end, 'info_hash');
    const k = h.toString('latin1');
    if (seen.has(k)) return;
    seen.add(k);
    if (infoHashes.length >= options.max) {
      throw new SeedcastError('TRACKER_TOO_LARGE', `at most ${options.max} info hashes per scrape`);
    }
    infoHashes.push(h);
  });
  return { infoHashes, transport: 'http' };
}
