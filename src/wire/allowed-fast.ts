/**
 * The allowed-fast set (BEP 6): pieces a peer may request from us even while choked, derived from
 * its IPv4 address and the info hash so both sides compute the same set.
 *
 * The canonical algorithm, as BEP 6 gives it:
 *   x = (ip & 0xFFFFFF00) as 4 bytes, followed by the 20-byte info hash
 *   while the set has fewer than k pieces:
 *     x = SHA-1(x)
 *     for each of the five 4-byte big-endian words y of x, while the set has fewer than k:
 *       add y mod pieceCount to the set (if not already there)
 * BEP 6 defines it for IPv4 only; for any other address the set is empty.
 */

import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';

/** The first `k` allowed-fast pieces for a peer at `ip`, in the order the algorithm yields them. */
export function allowedFastSet(
  ip: string,
  infoHash: Uint8Array,
  options: { pieceCount: number; count?: number },
): number[] {
  const pieceCount = options.pieceCount;
  const k = Math.min(options.count ?? 10, pieceCount);
  if (!isIPv4(ip) || k <= 0) return [];
  const octets = ip.split('.').map(Number);
  let x: Buffer = Buffer.concat([Buffer.from([octets[0]!, octets[1]!, octets[2]!, 0]), infoHash]);
  const set: number[] = [];
  const seen = new Set<number>();
  while (set.length < k) {
    x = createHash('sha1').update(x).digest();
    for (let i = 0; i < 5 && set.length < k; i++) {
      const index = x.readUInt32BE(i * 4) % pieceCount;
      if (!seen.has(index)) {
        seen.add(index);
        set.push(index);
      }
    }
  }
  return set;
}
