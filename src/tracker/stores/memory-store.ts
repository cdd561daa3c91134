/**
 * The in-memory swarm store (the default): swarms found by info hash through an `InfoHashIndex`
 * (looked up by the request's bytes, no key string per announce), each with one compact `PeerTable`
 * per address family (see `peer-table.ts` for the record layout).
 *
 * Memory stays bounded: a swarm keeps at most `maxPeersPerSwarm` peers per family, the store keeps
 * at most `maxPeers` peers and `maxSwarms` swarms, in two segments (as in segmented LRU): a new
 * swarm enters *probation* (a quarter of `maxSwarms`, first in first out); a swarm announced to a
 * second time moves to the *protected* segment, whose oldest swarm not announced to lately (second
 * chance) goes back to probation when it is full. A flood of info hashes announced once each only
 * churns probation and never evicts a swarm that lives. The segments are `Map`s keyed by the binary
 * (latin1) info hash, for their order; an announce to a protected swarm touches neither.
 */

import { hashSeed } from '../service/hash20.js';
import { InfoHashIndex } from '../service/info-hash-index.js';
import type { PeerList, SwarmCounts } from '../service/types.js';
import { EMPTY, pickPeers, ReusedAnswer } from './memory-pick.js';
import { PeerTable } from './peer-table.js';
import { Slab } from './slab.js';
import {
  DEFAULT_MAX_PEERS_PER_SWARM,
  DEFAULT_PEER_TTL,
  type StoreAnnounce,
  type StoreAnnounceResult,
  type StoreLimits,
  type StoreSize,
  type SwarmStore,
} from './store.js';

export interface MemoryStoreOptions extends StoreLimits {
  /** Most swarms kept (default 1,000,000). */
  maxSwarms?: number;
  /** Most peers kept over all swarms (default 10,000,000). */
  maxPeers?: number;
}

interface Swarm {
  /** The info hash as a latin1 string: the swarm's key in its segment's `Map`. */
  readonly key: string;
  /** In probation (else in the protected segment). */
  probation: boolean;
  v4: PeerTable | null;
  v6: PeerTable | null;
  downloaded: number;
  /** Last time (seconds) anything changed in it. */
  active: number;
  /** Announced to since the eviction clock last passed it. */
  referenced: boolean;
}

const SECOND_CHANCES = 16;
/** Swarms swept between two yields to the event loop. */
const SWEEP_SLICE = 1024;
/** Milliseconds of sweeping between two yields, at most (plus one swarm's worth). */
const SWEEP_SLICE_MS = 0.5;

export class MemoryStore implements SwarmStore {
  readonly synchronous = true;
  /** Swarms announced to more than once (the protected segment). */
  private readonly swarms = new Map<string, Swarm>();
  /** Swarms announced to once so far (probation, FIFO). */
  private readonly probation = new Map<string, Swarm>();
  /** Every swarm of both segments, by info hash. */
  private readonly index = new InfoHashIndex<Swarm>();
  private readonly protectedCap: number;
  private readonly probationCap: number;
  private readonly peerTtl: number;
  private readonly maxPerSwarm: number;
  private readonly maxPeers: number;
  private peers = 0;
  /** The memory of every peer table (see `slab.ts`). */
  private readonly slab = new Slab();
  /** One random seed for the peer-id hash of every table (see `hash20.ts`). */
  private readonly seed = hashSeed();
  /** What transient announces are answered in (see `StoreAnnounce.transient`). */
  private readonly reused = new ReusedAnswer();

  constructor(options: MemoryStoreOptions = {}) {
    this.peerTtl = options.peerTtl ?? DEFAULT_PEER_TTL;
    this.maxPerSwarm = options.maxPeersPerSwarm ?? DEFAULT_MAX_PEERS_PER_SWARM;
    const maxSwarms = Math.max(2, options.maxSwarms ?? 1_000_000);
    this.probationCap = Math.max(1, Math.floor(maxSwarms / 4));
    this.protectedCap = maxSwarms - this.probationCap;
    this.maxPeers = options.maxPeers ?? 10_000_000;
  }

