/**
 * The in-memory swarm store in C (`native/swarm_store.c`, reached through `native/store_binding.c`
 * in the `tracker_native` addon built by `npm run build:native`): the same store as `MemoryStore`,
 * whose semantics it keeps (see `memory-store.ts` and `store.ts`), but in memory the garbage
 * collector never walks, and shared with the batched UDP socket, which answers BEP 15 announces in C
 * against it without entering JavaScript (`udp-batch.ts` takes `handle`). JavaScript uses it here for
 * HTTP announces, the announces the fast path leaves to JavaScript, scrapes, sweeps and statistics.
 *
 * An announce crosses into C with its fixed-size inputs only: the counts come back in a
 * `Uint32Array` and the peers in a scratch `ArrayBuffer`, both handed to the store once, at open.
 * A transient announce (`StoreAnnounce.transient`) is answered in one reused result whose peer lists
 * are views of that scratch memory, made once per length, so it allocates nothing; any other answer
 * copies its peers out into fresh buffers.
 *
 * `nativeStoreSupport()` says whether the addon is there; `createStore` falls back to `MemoryStore`.
 */

import { SeedcastError } from '../../errors.js';
import type { AnnounceEvent, PeerList, SwarmCounts } from '../service/types.js';
import type { MemoryStoreOptions } from './memory-store.js';
import { nativeAddon } from './native-addon.js';
import {
  DEFAULT_MAX_PEERS_PER_SWARM,
  DEFAULT_PEER_TTL,
  type StoreAnnounce,
  type StoreAnnounceResult,
  type StoreSize,
  type SwarmStore,
} from './store.js';

interface NativeStoreAddon {
  /** Entries of the counts array. */
  STORE_COUNTS: number;
  /** Scratch bytes per peer of room: 6 + 18 + 20 + 20. */
  STORE_ENTRY: number;
  storeOpen(
    options: { peerTtl: number; maxPeersPerSwarm: number; maxSwarms: number; maxPeers: number },
    counts: Uint32Array,
    scratch: ArrayBuffer,
  ): object;
  storeScratch(handle: object, scratch: ArrayBuffer): void;
  storeAnnounce(
    handle: object,
    infoHash: Buffer,
    peerId: Buffer,
    ip: Buffer,
    port: number,
    key: number,
    flags: number,
    numwant: number,
    now: number,
  ): void;
  storeCounts(handle: object, infoHash: Buffer): void;
  storeSweep(handle: object, now: number, budget: number, restart: boolean): [number, number];
  storeSize(handle: object): [number, number, number];
  storeBytes(handle: object): number;
  storeMemory(handle: object): number;
  storeClear(handle: object): void;
}

/** Flags of `storeAnnounce` (see store_binding.c). */
const SEEDER = 1;
const SEEDERS_TOO = 2;
const WANT_IDS = 4;
const OTHER_FAMILY = 8;
/** SC_EVENT_* of swarm_store.h, shifted into the flags. */
const EVENT_FLAGS: Record<AnnounceEvent, number> = {
  none: 0,
  started: 1 << 4,
  completed: 2 << 4,
  stopped: 3 << 4,
};

/** Peers per family the scratch memory holds at first (the service's default maxNumwant). */
const FIRST_ROOM = 200;
/** Swarms swept per slice at first; the slice adapts to take about SWEEP_SLICE_MS. */
const SWEEP_SLICE = 1024;
const SWEEP_SLICE_MIN = 16;
const SWEEP_SLICE_MAX = 1 << 16;
const SWEEP_SLICE_MS = 0.5;

const EMPTY = Buffer.alloc(0);

let loaded: { native: NativeStoreAddon } | { error: string } | undefined;

function load(): { native: NativeStoreAddon } | { error: string } {
  if (loaded) return loaded;
  const l = nativeAddon();
  loaded =
    'error' in l
      ? { error: l.error }
      : typeof l.addon.storeOpen === 'function'
        ? { native: l.addon as unknown as NativeStoreAddon }
        : { error: 'the native addon has no swarm store (rebuild it: npm run build:native)' };
  return loaded;
}

