/**
 * The live nodes of a site that runs as several `seedcast serve` processes (issue 22,
 * docs/scale-out.md), kept in the Redis the tracker's swarms already share, and which of them seeds
 * each item.
 *
 * Each node holds a key `<prefix>node:<id>` that expires `ttlMs` after its last heartbeat (Redis's
 * own expiry, so the nodes' clocks never matter) and is a member of the set `<prefix>nodes`. A
 * heartbeat renews the node's key, then reads which members still have one (a member whose key
 * has expired is removed from the set). A node that stops cleanly deletes its key at once.
 *
 * Ownership is rendezvous hashing (highest random weight, Thaler and Ravishankar 1998): an item
 * belongs to the live node whose SHA-1 of `node \0 item` is highest. Every node computes the same
 * owner from the same roster, and when a node joins or leaves only the items it gains or held move.
 * A node always counts itself live: when Redis cannot be reached it keeps the last roster it read,
 * so a partition ends with items seeded twice rather than not at all.
 */

import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { SeedcastError } from '../errors.js';

export interface NodeRosterOptions {
  /** This node's name, unique in the site (`--node-id`). */
  nodeId: string;
  /** How long a node counts as live after its last heartbeat. */
  ttlMs: number;
  /** Prefix of the roster's keys (default `seedcast:cluster:`). */
  prefix?: string;
}

/** The live node (of `nodes`) that owns `key`, by rendezvous hashing; undefined when there is none. */
export function rendezvousOwner(nodes: readonly string[], key: string | number): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const node of nodes) {
    const weight = createHash('sha1').update(`${node}\0${key}`).digest().readBigUInt64BE(0);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && node < best)) {
      best = node;
      bestWeight = weight;
    }
  }
  return best;
}

export class NodeRoster {
  private live: string[];
  private readonly prefix: string;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<boolean> | undefined;
  /** Counts the changes of the live nodes (`ClusterNode` rebalances when it moved). */
  version = 0;
  /** The last heartbeat's error, undefined once one succeeds. */
  failure: Error | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: NodeRosterOptions,
  ) {
    this.prefix = options.prefix ?? 'seedcast:cluster:';
    this.live = [options.nodeId];
  }

  /**
   * Connects to the Redis at `url`, sends the first heartbeat (the roster is then current) and keeps
   * beating every third of the TTL until `close`.
   */
  static async connect(url: string, options: NodeRosterOptions): Promise<NodeRoster> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    const roster = new NodeRoster(redis, options);
    try {
      await roster.beat();
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    roster.timer = setInterval(() => void roster.beat().catch(() => false), Math.round(options.ttlMs / 3));
    roster.timer.unref();
    return roster;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** The live nodes' names, sorted (this node always among them). */
  nodes(): string[] {
    return [...this.live];
  }

  /** The node that seeds the item. */
  owner(itemId: number): string {
    return rendezvousOwner(this.live, itemId) ?? this.options.nodeId;
  }

  /** True when this node seeds the item. */
  owns(itemId: number): boolean {
    return this.owner(itemId) === this.options.nodeId;
  }

  /**
   * Renews this node's heartbeat and reads the live nodes; resolves true when they changed. A Redis
   * failure rejects and keeps the roster as it was.
   */
  beat(): Promise<boolean> {
    this.beating ??= this.renew().then(
      (changed) => {
        this.failure = undefined;
        if (changed) this.version++;
        return changed;
      },
      (err: Error) => {
        this.failure = err;
        throw err;
      },
    );
    const beating = this.beating;
    void beating
      .catch(() => undefined)
      .finally(() => {
        if (this.beating === beating) this.beating = undefined;
      });
    return beating;
  }

  private async renew(): Promise<boolean> {
    const set = `${this.prefix}nodes`;
    const self = this.options.nodeId;
    await this.redis
      .multi()
      .set(this.key(self), String(Date.now()), 'PX', this.options.ttlMs)
      .sadd(set, self)
      .exec();
    const members = await this.redis.smembers(set);
    const alive = members.length > 0 ? await this.redis.mget(...members.map((m) => this.key(m))) : [];
    const gone = members.filter((_, i) => alive[i] === null);
    if (gone.length > 0) await this.redis.srem(set, ...gone);
    const next = [...new Set([self, ...members.filter((_, i) => alive[i] !== null)])].sort();
    const changed = next.join('\n') !== this.live.join('\n');
    this.live = next;
    return changed;
  }

  /**
   * A secret every node of the site shares (32 bytes): the first node to ask draws it, the others
   * read it. The UDP tracker's connection ids use it, so a client may connect through one node and
   * announce through another (BEP 15).
   */
  async sharedSecret(name: string): Promise<Buffer> {
    const key = `${this.prefix}secret:${name}`;
    await this.redis.set(key, randomBytes(32).toString('hex'), 'NX');
    const hex = await this.redis.get(key);
    if (hex?.length !== 64)
      throw new SeedcastError('TRACKER_UNAVAILABLE', `the shared secret ${name} in Redis is not 32 bytes`);
    return Buffer.from(hex, 'hex');
  }

  /** Leaves the roster (the other nodes take this node's items at their next heartbeat) and disconnects. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.beating?.catch(() => undefined);
    try {
      await this.redis
        .multi()
        .del(this.key(this.options.nodeId))
        .srem(`${this.prefix}nodes`, this.options.nodeId)
        .exec();
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private key(node: string): string {
    return `${this.prefix}node:${node}`;
  }
}
