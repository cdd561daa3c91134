/**
 * The WebSocket tracker's swarms shared by several site nodes (issue 22, docs/scale-out.md): the
 * WebTorrent tracker protocol relays offers and answers between sockets, and with several nodes a
 * browser on node A and one on node B must still meet. Every node keeps its own sockets
 * (`ws-swarms.ts`) and registers each of their peers here, in the Redis the HTTP/UDP swarms already
 * share; an offer or answer for a peer whose socket lives on another node is published on that
 * node's channel (Redis pub/sub), and that node sends it down the socket.
 *
 * Keys of one swarm (`<p>` = prefix, `<h>` = info hash in hex):
 *   <p>{<h>}:p  HASH  peer id (20 bytes) -> `node \t address key \t s|l`
 *   <p>{<h>}:t  ZSET  peer id scored by last announce (seconds): peers of a node that died expire
 *   <p>{<h>}:n  HASH  s, l (seeders, leechers), d (`completed` announces)
 * Each script expires the swarm's stale peers first; the keys themselves expire after twice the peer
 * TTL without an announce. Channel of a node: `<p>node:<id>`, messages `{h, to, text}` (hex, hex, the
 * frame). A peer id held from another address on another node is refused, as on one node. Offers
 * for the site's own WebRTC peer (`ws-local-peer.ts`) made on a node that does not seed the torrent
 * go to `<p>site`: the node whose peer serves it answers, through the offering node's channel.
 */

import { Redis } from 'ioredis';
import { SeedcastError } from '../../../errors.js';
import type { SwarmCounts } from '../../service/types.js';
import type { LocalOffer } from './ws-local-peer.js';

export interface WsClusterOptions {
  /** This node's name (`--node-id`). */
  nodeId: string;
  /** Prefix of the keys and channels (default `seedcast:tracker:ws:`). */
  prefix?: string;
  /** Seconds a peer stays without announcing (default 300, the edge's idle limit). */
  peerTtl?: number;
}

/** A peer of a shared swarm and the node its socket is on. */
export interface ClusterPeer {
  peerId: Buffer;
  node: string;
}

export type Delivery = (infoHash: Buffer, peerId: Buffer, text: string) => void;

/** An offer for whichever node's site peer serves the torrent, and the node to answer through. */
export type SiteOffer = (offer: LocalOffer, fromNode: string) => void;

const EXPIRE = `
local function expire(p, t, n, cutoff)
  local stale = redis.call('ZRANGEBYSCORE', t, '-inf', '(' .. cutoff, 'LIMIT', 0, 500)
  for i = 1, #stale do
    local v = redis.call('HGET', p, stale[i])
    if v then
      redis.call('HINCRBY', n, string.sub(v, -1), -1)
      redis.call('HDEL', p, stale[i])
    end
    redis.call('ZREM', t, stale[i])
  end
end
local function keep(ttl)
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl * 2) end
end
`;

/** ARGV: id, node, address key, seeder 0|1, completed 0|1, now, ttl. Returns 'ok' or 'taken'. */
const JOIN = `${EXPIRE}
local now, ttl = tonumber(ARGV[6]), tonumber(ARGV[7])
expire(KEYS[1], KEYS[2], KEYS[3], now - ttl)
local id, mine = ARGV[1], ARGV[2] .. '\\t' .. ARGV[3] .. '\\t'
local old = redis.call('HGET', KEYS[1], id)
if old and string.sub(old, 1, -2) ~= mine then
  local addr = string.match(old, '^[^\\t]*\\t([^\\t]*)\\t')
  if addr ~= ARGV[3] then return 'taken' end
end
local flag = ARGV[4] == '1' and 's' or 'l'
if old then redis.call('HINCRBY', KEYS[3], string.sub(old, -1), -1) end
redis.call('HINCRBY', KEYS[3], flag, 1)
redis.call('HSET', KEYS[1], id, mine .. flag)
redis.call('ZADD', KEYS[2], now, id)
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[3], 'd', 1) end
keep(ttl)
return 'ok'
`;

