/**
 * The Redis swarm store: the same contract as the memory store (`store-contract.ts`), kept in
 * Redis so that several tracker nodes share their swarms. Each announce is one atomic Lua script
 * (`redis-scripts.ts` documents the keys); scrapes are pipelined reads; `sweep` expires peers swarm
 * by swarm. Redis's own `maxmemory` bounds the memory; the per-swarm cap bounds one swarm.
 */

import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PeerList, SwarmCounts } from '../service/types.js';
import { ANNOUNCE_LUA, SWEEP_LUA } from './redis-scripts.js';
import {
  DEFAULT_MAX_PEERS_PER_SWARM,
  DEFAULT_PEER_TTL,
  type StoreAnnounce,
  type StoreAnnounceResult,
  type StoreLimits,
  type StoreSize,
  type SwarmStore,
} from './store.js';

export interface RedisStoreOptions extends StoreLimits {
  /** Prefix of every key (default `seedcast:tracker:`). */
  prefix?: string;
}

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const ANNOUNCE = script(ANNOUNCE_LUA);
const SWEEP = script(SWEEP_LUA);

export class RedisStore implements SwarmStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly peerTtl: number;
  private readonly maxPerSwarm: number;

  constructor(redis: Redis, options: RedisStoreOptions = {}) {
    this.redis = redis;
    this.prefix = options.prefix ?? 'seedcast:tracker:';
    this.peerTtl = options.peerTtl ?? DEFAULT_PEER_TTL;
    this.maxPerSwarm = options.maxPeersPerSwarm ?? DEFAULT_MAX_PEERS_PER_SWARM;
  }

  /** Connects to the Redis at `url` (`redis://host:port/db`). */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    return new RedisStore(redis, options);
  }

  async announce(input: StoreAnnounce): Promise<StoreAnnounceResult> {
    const v4 = input.ip.length === 4;
    const keys = this.swarmKeys(input.infoHash, v4);
    const addr = Buffer.allocUnsafe(input.ip.length + 2);
    input.ip.copy(addr, 0);
    addr.writeUInt16BE(input.port, input.ip.length);
    const res = (await this.run(ANNOUNCE, keys, [
      input.peerId,
      addr,
      input.seeder ? '1' : '0',
      input.event,
      String(input.numwant),
      String(input.now),
      String(this.peerTtl),
      String(this.maxPerSwarm),
      input.infoHash,
      v4 ? '4' : '16',
      v4 ? '16' : '4',
      input.otherFamily ? '1' : '0',
      String(input.key >>> 0),
      input.wantPeerIds ? '1' : '0',
      input.seedersToo ? '1' : '0',
    ])) as [number, number, number, Buffer, Buffer, Buffer, Buffer];
    const [seeders, leechers, downloaded, p1, i1, p2, i2] = res;
    const peers: PeerList = v4 ? { v4: p1, v6: p2 } : { v4: p2, v6: p1 };
    if (input.wantPeerIds) {
      peers.ids4 = v4 ? i1 : i2;
      peers.ids6 = v4 ? i2 : i1;
    }
    return { complete: seeders, incomplete: leechers, downloaded, peers };
  }

  async scrape(infoHashes: Buffer[]): Promise<SwarmCounts[]> {
    const pipe = this.redis.pipeline();
    for (const h of infoHashes) {
      const base = this.base(h);
      pipe.hlen(`${base}:s4`).hlen(`${base}:s6`).hlen(`${base}:l4`).hlen(`${base}:l6`).get(`${base}:d`);
    }
    const out = (await pipe.exec()) ?? [];
    const value = (i: number) => {
      const [err, v] = out[i] ?? [null, 0];
      if (err) throw err;
      return Number(v ?? 0);
    };
    return infoHashes.map((_, n) => ({
      complete: value(n * 5) + value(n * 5 + 1),
      incomplete: value(n * 5 + 2) + value(n * 5 + 3),
      downloaded: value(n * 5 + 4),
    }));
  }

  async sweep(now: number): Promise<number> {
    const cutoff = now - this.peerTtl;
    let removed = 0;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscanBuffer(
        Buffer.from(`${this.prefix}swarms`),
        cursor,
        'COUNT',
        500,
      );
      cursor = next.toString();
      for (let i = 0; i < flat.length; i += 2) {
        const member = flat[i]!;
        const base = this.base(member);
        const keys = [
          `${base}:s4`,
          `${base}:l4`,
          `${base}:t4`,
          `${base}:s6`,
          `${base}:l6`,
          `${base}:t6`,
          `${base}:d`,
          `${this.prefix}swarms`,
          `${this.prefix}totals`,
        ];
        removed += Number(await this.run(SWEEP, keys, [String(cutoff), member]));
      }
    } while (cursor !== '0');
    return removed;
  }

  async size(): Promise<StoreSize> {
    const [swarms, totals] = await Promise.all([
      this.redis.zcard(`${this.prefix}swarms`),
      this.redis.hmget(`${this.prefix}totals`, 's', 'l'),
    ]);
    return { swarms, seeders: Number(totals[0] ?? 0), leechers: Number(totals[1] ?? 0) };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private base(infoHash: Buffer): string {
    return `${this.prefix}{${infoHash.toString('hex')}}`;
  }

  private swarmKeys(infoHash: Buffer, v4: boolean): string[] {
    const base = this.base(infoHash);
    const [own, other] = v4 ? ['4', '6'] : ['6', '4'];
    return [
      `${base}:s${own}`,
      `${base}:l${own}`,
      `${base}:t${own}`,
      `${base}:s${other}`,
      `${base}:l${other}`,
      `${base}:t${other}`,
      `${base}:d`,
      `${this.prefix}swarms`,
      `${this.prefix}totals`,
    ];
  }

  /** EVALSHA, loading the script on NOSCRIPT (first use, or after a Redis restart). */
  private async run(s: Script, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    try {
      return await this.redis.callBuffer('EVALSHA', s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return this.redis.callBuffer('EVAL', s.lua, keys.length, ...keys, ...args);
    }
  }
}
