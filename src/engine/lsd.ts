/**
 * Local Service Discovery (BEP 14): find peers of the same torrents on the local network by UDP
 * multicast, so machines on one LAN share what they download without a tracker or the DHT.
 *
 * One socket per address family, bound to the group's port (6771) with `SO_REUSEADDR` so that
 * several clients on one machine (libtorrent, aria2, other Seedcast processes) share it, joined to
 * `239.192.152.143` and, when the host has IPv6 multicast, `ff15::efc0:988f` on the interface the
 * kernel routes the group to. Each active public torrent is announced when it starts and every
 * five minutes (libtorrent's `local_service_announce_interval`), a hybrid torrent under its v1 and
 * its truncated v2 hash (`lsdHashes`), one info hash per datagram (see `lsd-message.ts`), paced to
 * `SEND_BURST` datagrams at once then one per `SEND_EVERY_MS`. Private torrents (BEP 27) are never
 * announced and never take peers from here (`lsdEligible`).
 *
 * An announce from a neighbour names its TCP port; the address is the datagram's source. Each
 * accepted (torrent, address, port) goes to the engine's `onPeer` (the session's `SwarmFinder.add`,
 * outbound policy included) at most once a minute, with at most `PORTS_PER_ADDRESS` ports per
 * address and torrent. Hostile input is bounded: datagrams are parsed strictly and dropped when
 * malformed, each source address has a token bucket (`SOURCE_BURST`, refilled at
 * `SOURCE_PER_SECOND`), all sources together another, and the tables behind them are capped. A
 * socket error disables that family and is logged; it never reaches the process.
 */

import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { PeerAddress } from '../wire/index.js';
import { encodeAnnounce, hostHeader, parseAnnounce } from './lsd-message.js';

export const LSD_IPV4 = { address: '239.192.152.143', port: 6771 } as const;
export const LSD_IPV6_ADDRESS = 'ff15::efc0:988f';

export interface LsdOptions {
  /** IPv4 multicast group (default `239.192.152.143`). */
  address?: string;
  /** UDP port of both groups (default 6771). */
  port?: number;
  /** IPv6 multicast group, or `false` for IPv4 only (default `ff15::efc0:988f`). */
  address6?: string | false;
  /** Interval between announces of each torrent (default 5 minutes). */
  intervalMs?: number;
}

/** What discovery needs from the engine. */
export interface LsdHost {
  /** Our BitTorrent TCP port. */
  port(): number;
  /** Info hashes (hex) of the torrents to announce: active and not private. */
  torrents(): string[];
  /** A neighbour at `address` takes part in `infoHash` (40 hex digits, lower case). */
  onPeer(infoHash: string, address: PeerAddress): void;
  log?: (message: string) => void;
}

const INTERVAL_MS = 5 * 60_000;
const SEND_BURST = 10;
const SEND_EVERY_MS = 500;
// libtorrent sends each announce three times in six seconds, one torrent per datagram: a neighbour
// starting 30 torrents sends 90 datagrams at once.
const SOURCE_BURST = 120;
const SOURCE_PER_SECOND = 10;
const GLOBAL_BURST = 500;
const GLOBAL_PER_SECOND = 200;
const MAX_SOURCES = 1024;
const PEER_REPEAT_MS = 60_000;
/** Most ports one address may announce for one torrent within `PEER_REPEAT_MS`. */
const PORTS_PER_ADDRESS = 4;
const MAX_RECENT = 4096;

/** May a session be announced and take LSD peers? Running, not failed, not private (BEP 27). */
export function lsdEligible(session: {
  running: boolean;
  failure: Error | undefined;
  meta?: { private: boolean } | undefined;
}): boolean {
  return session.running && !session.failure && session.meta?.private !== true;
}

/**
 * The hashes to announce for a session: its v1 info hash, and for a hybrid torrent also the v2 hash
 * truncated to 20 bytes (libtorrent 2.0 announces both; the engine answers to both, BEP 52).
 */