/** Whether the store in C can be used here, and if not, why. */
export function nativeStoreSupport(): { ok: true } | { ok: false; reason: string } {
  const l = load();
  return 'native' in l ? { ok: true } : { ok: false, reason: l.error };
}

export type NativeStoreOptions = MemoryStoreOptions;

/** A limit as the C store takes it: a whole number >= 0 (Infinity allowed). */
function limit(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) {
    throw new RangeError(`native store: ${name} must be a number >= 0, not ${String(v)}`);
  }
  return v;
}

export class NativeStore implements SwarmStore {
  readonly synchronous = true;
  /** The store's N-API handle (an external): what the batched UDP socket's fast path takes. */
  readonly handle: object;
  private readonly native: NativeStoreAddon;
  /** [complete, incomplete, downloaded, n4, n6], written by each announce and count. */
  private readonly counts: Uint32Array;
  private scratch: Buffer;
  /** Peers per family the scratch memory holds. */
  private room: number;
  private readonly maxPerSwarm: number;
  /** Views of the scratch memory by length, per part (0: IPv4, 1: IPv6), made once each. */
  private views: Buffer[][] = [[], []];
  private readonly list: PeerList = { v4: EMPTY, v6: EMPTY };
  private readonly reused: StoreAnnounceResult = {
    complete: 0,
    incomplete: 0,
    downloaded: 0,
    peers: this.list,
  };
  private sweepBudget = SWEEP_SLICE;
  /** The sweep running, if any: the next one waits for it. */
  private sweeping: Promise<number> | undefined;

  /** Throws `TRACKER_UNAVAILABLE` when the addon is not built (see `nativeStoreSupport`). */
  constructor(options: NativeStoreOptions = {}) {
    const l = load();
    if (!('native' in l)) throw new SeedcastError('TRACKER_UNAVAILABLE', `native store: ${l.error}`);
    this.native = l.native;
    this.maxPerSwarm = limit(options.maxPeersPerSwarm, DEFAULT_MAX_PEERS_PER_SWARM, 'maxPeersPerSwarm');
    const opts = {
      peerTtl: limit(options.peerTtl, DEFAULT_PEER_TTL, 'peerTtl'),
      maxPeersPerSwarm: this.maxPerSwarm,
      maxSwarms: limit(options.maxSwarms, 1_000_000, 'maxSwarms'),
      maxPeers: limit(options.maxPeers, 10_000_000, 'maxPeers'),
    };
    this.counts = new Uint32Array(this.native.STORE_COUNTS);
    this.room = FIRST_ROOM;
    const scratch = new ArrayBuffer(this.room * this.native.STORE_ENTRY);
    this.scratch = Buffer.from(scratch);
    this.handle = this.native.storeOpen(opts, this.counts, scratch);
  }

