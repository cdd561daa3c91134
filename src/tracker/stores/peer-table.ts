/**
 * A compact table of the peers of one address family in one swarm (the memory store's core).
 *
 * Each peer is one fixed-size record in a single `Uint8Array`, laid out byte by byte as:
 *
 *   0         20 bytes  peer id
 *   20        A bytes   IP address (A = 4 for IPv4, 16 for IPv6), network order
 *   20+A      2 bytes   port, big-endian            (so bytes 20 .. 22+A are the BEP 23 / BEP 7
 *                                                     compact form, copied out as is)
 *   22+A      1 byte    flags: bit 0 = seeder
 *   23+A      1 byte    unused
 *   24+A      4 bytes   last seen, seconds, little-endian
 *   28+A      4 bytes   key (BEP 3 `key` / BEP 15 key, reduced to 32 bits), little-endian
 *
 * so a record is 36 bytes for IPv4 and 48 for IPv6. Peer ids are found through an open-addressing
 * index (`Int32Array`, linear probing, load at most 1/2, value = record number + 1, 0 = empty,
 * backward-shift deletion). Records are kept dense: removing one moves the last record into its
 * place, so picking peers is a walk over contiguous memory from a random start.
 */

import { hash20, hashSeed } from '../service/hash20.js';
import { chunkOf, offsetOf, Slab } from './slab.js';

const FLAG_SEEDER = 1;

export interface PickOptions {
  max: number;
  exclude: number;
  skipSeeders: boolean;
  minSeen?: number;
  ids?: Buffer;
  idsOff?: number;
}
const MIN_CAPACITY = 2;
const EMPTY_RECS = new Uint8Array(0);
const EMPTY_INDEX = new Int32Array(0);
/** The address of no block. */
const NO_BLOCK = -1;

export class PeerTable {
  /** Bytes of an address: 4 or 16. */
  readonly addrLength: number;
  /** Bytes of one record. */
  readonly stride: number;
  count = 0;
  seeders = 0;
  /** At most the oldest `last seen` of any record (exact after `expire`; writes only lower it). */
  private oldestSeen = Number.POSITIVE_INFINITY;
  // The records and the index live in slab blocks, reached through their chunks' long-lived views
  // (`recs` from byte `at`, `index` from 32-bit word `ix`): no typed-array object per block.
  private recs: Uint8Array;
  private at: number;
  private recsBlock: number;
  private recsLength: number;
  private index: Int32Array;
  private ix: number;
  private indexBlock: number;
  private indexLength: number;

  private readonly slab: Slab;
  /** Seeds the hash of peer ids (see `hash20.ts`: peers choose their ids). */
  private readonly seed: number;

  /**
   * `slab`: where the table's arrays come from (the store shares one among all its tables); `seed`:
   * for the hash of peer ids (the store gives all its tables one random seed).
   */
  constructor(addrLength: 4 | 16, slab: Slab = new Slab(), seed = hashSeed()) {
    this.addrLength = addrLength;
    this.seed = seed;
    this.stride = 32 + addrLength;
    this.slab = slab;
    this.recsLength = MIN_CAPACITY * this.stride;
    this.recsBlock = slab.allocate(this.recsLength);
    this.recs = slab.u8[chunkOf(this.recsBlock)]!;
    this.at = offsetOf(this.recsBlock);
    this.indexLength = MIN_CAPACITY * 2;
    this.indexBlock = slab.allocate(this.indexLength * 4);
    this.index = slab.i32[chunkOf(this.indexBlock)]!;
    this.ix = offsetOf(this.indexBlock) >> 2;
  }

  /** Gives the table's memory back to its slab; the table must not be used afterwards. */
  release(): void {
    if (this.recsBlock !== NO_BLOCK) this.slab.release(this.recsBlock);
    if (this.indexBlock !== NO_BLOCK) this.slab.release(this.indexBlock);
    this.recsBlock = NO_BLOCK;
    this.indexBlock = NO_BLOCK;
    this.recs = EMPTY_RECS;
    this.index = EMPTY_INDEX;
    this.recsLength = 0;
    this.indexLength = 0;
    this.count = 0;
    this.seeders = 0;
  }

  /** Bytes held by this table's arrays. */
  get byteSize(): number {
    return this.recsLength + this.indexLength * 4;
  }