/** ARGV: id, node. Removes the peer when this node holds it. */
const LEAVE = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old or string.sub(old, 1, #ARGV[2] + 1) ~= ARGV[2] .. '\\t' then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], string.sub(old, -1), -1)
return 1
`;

/** ARGV: except, n, now, ttl. Returns up to n (id, node) pairs, flat, chosen at random. */
const PICK = `${EXPIRE}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
expire(KEYS[1], KEYS[2], KEYS[3], now - ttl)
local n = tonumber(ARGV[2])
local flat = redis.call('HRANDFIELD', KEYS[1], n + 1, 'WITHVALUES')
local out = {}
for i = 1, #flat, 2 do
  if flat[i] ~= ARGV[1] and #out < 2 * n then
    out[#out + 1] = flat[i]
    out[#out + 1] = string.match(flat[i + 1], '^[^\\t]*')
  end
end
return out
`;

/** ARGV: now, ttl. Returns { seeders, leechers, downloaded }. */
const COUNTS = `${EXPIRE}
expire(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]) - tonumber(ARGV[2]))
local c = redis.call('HMGET', KEYS[3], 's', 'l', 'd')
return { tonumber(c[1] or 0), tonumber(c[2] or 0), tonumber(c[3] or 0) }
`;

export class WsCluster {
  private readonly prefix: string;
  private readonly peerTtl: number;
  private handler: Delivery | undefined;
  private siteHandler: SiteOffer | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly sub: Redis,
    private readonly options: WsClusterOptions,
  ) {
    this.prefix = options.prefix ?? 'seedcast:tracker:ws:';
    this.peerTtl = options.peerTtl ?? 300;
    // A lost connection is reported by the commands that fail (and ioredis reconnects).
    for (const r of [redis, sub]) r.on('error', () => undefined);
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      channel.toString() === this.siteChannel() ? this.receiveOffer(message) : this.receive(message),
    );
  }

  /** Connects to the Redis at `url` and listens on this node's channel. */
  static async connect(url: string, options: WsClusterOptions): Promise<WsCluster> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    const sub = redis.duplicate();
    try {
      const cluster = new WsCluster(redis, sub, options);
      await sub.subscribe(cluster.channel(options.nodeId), cluster.siteChannel());
      return cluster;
    } catch (err) {
      redis.disconnect();
      sub.disconnect();
      throw err;
    }
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Where frames for this node's peers sent by other nodes go (the edge's sockets). */
  onDeliver(handler: Delivery): void {
    this.handler = handler;
  }

  /** Where offers for the site's own WebRTC peer made on other nodes go (the one serving answers). */
  onSiteOffer(handler: SiteOffer): void {
    this.siteHandler = handler;
  }

  /** Offers to the site peer of whichever other node serves the torrent (its item's owner). */
  async askSite(offer: LocalOffer): Promise<void> {
    const { infoHash, fromPeerId, offerId, sdp } = offer;
    const hex = (b: Buffer) => b.toString('hex');
    const message = { h: hex(infoHash), from: hex(fromPeerId), o: hex(offerId), sdp, node: this.nodeId };
    await this.redis.publish(this.siteChannel(), JSON.stringify(message));
  }

  /** Registers or refreshes a peer of this node; 'peer-id-taken' when another address holds the id. */
  async join(
    infoHash: Buffer,
    peer: { peerId: Buffer; addressKey: string; seeder: boolean; completed: boolean },
  ): Promise<'peer-id-taken' | undefined> {
    const res = await this.redis
      .eval(
        JOIN,
        3,
        ...this.keys(infoHash),
        peer.peerId,
        this.nodeId,
        peer.addressKey,
        peer.seeder ? '1' : '0',
        peer.completed ? '1' : '0',
        String(now()),
        String(this.peerTtl),
      )
      .catch(unavailable);
    return res === 'taken' ? 'peer-id-taken' : undefined;
  }

  /** Removes a peer this node holds (stopped, or its socket closed). */
  async leave(infoHash: Buffer, peerId: Buffer): Promise<void> {
    await this.redis.eval(LEAVE, 3, ...this.keys(infoHash), peerId, this.nodeId);
  }

  /** Up to `n` peers of the shared swarm other than `except`, on any node, at random. */
  async pick(infoHash: Buffer, except: Buffer, n: number): Promise<ClusterPeer[]> {
    if (n <= 0) return [];
    const flat = (await this.redis
      .callBuffer(
        'EVAL',
        PICK,
        3,
        ...this.keys(infoHash),
        except,
        String(n),
        String(now()),
        String(this.peerTtl),
      )
      .catch(unavailable)) as Buffer[];
    const out: ClusterPeer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      out.push({ peerId: flat[i]!, node: flat[i + 1]!.toString() });
    return out;
  }

  /** The node whose socket holds this peer, or undefined. */
  async find(infoHash: Buffer, peerId: Buffer): Promise<string | undefined> {
    const [p] = this.keys(infoHash);
    const v = await this.redis.hgetBuffer(p!, peerId).catch(unavailable);
    return v ? v.toString().split('\t')[0] : undefined;
  }

  /** Seeders, leechers and `completed` announces of the shared swarm (every node's peers). */
  async counts(infoHash: Buffer): Promise<SwarmCounts> {
    const [s, l, d] = (await this.redis
      .eval(COUNTS, 3, ...this.keys(infoHash), String(now()), String(this.peerTtl))
      .catch(unavailable)) as number[];
    return { complete: Math.max(0, s ?? 0), incomplete: Math.max(0, l ?? 0), downloaded: d ?? 0 };
  }

  /** Sends a frame to a peer whose socket is on `node` (another node: through its channel). */
  async deliver(node: string, infoHash: Buffer, peerId: Buffer, text: string): Promise<void> {
    if (node === this.nodeId) return this.handler?.(infoHash, peerId, text);
    const message = JSON.stringify({ h: infoHash.toString('hex'), to: peerId.toString('hex'), text });
    await this.redis.publish(this.channel(node), message);
  }

  async close(): Promise<void> {
    for (const r of [this.sub, this.redis]) await r.quit().catch(() => r.disconnect());
  }

  private receive(message: Buffer): void {
    try {
      const m = JSON.parse(message.toString()) as { h?: unknown; to?: unknown; text?: unknown };
      if (typeof m.h !== 'string' || typeof m.to !== 'string' || typeof m.text !== 'string') return;
      const infoHash = Buffer.from(m.h, 'hex');
      const peerId = Buffer.from(m.to, 'hex');
      if (infoHash.length !== 20 || peerId.length !== 20) return;
      this.handler?.(infoHash, peerId, m.text);
    } catch {
      // not ours: ignored
    }
  }

  private receiveOffer(message: Buffer): void {
    try {
      const m = JSON.parse(message.toString()) as Record<string, unknown>;
      const { h, from, o, sdp, node } = m;
      if (node === this.nodeId || typeof node !== 'string' || typeof sdp !== 'string') return;
      if (typeof h !== 'string' || typeof from !== 'string' || typeof o !== 'string') return;
      const offer = { infoHash: Buffer.from(h, 'hex'), fromPeerId: Buffer.from(from, 'hex') };
      if (offer.infoHash.length !== 20 || offer.fromPeerId.length !== 20) return;
      this.siteHandler?.({ ...offer, offerId: Buffer.from(o, 'hex'), sdp }, node);
    } catch {
      // not an offer: ignored
    }
  }

  private channel(node: string): string {
    return `${this.prefix}node:${node}`;
  }

  /** The channel of offers for the site peers (every node listens). */
  private siteChannel(): string {
    return `${this.prefix}site`;
  }

  private keys(infoHash: Buffer): [string, string, string] {
    const base = `${this.prefix}{${infoHash.toString('hex')}}`;
    return [`${base}:p`, `${base}:t`, `${base}:n`];
  }
}

/** Redis failed: the announce gets the tracker's own failure reason (TRACKER_UNAVAILABLE). */
function unavailable(err: unknown): never {
  throw new SeedcastError('TRACKER_UNAVAILABLE', (err as Error)?.message, { cause: err });
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
