/**
 * The WebSocket tracker's relay registry (WebTorrent tracker protocol): per info hash, the peers
 * connected over WebSocket (peer id -> their connection, whether they seed, when they last
 * announced), kept in memory in this process. The edge relays offers to randomly chosen other peers
 * of a swarm and answers to the peer they name. WebSocket peers have no reachable address, so they
 * never go to the swarm store (nor into HTTP or UDP peer lists); the service adds this registry's
 * counts to the store's (`TrackerService.countAlso`), so every count shown includes them.
 *
 * Bounds: at most `maxPeersPerSwarm` peers in one swarm (a new peer beyond it is not kept; it can
 * still send offers and is counted nowhere), at most `maxSwarmsPerConnection` swarms joined by one
 * connection. Memory is O(peers): one entry per (swarm, peer) and one set per connection.
 */

import type { SwarmCounts } from '../../service/types.js';

/** One WebSocket connection, as the registry sees it. */
export interface WsLink {
  /** Sends one text frame (dropped when the connection is closing or too far behind). */
  send(text: string): void;
  /** The remote address (after `trustProxy`), as text. */
  readonly address: string;
  /** Entries this connection holds: `infoHash latin1 + peerId latin1` (40 chars). */
  readonly joined: Set<string>;
}

export interface WsPeer {
  peerId: Buffer;
  link: WsLink;
  seeder: boolean;
  /** Seconds. */
  lastSeen: number;
  /** Its place in its swarm's `list`. */
  index: number;
}

interface Swarm {
  peers: Map<string, WsPeer>;
  /** The same peers in an array, for picking at random in O(1). */
  list: WsPeer[];
  seeders: number;
  downloaded: number;
}

export interface WsSwarmLimits {
  maxPeersPerSwarm: number;
  maxSwarmsPerConnection: number;
}

export const WS_SWARM_LIMITS: Readonly<WsSwarmLimits> = {
  maxPeersPerSwarm: 5_000,
  maxSwarmsPerConnection: 256,
};

/** Why `join` did not keep the peer. */
export type JoinRefusal = 'swarm-full' | 'connection-full' | 'peer-id-taken';

export class WsSwarms {
  private readonly swarms = new Map<string, Swarm>();
  private readonly limits: WsSwarmLimits;
  private peerCount = 0;

  constructor(limits: Partial<WsSwarmLimits> = {}) {
    this.limits = { ...WS_SWARM_LIMITS, ...limits };
  }

  /** Swarms and peers held. */
  size(): { swarms: number; peers: number } {
    return { swarms: this.swarms.size, peers: this.peerCount };
  }

  /** Seeders, leechers and `completed` announces of one swarm; undefined when it has none. */
  counts(infoHash: Buffer): SwarmCounts | undefined {
    const swarm = this.swarms.get(infoHash.toString('latin1'));
    if (!swarm) return undefined;
    return {
      complete: swarm.seeders,
      incomplete: swarm.peers.size - swarm.seeders,
      downloaded: swarm.downloaded,
    };
  }