  /** Synchronous: the answer is there at once. Throws `TRACKER_UNAVAILABLE` when out of memory. */
  announce(input: StoreAnnounce): StoreAnnounceResult {
    // A family never gives more than maxPeersPerSwarm peers, so the requester's and the other
    // family together no more than twice that: a larger numwant answers the same.
    const numwant =
      input.event === 'stopped' ? 0 : Math.max(0, Math.min(Math.floor(input.numwant), 2 * this.maxPerSwarm));
    if (numwant > this.room) this.grow(numwant);
    const wantIds = input.wantPeerIds;
    const flags =
      (input.seeder ? SEEDER : 0) |
      (input.seedersToo === true ? SEEDERS_TOO : 0) |
      (wantIds ? WANT_IDS : 0) |
      (input.otherFamily ? OTHER_FAMILY : 0) |
      EVENT_FLAGS[input.event];
    try {
      this.native.storeAnnounce(
        this.handle,
        input.infoHash,
        input.peerId,
        input.ip,
        input.port,
        input.key >>> 0,
        flags,
        numwant,
        input.now,
      );
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOMEM') {
        throw new SeedcastError('TRACKER_UNAVAILABLE', 'native store: out of memory', { cause: err });
      }
      throw err;
    }
    const c = this.counts;
    const room = this.room;
    const n4 = c[3]!;
    const n6 = c[4]!;
    if (input.transient === true && !wantIds) {
      const r = this.reused;
      r.complete = c[0]!;
      r.incomplete = c[1]!;
      r.downloaded = c[2]!;
      this.list.v4 = this.view(0, 0, n4 * 6);
      this.list.v6 = this.view(1, room * 6, n6 * 18);
      return r;
    }
    const peers: PeerList = { v4: this.copy(0, n4 * 6), v6: this.copy(room * 6, n6 * 18) };
    if (wantIds) {
      peers.ids4 = this.copy(room * 24, n4 * 20);
      peers.ids6 = this.copy(room * 44, n6 * 20);
    }
    return { complete: c[0]!, incomplete: c[1]!, downloaded: c[2]!, peers };
  }

  async scrape(infoHashes: Buffer[]): Promise<SwarmCounts[]> {
    const c = this.counts;
    return infoHashes.map((h) => {
      this.native.storeCounts(this.handle, h);
      return { complete: c[0]!, incomplete: c[1]!, downloaded: c[2]! };
    });
  }

  /**
   * Expires peers and drops swarms left empty, a slice of swarms at a time (each about
   * SWEEP_SLICE_MS), letting announces run in between (no long pause). One sweep runs at a time.
   */
  async sweep(now: number): Promise<number> {
    const previous = this.sweeping;
    const run = (async () => {
      if (previous) await previous.catch(() => 0);
      return this.sweepPass(now);
    })();
    this.sweeping = run;
    try {
      return await run;
    } finally {
      if (this.sweeping === run) this.sweeping = undefined;
    }
  }

  async size(): Promise<StoreSize> {
    const [swarms, seeders, leechers] = this.native.storeSize(this.handle);
    return { swarms, seeders, leechers };
  }

  /** Bytes held by the peer tables, as malloc holds them (for the memory-per-peer benchmark). */
  tableBytes(): number {
    return this.native.storeBytes(this.handle);
  }

  /** Bytes held by the whole store: the peer tables, the swarms and the info-hash index. */
  memoryBytes(): number {
    return this.native.storeMemory(this.handle);
  }

  /** Forgets every swarm (the store stays usable, as `MemoryStore`'s does). */
  async close(): Promise<void> {
    this.native.storeClear(this.handle);
  }

  private async sweepPass(now: number): Promise<number> {
    let removed = 0;
    let restart = true;
    for (;;) {
      const start = performance.now();
      const [gone, done] = this.native.storeSweep(this.handle, now, this.sweepBudget, restart);
      const took = performance.now() - start;
      restart = false;
      removed += gone;
      if (took > SWEEP_SLICE_MS) this.sweepBudget = Math.max(SWEEP_SLICE_MIN, this.sweepBudget >> 1);
      else if (took < SWEEP_SLICE_MS / 4) this.sweepBudget = Math.min(SWEEP_SLICE_MAX, this.sweepBudget * 2);
      if (done === 1) return removed;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Hands the store scratch memory for `room` peers per family. */
  private grow(room: number): void {
    const scratch = new ArrayBuffer(room * this.native.STORE_ENTRY);
    this.native.storeScratch(this.handle, scratch);
    this.scratch = Buffer.from(scratch);
    this.room = room;
    this.views = [[], []];
  }

  /** A view of `length` scratch bytes from `offset`, made once per part and length. */
  private view(part: number, offset: number, length: number): Buffer {
    if (length === 0) return EMPTY;
    const byLength = this.views[part]!;
    let v = byLength[length];
    if (!v) {
      v = this.scratch.subarray(offset, offset + length);
      byLength[length] = v;
    }
    return v;
  }

  /** A fresh copy of `length` scratch bytes from `offset`. */
  private copy(offset: number, length: number): Buffer {
    if (length === 0) return EMPTY;
    const out = Buffer.allocUnsafe(length);
    this.scratch.copy(out, 0, offset, offset + length);
    return out;
  }
}
