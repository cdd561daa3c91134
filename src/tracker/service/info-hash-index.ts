/**
 * A hash map from 20-byte info hashes (BEP 3; a v2 hash cut to 20 bytes, BEP 52) to values, looked
 * up by the request's own bytes: no key string is made, hashed and dropped per announce, as a
 * `Map<string, V>` keyed by `infoHash.toString('latin1')` needs.
 *
 * Open addressing with linear probing over one `Uint8Array` of keys (20 bytes a slot) and one array
 * of values; deletion shifts the entries after a hole back (no tombstones), so lookups never slow
 * down with churn. The table doubles at half full. Slots come from `hash20` with a random seed per
 * index, so info hashes chosen to collide (anyone may announce any info hash when no allow list is
 * set) collide only by chance.
 */

import { hash20, hashSeed } from './hash20.js';

const KEY = 20;
const MIN_CAPACITY = 64;

export class InfoHashIndex<V> {
  private keys: Uint8Array;
  private values: (V | undefined)[];
  /** Slots in use: 1, free: 0. */
  private used: Uint8Array;
  private mask: number;
  private count = 0;
  private readonly seed: number;

  constructor() {
    this.seed = hashSeed();
    this.keys = new Uint8Array(MIN_CAPACITY * KEY);
    this.values = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.used = new Uint8Array(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** The value kept for the 20 bytes of `key` at `off`, if any. */
  get(key: Uint8Array, off = 0): V | undefined {
    const s = this.find(key, off);
    return s < 0 ? undefined : this.values[s];
  }

  has(key: Uint8Array, off = 0): boolean {
    return this.find(key, off) >= 0;
  }

  /** Keeps `value` for the 20 bytes of `key` at `off` (replacing any value kept for them). */
  set(key: Uint8Array, value: V, off = 0): void {
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    let s = this.slotOf(key, off);
    while (this.used[s] === 1) {
      if (equalAt(keys, s * KEY, key, off)) {
        this.values[s] = value;
        return;
      }
      s = (s + 1) & mask;
    }
    for (let k = 0; k < KEY; k++) keys[s * KEY + k] = key[off + k]!;
    this.used[s] = 1;
    this.values[s] = value;
    this.count++;
  }

  /** Forgets the 20 bytes of `key` at `off`; true when they were kept. */
  delete(key: Uint8Array, off = 0): boolean {
    let hole = this.find(key, off);
    if (hole < 0) return false;
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    // Backward-shift deletion: an entry after the hole moves into it unless its home slot lies
    // cyclically in (hole, its slot], where a probe from home would never pass the hole.
    let s = (hole + 1) & mask;
    while (used[s] === 1) {
      const home = this.slotOf(keys, s * KEY);
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (!stays) {
        keys.copyWithin(hole * KEY, s * KEY, s * KEY + KEY);
        this.values[hole] = this.values[s];
        hole = s;
      }
      s = (s + 1) & mask;
    }
    used[hole] = 0;
    this.values[hole] = undefined;
    this.count--;
    return true;
  }

  clear(): void {
    this.used.fill(0);
    this.values.fill(undefined);
    this.count = 0;
  }

  private find(key: Uint8Array, off: number): number {
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let s = this.slotOf(key, off);
    while (used[s] === 1) {
      if (equalAt(keys, s * KEY, key, off)) return s;
      s = (s + 1) & mask;
    }
    return -1;
  }

  private slotOf(key: Uint8Array, off: number): number {
    return hash20(key, off, this.seed) & this.mask;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldUsed = this.used;
    const capacity = oldUsed.length * 2;
    this.keys = new Uint8Array(capacity * KEY);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let s = 0; s < oldUsed.length; s++) {
      if (oldUsed[s] === 1) this.set(oldKeys, oldValues[s] as V, s * KEY);
    }
  }
}

function equalAt(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  for (let k = 0; k < KEY; k++) if (a[aOff + k] !== b[bOff + k]) return false;
  return true;
}
