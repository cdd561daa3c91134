/**
 * The swarm store: the small interface behind which the tracker keeps its peers. Two adapters
 * implement it, `MemoryStore` (default) and `RedisStore` (shared by several tracker nodes); both
 * pass the one contract suite in `store-contract.ts`.
 *
 * Semantics every adapter keeps:
 * - a peer is identified by (info hash, address family, peer id); announcing again updates it;
 * - an announce for a known peer id from another address is only applied if it carries the same
 *   `key` as the stored one (so nobody can move or stop somebody else's peer); otherwise it is
 *   answered but changes nothing;
 * - `stopped` removes the peer and returns no peers; `completed` counts one download the first time
 *   a peer the swarm knows as a leecher becomes a seeder through it; a `completed` from a peer the
 *   swarm does not know (it stopped already through another of the site's trackers: a client that
 *   announces to the HTTP and UDP tiers in parallel may send `completed` and `stopped` to one before
 *   `completed` reaches the other) adds it as a seeder without counting a second download;
 * - peers not seen for `peerTtl` seconds are gone (lazily, and by `sweep`);
 * - returned peers never include the announcing peer; seeders get no seeders, unless the announce
 *   asks for them (`seedersToo`: the service sets it for a `left=0` peer that has downloaded nothing,
 *   which may be a magnet client that does not know the size yet); leechers come first then.
 */

import type { AnnounceEvent, PeerList, SwarmCounts } from '../service/types.js';

export interface StoreAnnounce {
  infoHash: Buffer;
  peerId: Buffer;
  ip: Buffer;
  port: number;
  key: number;
  seeder: boolean;
  /** A seeder that is given seeders as well as leechers (leechers first). */
  seedersToo?: boolean;
  event: AnnounceEvent;
  numwant: number;
  wantPeerIds: boolean;
  /** Whether to fill what the requester's family lacks with peers of the other family (HTTP). */
  otherFamily: boolean;
  /** The current time in whole seconds. */
  now: number;
  /**
   * The caller reads the answer before it announces to this store again (the UDP edge encodes it
   * at once). A synchronous store may then answer in objects and memory that its next announce
   * reuses, allocating nothing; others ignore it.
   */
  transient?: boolean;
}

export interface StoreAnnounceResult extends SwarmCounts {
  peers: PeerList;
}

export interface StoreSize {
  swarms: number;
  seeders: number;
  leechers: number;
}

/** A value now (the memory store, no promise on the hot path) or later (Redis). */
export type MaybePromise<T> = T | Promise<T>;

export interface SwarmStore {
  /**
   * True when `announce` always answers at once (the memory store). Then the service may hand it
   * views of a transport's reused buffers; for any other store it copies them first.
   */
  readonly synchronous?: boolean;
  /** Copies whatever of `input` it keeps: the buffers may be reused once the call is over. */
  announce(input: StoreAnnounce): MaybePromise<StoreAnnounceResult>;
  /** Counts for each info hash, in order (zeros for unknown swarms). */
  scrape(infoHashes: Buffer[], now: number): Promise<SwarmCounts[]>;
  /** Removes peers not seen since `now - peerTtl`; resolves to how many were removed. */
  sweep(now: number): Promise<number>;
  size(): Promise<StoreSize>;
  close(): Promise<void>;
}

export interface StoreLimits {
  /** Seconds after its last announce that a peer is forgotten (default 2700). */
  peerTtl?: number;
  /** Most peers of one address family kept in one swarm (default 50,000). */
  maxPeersPerSwarm?: number;
}

export const DEFAULT_PEER_TTL = 2700;
export const DEFAULT_MAX_PEERS_PER_SWARM = 50_000;

/** An empty peer list. */
export function noPeers(wantIds: boolean): PeerList {
  const empty = Buffer.alloc(0);
  return wantIds ? { v4: empty, v6: empty, ids4: empty, ids6: empty } : { v4: empty, v6: empty };
}
