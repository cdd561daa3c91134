/**
 * KRPC messages at the edge (BEP 5): every datagram that reaches the DHT is parsed here (its bencode
 * read as libtorrent reads it: keys in any order), its fields checked strictly, and either dropped or re-encoded into a clean message that carries only what BEP 5 defines, so
 * the library behind (`bittorrent-dht`) never sees a field of the wrong type or size.
 *
 * A KRPC message is a bencoded dictionary:
 *   t  transaction id (bytes, 1..16)    y  "q" query | "r" response | "e" error
 *   q  method name, a  arguments (queries):
 *        ping          a = { id }
 *        find_node     a = { id, target }
 *        get_peers     a = { id, info_hash }
 *        announce_peer a = { id, info_hash, port, token, implied_port? }
 *   r  { id, nodes?, values?, token? }   (responses; ids, targets and info hashes are 20 bytes)
 *   e  [code, message]                   (errors)
 *   ip the requester's address as the responder sees it (BEP 42), 6 bytes: 4 IPv4 + 2 port
 * `nodes` is compact node info, 26 bytes each (20-byte id, 4-byte IPv4, 2-byte port); `values` a list
 * of 6-byte compact peers (BEP 5). IPv6 forms (BEP 32: `nodes6`, 18-byte values) are dropped.
 * BEP 44 `get`/`put` and other methods are not answered. `keep(host)` filters the addresses of nodes
 * and peers a response carries (the outbound policy).
 */

import { type BDict, type BValue, decode, encode, isBytes, isDict, isList } from '../bencode/index.js';

/** Largest datagram accepted: KRPC messages fit in one unfragmented UDP packet. */
export const MAX_DATAGRAM = 2048;

const QUERIES = new Set(['ping', 'find_node', 'get_peers', 'announce_peer']);

export interface Address {
  host: string;
  port: number;
}

export type Krpc =
  | { y: 'q'; t: Buffer; q: string; infoHash: Buffer | undefined; message: Buffer }
  | { y: 'r'; t: Buffer; ip: Address | undefined; message: Buffer }
  | { y: 'e'; t: Buffer; message: Buffer };

function text(v: BValue | undefined): string | undefined {
  return isBytes(v) && v.length <= 32 ? Buffer.from(v).toString('latin1') : undefined;
}

function bytes(v: BValue | undefined, min: number, max: number): Buffer | undefined {
  return isBytes(v) && v.length >= min && v.length <= max ? Buffer.from(v) : undefined;
}

/** A compact IPv4 address and port (6 bytes). */
export function parseCompact(b: Uint8Array, at = 0): Address {
  return { host: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port: (b[at + 4]! << 8) | b[at + 5]! };
}

/** The 6-byte compact form of an IPv4 address and port. */
export function compact(address: Address): Buffer {
  const out = Buffer.alloc(6);
  const parts = address.host.split('.');
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]) & 0xff;
  out.writeUInt16BE(address.port, 4);
  return out;
}

function port(v: BValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? v : undefined;
}

/**
 * Parse one datagram; undefined when it is not a well-formed BEP 5 message (the caller drops it).
 * `keep` says whether a node or peer address in a response may be kept (default: any).
 */
export function parseKrpc(
  datagram: Uint8Array,
  keep: (a: Address) => boolean = () => true,
): Krpc | undefined {
  if (datagram.length > MAX_DATAGRAM || datagram[0] !== 0x64 /* d */) return undefined;
  let root: BValue;
  try {
    // As libtorrent: keys in any order (other DHT implementations do not all sort them).
    root = decode(datagram, { maxSize: MAX_DATAGRAM, maxDepth: 4, maxValues: 600, lenient: true });
  } catch {
    return undefined;
  }
  if (!isDict(root)) return undefined;
  const t = bytes(root.get('t'), 1, 16);
  const y = text(root.get('y'));
  if (!t) return undefined;
  if (y === 'q') return parseQuery(root, t);
  if (y === 'r') return parseResponse(root, t, keep);
  if (y === 'e') {
    const e = root.get('e');
    const code = isList(e) && typeof e[0] === 'number' ? e[0] : 201;
    const msg = (isList(e) ? bytes(e[1], 0, 256) : undefined) ?? 'error'; // kept as bytes: any encoding
    return { y, t, message: encode({ t, y: 'e', e: [code, msg] }) };
  }
  return undefined;
}

function parseQuery(root: BDict, t: Buffer): Krpc | undefined {
  const q = text(root.get('q'));
  const a = root.get('a');
  if (!q || !QUERIES.has(q) || !isDict(a)) return undefined;
  const id = bytes(a.get('id'), 20, 20);
  if (!id) return undefined;
  const args: Record<string, Buffer | number> = { id };
  let infoHash: Buffer | undefined;
  if (q === 'find_node') {
    const target = bytes(a.get('target'), 20, 20);
    if (!target) return undefined;
    args.target = target;
  } else if (q === 'get_peers' || q === 'announce_peer') {
    infoHash = bytes(a.get('info_hash'), 20, 20);
    if (!infoHash) return undefined;
    args.info_hash = infoHash;
  }
  if (q === 'announce_peer') {
    const token = bytes(a.get('token'), 1, 64);
    const p = port(a.get('port'));
    const implied = a.get('implied_port');
    if (!token || p === undefined) return undefined;
    args.token = token;
    args.port = p;
    if (implied === 1) args.implied_port = 1;
  }
  return { y: 'q', t, q, infoHash, message: encode({ t, y: 'q', q, a: args }) };
}

function parseResponse(root: BDict, t: Buffer, keep: (a: Address) => boolean): Krpc | undefined {
  const r = root.get('r');
  if (!isDict(r)) return undefined;
  const id = bytes(r.get('id'), 20, 20);
  if (!id) return undefined;
  const out: Record<string, Buffer | Buffer[]> = { id };
  const nodes = r.get('nodes');
  if (isBytes(nodes) && nodes.length % 26 === 0) {
    const kept: Buffer[] = [];
    for (let at = 0; at < nodes.length; at += 26) {
      const address = parseCompact(nodes, at + 20);
      if (address.port > 0 && keep(address)) kept.push(Buffer.from(nodes.subarray(at, at + 26)));
    }
    out.nodes = Buffer.concat(kept);
  }
  const values = r.get('values');
  if (isList(values)) {
    const kept: Buffer[] = [];
    for (const v of values) {
      if (!isBytes(v) || v.length !== 6) continue;
      const address = parseCompact(v);
      if (address.port > 0 && keep(address)) kept.push(Buffer.from(v));
    }
    if (kept.length > 0) out.values = kept;
  }
  const token = bytes(r.get('token'), 1, 64);
  if (token) out.token = token;
  const ipBytes = bytes(root.get('ip'), 6, 6);
  const ip = ipBytes ? parseCompact(ipBytes) : undefined;
  return { y: 'r', t, ip, message: encode({ t, y: 'r', r: out }) };
}