  /**
   * Adds or refreshes a peer from an announce. A peer id already held by a connection from another
   * address is not taken over (its answers would go to the newcomer); from the same address it is
   * (a client that reconnected before its old connection was seen closing).
   */
  join(
    infoHash: Buffer,
    peer: { peerId: Buffer; link: WsLink; seeder: boolean; completed: boolean; now: number },
  ): JoinRefusal | undefined {
    const hashKey = infoHash.toString('latin1');
    const idKey = peer.peerId.toString('latin1');
    let swarm = this.swarms.get(hashKey);
    const old = swarm?.peers.get(idKey);
    if (old && old.link !== peer.link) {
      if (old.link.address !== peer.link.address) return 'peer-id-taken';
      this.leave(infoHash, peer.peerId);
      swarm = this.swarms.get(hashKey);
    }
    const current = old && old.link === peer.link ? old : undefined;
    if (!current) {
      if (peer.link.joined.size >= this.limits.maxSwarmsPerConnection) return 'connection-full';
      if (swarm && swarm.peers.size >= this.limits.maxPeersPerSwarm) return 'swarm-full';
    }
    if (!swarm) {
      swarm = { peers: new Map(), list: [], seeders: 0, downloaded: 0 };
      this.swarms.set(hashKey, swarm);
    }
    if (peer.completed) swarm.downloaded++;
    if (current) {
      if (current.seeder !== peer.seeder) swarm.seeders += peer.seeder ? 1 : -1;
      current.seeder = peer.seeder;
      current.lastSeen = peer.now;
      return undefined;
    }
    const entry: WsPeer = {
      peerId: Buffer.from(peer.peerId),
      link: peer.link,
      seeder: peer.seeder,
      lastSeen: peer.now,
      index: swarm.list.length,
    };
    swarm.peers.set(idKey, entry);
    swarm.list.push(entry);
    if (peer.seeder) swarm.seeders++;
    this.peerCount++;
    peer.link.joined.add(hashKey + idKey);
    return undefined;
  }

  /** The peer with this id in this swarm, or undefined. */
  peer(infoHash: Buffer, peerId: Buffer): WsPeer | undefined {
    return this.swarms.get(infoHash.toString('latin1'))?.peers.get(peerId.toString('latin1'));
  }

  /** Removes a peer (it stopped, its connection closed, or it went quiet). */
  leave(infoHash: Buffer, peerId: Buffer): void {
    this.leaveKeys(infoHash.toString('latin1'), peerId.toString('latin1'));
  }

  /** Removes every entry of a closed connection. */
  drop(link: WsLink): void {
    for (const key of [...link.joined]) this.leaveKeys(key.slice(0, 20), key.slice(20));
  }

  /**
   * Up to `n` peers of the swarm other than `except`, distinct, chosen at random: random places in
   * the swarm's array (retried when taken), or a partial shuffle of a copy when the swarm is small.
   */
  pick(infoHash: Buffer, except: Buffer, n: number): WsPeer[] {
    const swarm = this.swarms.get(infoHash.toString('latin1'));
    if (!swarm || n <= 0) return [];
    const list = swarm.list;
    const out: WsPeer[] = [];
    if (list.length <= 4 * n) {
      const all = [...list];
      for (let i = 0; i < all.length && out.length < n; i++) {
        const j = i + Math.floor(Math.random() * (all.length - i));
        const chosen = all[j]!;
        all[j] = all[i]!;
        if (!chosen.peerId.equals(except)) out.push(chosen);
      }
      return out;
    }
    const taken = new Set<number>();
    for (let tries = 0; out.length < n && tries < 8 * n; tries++) {
      const j = Math.floor(Math.random() * list.length);
      if (taken.has(j)) continue;
      taken.add(j);
      if (!list[j]!.peerId.equals(except)) out.push(list[j]!);
    }
    return out;
  }

  /** Forgets peers that did not announce since `before` (seconds); resolves how many. */
  sweep(before: number): number {
    let n = 0;
    for (const [hashKey, swarm] of this.swarms) {
      for (const [idKey, p] of swarm.peers) {
        if (p.lastSeen < before) {
          this.leaveKeys(hashKey, idKey);
          n++;
        }
      }
    }
    return n;
  }

  private leaveKeys(hashKey: string, idKey: string): void {
    const swarm = this.swarms.get(hashKey);
    const p = swarm?.peers.get(idKey);
    if (!swarm || !p) return;
    swarm.peers.delete(idKey);
    const last = swarm.list.pop()!;
    if (last !== p) {
      swarm.list[p.index] = last;
      last.index = p.index;
    }
    if (p.seeder) swarm.seeders--;
    this.peerCount--;
    p.link.joined.delete(hashKey + idKey);
    if (swarm.peers.size === 0) this.swarms.delete(hashKey);
  }
}
