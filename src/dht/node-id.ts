/**
 * DHT node ids (BEP 5: 160 bits) and BEP 42's rule that ties a node id to its external IPv4
 * address, so a node cannot choose where it sits in the key space (against Sybil attacks):
 *
 *   crc = crc32c((ip & 0x030f3fff) | (r << 29))     r: 3 random bits, ip as a big-endian uint32
 *   id[0]   = crc >> 24          id[1] = crc >> 16 & 0xff
 *   id[2]   = (crc >> 8 & 0xf8) | random 3 bits     (the first 21 bits come from the crc)
 *   id[19]  = r                                     (any byte whose low 3 bits are r)
 *   id[3..18] random
 *
 * Addresses that are not public (loopback, private, link-local: BEP 42's exemptions) have no rule.
 * IPv6 (BEP 32) is not spoken here, so only the IPv4 form is implemented.
 */

import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum BEP 42 uses. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC32C_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

function crcFor(ip: string, r: number): number {
  const masked = ((ipv4ToInt(ip) & 0x030f3fff) | ((r & 7) << 29)) >>> 0;
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(masked);
  return crc32c(buf);
}

/** A BEP 42 node id for external address `ip` (IPv4); `rand` fixes the random byte (tests). */
export function nodeIdFor(ip: string, rand = randomBytes(1)[0]!): Buffer {
  const id = randomBytes(20);
  const r = rand & 7;
  const crc = crcFor(ip, r);
  id[0] = (crc >>> 24) & 0xff;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x7);
  id[19] = rand & 0xff;
  return id;
}

/** Does `id` follow BEP 42 for `ip`? (True for any id when `ip` is not IPv4.) */
export function nodeIdMatches(id: Uint8Array, ip: string): boolean {
  if (!isIPv4(ip) || id.length !== 20) return !isIPv4(ip);
  const crc = crcFor(ip, id[19]! & 7);
  return (
    id[0] === ((crc >>> 24) & 0xff) &&
    id[1] === ((crc >>> 16) & 0xff) &&
    (id[2]! & 0xf8) === ((crc >>> 8) & 0xf8)
  );
}