  /** Synchronous: the answer is there at once. */
  announce(input: StoreAnnounce): StoreAnnounceResult {
    const { ip, peerId, now, event } = input;
    let swarm = this.index.get(input.infoHash);
    if (swarm) {
      if (swarm.probation) this.promote(swarm);
      else swarm.referenced = true;
    } else if (event === 'stopped') {
      return zeroResult(input.wantPeerIds);
    } else {
      swarm = this.createSwarm(input.infoHash, now);
    }
    const v4 = ip.length === 4;
    let table = v4 ? swarm.v4 : swarm.v6;
    if (!table) {
      table = new PeerTable(v4 ? 4 : 16, this.slab, this.seed);
      if (v4) swarm.v4 = table;
      else swarm.v6 = table;
    }
    let r = table.find(peerId);
    if (r >= 0 && table.lastSeen(r) + this.peerTtl < now) {
      table.remove(r);
      this.peers--;
      r = -1;
    }
    const owner = r < 0 || table.sameIp(r, ip) || (input.key !== 0 && table.key(r) === input.key);
    if (event === 'stopped') {
      if (r >= 0 && owner) {
        table.remove(r);
        this.peers--;
        swarm.active = now;
      }
      return result(swarm, emptyPeers(input.wantPeerIds));
    }
    if (owner) {
      if (r >= 0) {
        const wasSeeder = table.isSeeder(r);
        table.update(r, ip, input.port, input.seeder, input.key, now);
        if (event === 'completed' && input.seeder && !wasSeeder) swarm.downloaded++;
      } else if (table.count < this.maxPerSwarm && this.peers < this.maxPeers) {
        r = table.insert(peerId, ip, input.port, input.seeder, input.key, now);
        this.peers++;
      }
      swarm.active = now;
    }
    const other = v4 ? swarm.v6 : swarm.v4;
    // Peer ids (HTTP only) are always copied out; transient answers need none.
    const into = input.transient === true && !input.wantPeerIds ? this.reused : undefined;
    const peers = pickPeers(table, other, input, r, now - this.peerTtl, into);
    return result(swarm, peers, into?.result);
  }

  async scrape(infoHashes: Buffer[]): Promise<SwarmCounts[]> {
    return infoHashes.map((h) => {
      const swarm = this.index.get(h);
      if (!swarm) return { complete: 0, incomplete: 0, downloaded: 0 };
      const { complete, incomplete, downloaded } = result(swarm, EMPTY_LIST);
      return { complete, incomplete, downloaded };
    });
  }

  /** Expires peers a slice of swarms at a time, letting announces run in between (no long pause). */
  async sweep(now: number): Promise<number> {
    const cutoff = now - this.peerTtl;
    return (await this.sweepMap(this.swarms, cutoff)) + (await this.sweepMap(this.probation, cutoff));
  }