export function lsdHashes(session: {
  infoHash: Buffer;
  meta?: { infoHashV2?: string } | undefined;
}): string[] {
  const v1 = session.infoHash.toString('hex');
  const v2 = session.meta?.infoHashV2?.slice(0, 40);
  return v2 && v2 !== v1 ? [v1, v2] : [v1];
}

/** A token bucket: `take()` is true while tokens remain; `rate` tokens come back each second. */
class Bucket {
  private tokens: number;
  private at = Date.now();
  constructor(
    private readonly burst: number,
    private readonly rate: number,
  ) {
    this.tokens = burst;
  }
  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Family {
  socket: Socket;
  group: { address: string; port: number };
  hosts: string[];
}

export class LocalDiscovery {
  /** Sent in our announces so we drop them when multicast loops them back to us. */
  readonly cookie = randomBytes(4).toString('hex');
  private families: Family[] = [];
  private readonly queue = new Set<string>();
  private readonly sendBucket = new Bucket(SEND_BURST, 1000 / SEND_EVERY_MS);
  private readonly allSources = new Bucket(GLOBAL_BURST, GLOBAL_PER_SECOND);
  private readonly sources = new Map<string, Bucket>();
  /** `infoHash address` -> ports passed on within the last `PEER_REPEAT_MS`, and when. */
  private readonly recent = new Map<string, Map<number, number>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private pacer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly reported = new Set<string>();
  /** Datagrams dropped, by reason (diagnostics and tests). */
  readonly dropped = new Map<string, number>();

  constructor(
    private readonly host: LsdHost,
    private readonly options: LsdOptions = {},
  ) {}

  /** Join the groups (a family that cannot is logged and left out), then announce every torrent. */
  async start(): Promise<void> {
    await this.join();
    const every = this.options.intervalMs ?? INTERVAL_MS;
    const cycle = setInterval(() => {
      // A family that could not join (no network yet, a laptop between networks) is tried again.
      void this.join().then(() => this.announceAll());
    }, every);
    cycle.unref();
    this.timers.push(cycle);
    this.announceAll();
  }

  /** Join each group not joined yet; one that cannot is logged and left for the next cycle. */
  private async join(): Promise<void> {
    const port = this.options.port ?? LSD_IPV4.port;
    const address6 = this.options.address6 ?? LSD_IPV6_ADDRESS;
    const groups: { type: 'udp4' | 'udp6'; address: string }[] = [
      { type: 'udp4', address: this.options.address ?? LSD_IPV4.address },
    ];
    if (address6 !== false) groups.push({ type: 'udp6', address: address6 });
    for (const { type, address } of groups) {
      if (this.closed || this.families.some((f) => f.group.address === address)) continue;
      const family = await this.open(type, { address, port });
      if (family && this.closed) family.socket.close();
      else if (family) this.families.push(family);
    }
  }

  /** True when at least one group was joined. */
  get active(): boolean {
    return this.families.length > 0;
  }

  /** Announce `infoHash` soon (a torrent that just started). */
  announce(infoHash: string): void {
    if (this.closed || this.families.length === 0) return; // the next cycle announces every torrent
    this.queue.add(infoHash);
    this.drain();
  }

