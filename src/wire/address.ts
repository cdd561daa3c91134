/**
 * Compact peer addresses (BEP 23 for IPv4, BEP 7 for IPv6), as used by peer exchange (BEP 11) and
 * the extended handshake's `yourip` (BEP 10).
 *
 * Byte by byte: IPv4 peer = 4 address bytes + 2 port bytes (6 bytes); IPv6 peer = 16 address bytes
 * + 2 port bytes (18 bytes); both in network (big-endian) order.
 */

import { isIPv4, isIPv6 } from 'node:net';
import { SeedcastError } from '../errors.js';

export interface PeerAddress {
  host: string;
  port: number;
}

/** The 4 or 16 bytes of an IP address in text form. */
export function ipToBytes(host: string): Buffer {
  if (isIPv4(host)) return Buffer.from(host.split('.').map(Number));
  if (!isIPv6(host)) throw new SeedcastError('WIRE_MALFORMED', `not an IP address: ${host}`);
  const text = host.replace(/%.*$/, '');
  const out = Buffer.alloc(16);
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined): number[] => {
    if (!part) return [];
    const words: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = g.split('.').map(Number);
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        words.push(Number.parseInt(g, 16));
      }
    }
    return words;
  };
  const head = groups(left);
  const tail = groups(right);
  for (let i = 0; i < head.length; i++) out.writeUInt16BE(head[i]!, i * 2);
  for (let i = 0; i < tail.length; i++) out.writeUInt16BE(tail[i]!, 16 - (tail.length - i) * 2);
  return out;
}

/** The text form of 4 or 16 address bytes (IPv6 with the longest zero run written `::`). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.byteLength === 4) return Array.from(bytes).join('.');
  if (bytes.byteLength !== 16)
    throw new SeedcastError('WIRE_MALFORMED', `address of ${bytes.byteLength} bytes`);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

/** Encode peers of one family (`size` 6 for IPv4, 18 for IPv6) into compact form. */
export function encodeCompactPeers(peers: readonly PeerAddress[], size: 6 | 18): Buffer {
  const out = Buffer.allocUnsafe(peers.length * size);
  peers.forEach((peer, i) => {
    const ip = ipToBytes(peer.host);
    if (ip.length !== size - 2)
      throw new SeedcastError('WIRE_MALFORMED', `${peer.host} is not IPv${size === 6 ? 4 : 6}`);
    ip.copy(out, i * size);
    out.writeUInt16BE(peer.port, i * size + size - 2);
  });
  return out;
}

/** Decode compact peers of one family; a length that is not a multiple of `size` is `WIRE_MALFORMED`. */
export function parseCompactPeers(bytes: Uint8Array, size: 6 | 18): PeerAddress[] {
  if (bytes.byteLength % size !== 0) {
    throw new SeedcastError(
      'WIRE_MALFORMED',
      `compact peer list of ${bytes.byteLength} bytes (not a multiple of ${size})`,
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: PeerAddress[] = [];
  for (let at = 0; at < buf.length; at += size) {
    out.push({ host: bytesToIp(buf.subarray(at, at + size - 2)), port: buf.readUInt16BE(at + size - 2) });
  }
  return out;
}