  private async sweepMap(map: Map<string, Swarm>, cutoff: number): Promise<number> {
    let removed = 0;
    let visited = 0;
    let sliceStart = performance.now();
    for (const [key, swarm] of map) {
      // Yield to announces every SWEEP_SLICE swarms or SWEEP_SLICE_MS, whichever comes first.
      if (++visited % SWEEP_SLICE === 0 || performance.now() - sliceStart > SWEEP_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const before = removed;
      if (swarm.v4) {
        removed += swarm.v4.expire(cutoff);
        if (swarm.v4.count === 0) {
          swarm.v4.release();
          swarm.v4 = null;
        }
      }
      if (swarm.v6) {
        removed += swarm.v6.expire(cutoff);
        if (swarm.v6.count === 0) {
          swarm.v6.release();
          swarm.v6 = null;
        }
      }
      if (!swarm.v4 && !swarm.v6 && swarm.active < cutoff) {
        map.delete(key);
        this.index.delete(Buffer.from(key, 'latin1'));
      }
      this.peers -= removed - before;
    }
    return removed;
  }

  async size(): Promise<StoreSize> {
    let seeders = 0;
    let peers = 0;
    for (const map of [this.swarms, this.probation]) {
      for (const swarm of map.values()) {
        const c = result(swarm, EMPTY_LIST);
        seeders += c.complete;
        peers += c.complete + c.incomplete;
      }
    }
    return { swarms: this.swarms.size + this.probation.size, seeders, leechers: peers - seeders };
  }

  /** Bytes held by the peer tables (for the memory-per-peer benchmark). */
  tableBytes(): number {
    let bytes = 0;
    for (const map of [this.swarms, this.probation]) {
      for (const s of map.values()) bytes += (s.v4?.byteSize ?? 0) + (s.v6?.byteSize ?? 0);
    }
    return bytes;
  }

  async close(): Promise<void> {
    this.swarms.clear();
    this.probation.clear();
    this.index.clear();
    this.peers = 0;
  }

  private createSwarm(infoHash: Buffer, now: number): Swarm {
    const swarm: Swarm = {
      key: infoHash.toString('latin1'),
      probation: true,
      v4: null,
      v6: null,
      downloaded: 0,
      active: now,
      referenced: false,
    };
    this.admit(swarm);
    this.index.set(infoHash, swarm);
    return swarm;
  }

  /** Moves a swarm announced to a second time from probation to the protected segment. */
  private promote(swarm: Swarm): void {
    this.probation.delete(swarm.key);
    if (this.swarms.size >= this.protectedCap) {
      // Demote the oldest protected swarm not announced to since last passed (second chance).
      let steps = 0;
      for (const [key, old] of this.swarms) {
        this.swarms.delete(key);
        if (old.referenced && ++steps < SECOND_CHANCES) {
          old.referenced = false;
          this.swarms.set(key, old);
          continue;
        }
        old.referenced = false;
        this.admit(old);
        break;
      }
    }
    swarm.referenced = false;
    swarm.probation = false;
    this.swarms.set(swarm.key, swarm);
  }

  /** Puts a swarm into probation, evicting its oldest swarm when full. */
  private admit(swarm: Swarm): void {
    if (this.probation.size >= this.probationCap) {
      for (const [key, old] of this.probation) {
        this.peers -= peersOf(old);
        old.v4?.release();
        old.v6?.release();
        this.probation.delete(key);
        this.index.delete(Buffer.from(key, 'latin1'));
        break;
      }
    }
    swarm.probation = true;
    this.probation.set(swarm.key, swarm);
  }
}

function peersOf(swarm: Swarm): number {
  return (swarm.v4?.count ?? 0) + (swarm.v6?.count ?? 0);
}

const EMPTY_LIST: PeerList = { v4: EMPTY, v6: EMPTY };

function emptyPeers(wantIds: boolean): PeerList {
  return wantIds ? { v4: EMPTY, v6: EMPTY, ids4: EMPTY, ids6: EMPTY } : { v4: EMPTY, v6: EMPTY };
}

function zeroResult(wantIds: boolean): StoreAnnounceResult {
  return { complete: 0, incomplete: 0, downloaded: 0, peers: emptyPeers(wantIds) };
}

/** A swarm's counts with `peers`: a new result, or written `into` a reused one. */
function result(swarm: Swarm, peers: PeerList, into?: StoreAnnounceResult): StoreAnnounceResult {
  const seeders = (swarm.v4 ? swarm.v4.seeders : 0) + (swarm.v6 ? swarm.v6.seeders : 0);
  const total = (swarm.v4 ? swarm.v4.count : 0) + (swarm.v6 ? swarm.v6.count : 0);
  if (!into) return { complete: seeders, incomplete: total - seeders, downloaded: swarm.downloaded, peers };
  into.complete = seeders;
  into.incomplete = total - seeders;
  into.downloaded = swarm.downloaded;
  into.peers = peers;
  return into;
}
