/**
 * Where the per-action rate limits (`action-limits.ts`) keep their counts: a sliding log of hit
 * times per key. `MemoryRateLimitStore` keeps them in this process (one node). With several site
 * nodes (issue 22, docs/scale-out.md) `RedisRateLimitStore` keeps them in Redis, so one client's
 * budget holds across nodes: every hit is added to a sorted set in Redis (trimmed to the newest
 * `keep`, expiring after its window) and announced on one pub/sub channel; every node applies the
 * other nodes' hits to its own copy, and a key this node has not seen yet is loaded from Redis.
 *
 * Decisions stay synchronous (the routes call `limitAction` without waiting): they are made from
 * this node's copy, current to within a message's trip through Redis. Two requests from one client
 * that reach two nodes within that moment may both pass; beyond it, the budget is the site's.
 * The contract both adapters meet is `rate-limit-store-contract.ts`.
 */

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RateLimitStore {
  /** The hit times (ms) of `key` after `since`, oldest first, as this node knows them now. */
  hits(key: string, since: number): readonly number[];
  /** Records a hit of `key` at `at` (ms), keeping the newest `keep`, for `windowMs` at least. */
  add(key: string, at: number, keep: number, windowMs: number): void;
  /** Forgets keys whose newest hit is at or before `before`. */
  sweep(before: number): void;
  close(): Promise<void>;
}

/** Most keys kept; past it the least recently created keys are dropped. */
const MAX_KEYS = 200_000;

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly log = new Map<string, number[]>();

  hits(key: string, since: number): readonly number[] {
    const list = this.log.get(key);
    if (!list) return EMPTY;
    let drop = 0;
    while (drop < list.length && list[drop]! <= since) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length === 0) this.log.delete(key);
    return list;
  }

  add(key: string, at: number, keep: number): void {
    let list = this.log.get(key);
    if (!list) {
      list = [];
      this.log.set(key, list);
      if (this.log.size > MAX_KEYS) this.log.delete(this.log.keys().next().value!);
    }
    // In time order: another node's hit may arrive after a later one of this node's.
    let i = list.length;
    while (i > 0 && list[i - 1]! > at) i--;
    list.splice(i, 0, at);
    if (list.length > keep) list.splice(0, list.length - keep);
  }

  /** True when the key has an entry (maybe empty of recent hits). */
  has(key: string): boolean {
    return this.log.has(key);
  }

  sweep(before: number): void {
    for (const [key, list] of this.log) if ((list[list.length - 1] ?? 0) <= before) this.log.delete(key);
  }

  async close(): Promise<void> {
    this.log.clear();
  }
}

export interface RedisRateLimitStoreOptions {
  /** Prefix of the keys and of the channel (default `seedcast:limits:`). */
  prefix?: string;
  /** Where failures to reach Redis are said (rate-limited by the caller); default nowhere. */
  log?: (message: string) => void;
}

export class RedisRateLimitStore implements RateLimitStore {
  private readonly local = new MemoryRateLimitStore();
  private readonly prefix: string;
  /** This store's name in the channel's messages (its own are not applied twice). */
  private readonly self = randomBytes(8).toString('hex');
  /** Keys being loaded from Redis, and what arrived meanwhile is applied on top. */
  private readonly loading = new Set<string>();
  private readonly ready: Promise<unknown>;

  constructor(
    private readonly redis: Redis,
    private readonly sub: Redis,
    private readonly options: RedisRateLimitStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'seedcast:limits:';
    // A lost connection is reported by the commands that fail (and ioredis reconnects).
    for (const r of [redis, sub]) r.on('error', () => undefined);
    this.sub.on('message', (_channel: string, message: string) => this.receive(message));
    this.ready = this.sub.subscribe(this.channel());
  }

  /** Connects to the Redis at `url` and follows the other nodes' hits. */
  static async connect(url: string, options: RedisRateLimitStoreOptions = {}): Promise<RedisRateLimitStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    const store = new RedisRateLimitStore(redis, redis.duplicate(), options);
    try {
      await store.ready;
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  hits(key: string, since: number): readonly number[] {
    if (!this.local.has(key)) this.load(key, since);
    return this.local.hits(key, since);
  }

  add(key: string, at: number, keep: number, windowMs: number): void {
    this.local.add(key, at, keep);
    const k = this.key(key);
    const member = `${at}:${randomBytes(4).toString('hex')}`;
    this.redis
      .multi()
      .zadd(k, at, member)
      .zremrangebyrank(k, 0, -keep - 1)
      .pexpire(k, Math.max(1000, windowMs))
      .publish(this.channel(), JSON.stringify({ n: this.self, k: key, at, keep }))
      .exec()
      .catch((err) => this.options.log?.(`rate limits: Redis: ${(err as Error).message}`));
  }

  sweep(before: number): void {
    this.local.sweep(before);
  }

  /** Resolves once every hit this store has sent or received so far is applied (tests). */
  async settled(): Promise<void> {
    await this.redis.ping();
    await this.sub.ping().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const r of [this.sub, this.redis]) await r.quit().catch(() => r.disconnect());
    await this.local.close();
  }

  /** Fills a key this node has not seen from Redis (hits of other nodes before it followed them). */
  private load(key: string, since: number): void {
    if (this.loading.has(key)) return;
    this.loading.add(key);
    this.redis
      .zrangebyscore(this.key(key), `(${since}`, '+inf')
      .then((members) => {
        const known = new Set(this.local.hits(key, since));
        for (const m of members) {
          const at = Number(m.split(':')[0]);
          if (Number.isFinite(at) && !known.has(at)) this.local.add(key, at, Number.MAX_SAFE_INTEGER);
        }
      })
      .catch((err) => this.options.log?.(`rate limits: Redis: ${(err as Error).message}`))
      .finally(() => this.loading.delete(key));
  }

  private receive(message: string): void {
    try {
      const m = JSON.parse(message) as { n?: unknown; k?: unknown; at?: unknown; keep?: unknown };
      if (m.n === this.self || typeof m.k !== 'string' || typeof m.at !== 'number') return;
      this.local.add(m.k, m.at, typeof m.keep === 'number' ? m.keep : Number.MAX_SAFE_INTEGER);
    } catch {
      // not a hit: ignored
    }
  }

  private channel(): string {
    return `${this.prefix}hits`;
  }

  private key(key: string): string {
    return `${this.prefix}${Buffer.from(key).toString('base64url')}`;
  }
}

const EMPTY: readonly number[] = Object.freeze([]);