  /** The record number of `peerId`, or -1. */
  find(peerId: Uint8Array): number {
    const index = this.index;
    const ix = this.ix;
    const mask = this.indexLength - 1;
    let s = hash20(peerId, 0, this.seed) & mask;
    for (;;) {
      const v = index[ix + s]!;
      if (v === 0) return -1;
      if (this.idEquals(v - 1, peerId)) return v - 1;
      s = (s + 1) & mask;
    }
  }

  /** Adds a peer; the caller has checked it is not there. Returns its record number. */
  insert(
    peerId: Uint8Array,
    ip: Uint8Array,
    port: number,
    seeder: boolean,
    key: number,
    now: number,
  ): number {
    if ((this.count + 1) * this.stride > this.recsLength) this.resize(this.capacity * 2);
    const r = this.count++;
    const base = this.at + r * this.stride;
    const recs = this.recs;
    for (let k = 0; k < 20; k++) recs[base + k] = peerId[k]!;
    recs[base + 22 + this.addrLength] = 0;
    this.write(r, ip, port, seeder, key, now);
    const index = this.index;
    const ix = this.ix;
    const mask = this.indexLength - 1;
    let s = hash20(peerId, 0, this.seed) & mask;
    while (index[ix + s] !== 0) s = (s + 1) & mask;
    index[ix + s] = r + 1;
    return r;
  }

  /** Rewrites a peer's address, state, key and last-seen time. */
  update(r: number, ip: Uint8Array, port: number, seeder: boolean, key: number, now: number): void {
    this.write(r, ip, port, seeder, key, now);
  }

  isSeeder(r: number): boolean {
    return (this.recs[this.at + r * this.stride + 22 + this.addrLength]! & FLAG_SEEDER) !== 0;
  }

  key(r: number): number {
    return this.readU32(this.at + r * this.stride + 28 + this.addrLength);
  }

  lastSeen(r: number): number {
    return this.readU32(this.at + r * this.stride + 24 + this.addrLength);
  }

  /** Whether record `r` has this IP address. */
  sameIp(r: number, ip: Uint8Array): boolean {
    const base = this.at + r * this.stride + 20;
    const recs = this.recs;
    for (let i = 0; i < this.addrLength; i++) if (recs[base + i] !== ip[i]) return false;
    return true;
  }

  /** Removes record `r` (the last record takes its place). */
  remove(r: number): void {
    if (this.isSeeder(r)) this.seeders--;
    this.unindex(r);
    const last = this.count - 1;
    if (r !== last) {
      const slot = this.slotOf(last);
      this.index[this.ix + slot] = r + 1;
      const at = this.at;
      this.recs.copyWithin(at + r * this.stride, at + last * this.stride, at + (last + 1) * this.stride);
    }
    this.count--;
    const cap = this.capacity;
    if (cap > 8 && this.count * 4 < cap) this.resize(cap >> 1);
  }

  /**
   * Copies up to `max` peers' compact forms into `out` at `outOff` (and their ids into `ids`),
   * starting at a random record, skipping record `exclude`, peers last seen before `minSeen` and,
   * with `skipSeeders`, seeders. Returns how many were copied.
   */
  pick(out: Buffer, outOff: number, options: PickOptions): number {
    const { max, exclude, skipSeeders, ids } = options;
    // Every record was seen at or after `oldestSeen` (a lower bound): no need to read each one's.
    const minSeen = (options.minSeen ?? 0) > this.oldestSeen ? options.minSeen! : 0;
    const seenOff = 24 + this.addrLength;
    const count = this.count;
    if (max <= 0 || count === 0) return 0;
    const stride = this.stride;
    const entry = this.addrLength + 2;
    const flagOff = 22 + this.addrLength;
    const recs = this.recs;
    const at = this.at;
    let r = Math.floor(Math.random() * count);
    let n = 0;
    for (let seen = 0; seen < count && n < max; seen++, r = r + 1 === count ? 0 : r + 1) {
      if (r === exclude) continue;
      const base = at + r * stride;
      if (skipSeeders && (recs[base + flagOff]! & FLAG_SEEDER) !== 0) continue;
      if (minSeen > 0 && this.readU32(base + seenOff) < minSeen) continue;
      // Byte loops, not set(subarray(...)): a view per peer would be most of an announce's garbage.
      const o = outOff + n * entry;
      for (let k = 0; k < entry; k++) out[o + k] = recs[base + 20 + k]!;
      if (ids) {
        const io = (options.idsOff ?? 0) + n * 20;
        for (let k = 0; k < 20; k++) ids[io + k] = recs[base + k]!;
      }
      n++;
    }
    return n;
  }