  /** Leave the groups and stop announcing. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.pacer) clearTimeout(this.pacer);
    this.queue.clear();
    await Promise.all(
      this.families.map((f) => new Promise<void>((resolve) => f.socket.close(() => resolve()))),
    );
    this.families = [];
  }

  private announceAll(): void {
    for (const hash of this.host.torrents()) this.queue.add(hash);
    this.drain();
  }

  private async open(
    type: 'udp4' | 'udp6',
    group: { address: string; port: number },
  ): Promise<Family | undefined> {
    const socket = createSocket({ type, reuseAddr: true, ...(type === 'udp6' ? { ipv6Only: true } : {}) });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(group.port, type === 'udp4' ? '0.0.0.0' : '::', () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.addMembership(group.address);
      socket.setMulticastTTL(32); // BEP 14: the groups' scope is wider than one link
      socket.setMulticastLoopback(true); // other clients on this machine hear us; our cookie filters us
    } catch (err) {
      const why = `local discovery (${type}) off: ${(err as Error).message}`;
      if (!this.reported.has(why)) this.host.log?.(why); // once, not at every retry
      this.reported.add(why);
      socket.close();
      return undefined;
    }
    const family = { socket, group, hosts: [hostHeader(group).toLowerCase()] };
    socket.on('message', (msg, rinfo) => this.onMessage(family, msg, rinfo));
    socket.on('error', (err) => {
      this.host.log?.(`local discovery (${type}): ${err.message}`);
      this.families = this.families.filter((f) => f !== family);
      socket.close();
    });
    return family;
  }

  /** Send queued announces while the send bucket allows, then wait for the next token. */
  private drain(): void {
    if (this.pacer || this.closed) return;
    const port = this.host.port();
    const live = new Set(this.host.torrents()); // a torrent stopped or found private meanwhile is skipped
    for (const hash of this.queue) {
      if (!live.has(hash)) {
        this.queue.delete(hash);
        continue;
      }
      if (!this.sendBucket.take()) {
        this.pacer = setTimeout(() => {
          this.pacer = undefined;
          this.drain();
        }, SEND_EVERY_MS);
        this.pacer.unref();
        return;
      }
      this.queue.delete(hash);
      if (port <= 0) continue;
      for (const f of this.families) {
        const datagram = encodeAnnounce({ group: f.group, port, infoHash: hash, cookie: this.cookie });
        const failed = (err: Error | null) => {
          if (err) this.host.log?.(`local discovery: sending to ${f.group.address}: ${err.message}`);
        };
        try {
          f.socket.send(datagram, f.group.port, f.group.address, failed);
        } catch (err) {
          failed(err as Error);
        }
      }
    }
  }

  private drop(reason: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  private onMessage(family: Family, msg: Buffer, rinfo: RemoteInfo): void {
    const host = rinfo.address.replace(/^::ffff:/, '');
    if (!this.sourceBucket(host).take() || !this.allSources.take()) {
      this.drop('rate limited');
      return;
    }
    if (host === '0.0.0.0' || host === '::') {
      this.drop('unspecified source address'); // a host with no address on the route to the group
      return;
    }
    const parsed = parseAnnounce(msg, { hosts: family.hosts, ownCookie: this.cookie });
    if (!parsed.ok) {
      if (parsed.reason !== 'our own announce')
        this.host.log?.(`local discovery: dropped a datagram from ${host}: ${parsed.reason}`);
      this.drop(parsed.reason);
      return;
    }
    const now = Date.now();
    const { port, infoHashes } = parsed.announce;
    for (const hash of infoHashes) {
      const key = `${hash} ${host}`;
      const ports = this.recent.get(key) ?? new Map<number, number>();
      for (const [p, at] of ports) if (now - at >= PEER_REPEAT_MS) ports.delete(p);
      if (ports.has(port)) continue; // a repeat (libtorrent resends each announce twice)
      if (ports.size >= PORTS_PER_ADDRESS) {
        this.drop('too many ports from one address');
        continue;
      }
      ports.set(port, now);
      this.recent.delete(key);
      this.recent.set(key, ports);
      if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value as string);
      try {
        this.host.onPeer(hash, { host, port });
      } catch (err) {
        // Never let an error escape a socket's 'message' handler: it would reach the process.
        this.host.log?.(`local discovery: peer ${host}:${port}: ${(err as Error).message}`);
      }
    }
  }

  private sourceBucket(host: string): Bucket {
    let bucket = this.sources.get(host);
    if (!bucket) {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value as string);
      bucket = new Bucket(SOURCE_BURST, SOURCE_PER_SECOND);
      this.sources.set(host, bucket);
    }
    return bucket;
  }
}
