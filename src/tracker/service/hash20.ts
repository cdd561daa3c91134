/**
 * A seeded 32-bit hash of 20 bytes (an info hash or a peer id, BEP 3), for the tracker's
 * open-addressing tables (`info-hash-index.ts`, `peer-table.ts`).
 *
 * Peers choose both their peer ids and, without an allow list, the info hashes they announce. With
 * a fixed hash function they could pick keys that all land in one probe chain and make every lookup
 * walk it. The seed is random per store, so they cannot know which keys collide. The function mixes
 * the key a 32-bit word at a time (multiply, then fold the high bits down, so every bit of the key
 * reaches the low bits a table masks); it is fast, not a cryptographic PRF.
 */

import { randomBytes } from 'node:crypto';

/** A random seed for `hash20`. */
export function hashSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}

/** The hash of the 20 bytes of `key` from `off`, under `seed`. */
export function hash20(key: Uint8Array, off: number, seed: number): number {
  let h = seed;
  for (let w = off; w < off + 20; w += 4) {
    h = Math.imul(h ^ (key[w]! | (key[w + 1]! << 8) | (key[w + 2]! << 16) | (key[w + 3]! << 24)), 0x9e3779b1);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}