  /**
   * Removes every peer last seen before `cutoff`; returns how many. A table whose oldest peer is
   * recent enough is not even walked, so a sweep costs little more than a look at each swarm.
   */
  expire(cutoff: number): number {
    if (this.oldestSeen >= cutoff) return 0;
    let removed = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (let r = this.count - 1; r >= 0; r--) {
      const seen = this.lastSeen(r);
      if (seen < cutoff) {
        this.remove(r);
        removed++;
      } else if (seen < oldest) oldest = seen;
    }
    this.oldestSeen = oldest;
    return removed;
  }

  private get capacity(): number {
    return this.recsLength / this.stride;
  }

  private write(r: number, ip: Uint8Array, port: number, seeder: boolean, key: number, now: number): void {
    const recs = this.recs;
    const a = this.addrLength;
    const base = this.at + r * this.stride;
    for (let k = 0; k < a; k++) recs[base + 20 + k] = ip[k]!;
    recs[base + 20 + a] = port >>> 8;
    recs[base + 21 + a] = port & 0xff;
    const was = (recs[base + 22 + a]! & FLAG_SEEDER) !== 0;
    if (r < this.count && was !== seeder) this.seeders += seeder ? 1 : -1;
    recs[base + 22 + a] = seeder ? FLAG_SEEDER : 0;
    this.writeU32(base + 24 + a, now);
    this.writeU32(base + 28 + a, key);
    if (now < this.oldestSeen) this.oldestSeen = now;
  }

  private idEquals(r: number, peerId: Uint8Array): boolean {
    const recs = this.recs;
    const base = this.at + r * this.stride;
    for (let i = 0; i < 20; i++) if (recs[base + i] !== peerId[i]) return false;
    return true;
  }

  private slotOf(r: number): number {
    const index = this.index;
    const ix = this.ix;
    const mask = this.indexLength - 1;
    let s = hash20(this.recs, this.at + r * this.stride, this.seed) & mask;
    while (index[ix + s] !== r + 1) s = (s + 1) & mask;
    return s;
  }

  /** Backward-shift deletion of record `r` from the index. */
  private unindex(r: number): void {
    const index = this.index;
    const ix = this.ix;
    const mask = this.indexLength - 1;
    let i = this.slotOf(r);
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = index[ix + j]!;
      if (v === 0) break;
      const k = hash20(this.recs, this.at + (v - 1) * this.stride, this.seed) & mask;
      // Move v back into the hole at i unless its home slot k lies cyclically in (i, j].
      const inRange = i <= j ? k > i && k <= j : k > i || k <= j;
      if (!inRange) {
        index[ix + i] = v;
        i = j;
      }
    }
    index[ix + i] = 0;
  }

  private resize(capacity: number): void {
    const cap = Math.max(MIN_CAPACITY, capacity);
    const slab = this.slab;
    const recsLength = cap * this.stride;
    const recsBlock = slab.allocate(recsLength);
    const recs = slab.u8[chunkOf(recsBlock)]!;
    const at = offsetOf(recsBlock);
    recs.set(this.recs.subarray(this.at, this.at + this.count * this.stride), at);
    slab.release(this.recsBlock);
    this.recs = recs;
    this.at = at;
    this.recsBlock = recsBlock;
    this.recsLength = recsLength;
    let size = 4;
    while (size < cap * 2) size <<= 1;
    slab.release(this.indexBlock);
    const indexBlock = slab.allocate(size * 4);
    const index = slab.i32[chunkOf(indexBlock)]!;
    const ix = offsetOf(indexBlock) >> 2;
    const mask = size - 1;
    for (let r = 0; r < this.count; r++) {
      let s = hash20(recs, at + r * this.stride, this.seed) & mask;
      while (index[ix + s] !== 0) s = (s + 1) & mask;
      index[ix + s] = r + 1;
    }
    this.index = index;
    this.ix = ix;
    this.indexBlock = indexBlock;
    this.indexLength = size;
  }

  private readU32(off: number): number {
    const b = this.recs;
    return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  }

  private writeU32(off: number, value: number): void {
    const b = this.recs;
    b[off] = value & 0xff;
    b[off + 1] = (value >>> 8) & 0xff;
    b[off + 2] = (value >>> 16) & 0xff;
    b[off + 3] = (value >>> 24) & 0xff;
  }
}
