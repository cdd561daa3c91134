/**
 * How a session finds peers: the addresses it knows (from trackers, peer exchange, the DHT, a
 * magnet's `x.pe`, the command line), outgoing connections with a retry backoff for peers that could
 * not be reached, announces to the torrent's trackers by BEP 12 tiers and to the DHT (BEP 5), and the
 * peer exchange it sends (BEP 11; PEX and the DHT never for private torrents, BEP 27).
 *
 * Under the session's outbound policy, an address is dialled only when the policy allows it, unless
 * it came from a trusted tracker (the site's own: those peers announced from their own address).
 * Peer exchange, the DHT, `x.pe` and untrusted trackers are strangers' word and are checked.
 */

import { connect as netConnect } from 'node:net';
import type { OutboundPolicy } from '../net/index.js';
import { type PeerAddress, PeerConnection, sharedRead } from '../wire/index.js';
import { describeError } from './fault.js';
import type { Peer } from './peer.js';
import type { SessionStats } from './session-stats.js';
import type { TorrentView } from './session-view.js';
import type { TrackerTiers } from './tracker-tiers.js';

const MAX_CONNECT_FAILURES = 8;
/** DHT announces: every 15 minutes (libtorrent's interval), every 20 s while a download has no peer. */
const DHT_INTERVAL_MS = 15 * 60_000;
const DHT_STARVING_MS = 20_000;
/** Addresses known at once beyond which the DHT adds no more (a node announcing many ports for us). */
const MAX_KNOWN_FROM_DHT = 1000;

/** What a session needs of the engine's DHT node (`src/dht`'s `Dht`). */
export interface SessionDht {
  /** get_peers then announce_peer for `infoHash` with our TCP `port`; resolves with the peers found. */
  announce(infoHash: Buffer, port: number): Promise<PeerAddress[]>;
  /** Grows when the routing table gets its first nodes: announce again at once. */
  readonly generation: number;
  /** Our DHT's UDP port (sent to peers in a PORT message). */
  readonly port: number;
  /** A peer's DHT node (its PORT message): pinged, and added to the routing table if it answers. */
  addNode(address: PeerAddress): void;
}

/** The reserved bits we set when we run a DHT node: extension protocol, Fast, and DHT (BEP 5). */
export const DHT_EXTENSIONS = { extended: true, fast: true, dht: true } as const;

/** The session's options the swarm part reads (when used: the engine may set `dht` after start). */
export interface SwarmOptions {
  peerId: Buffer;
  /** Our listening port, announced to trackers and peers. */
  port: number;
  maxPeers?: number;
  /** Peers to try first (a magnet link's `x.pe`). */
  peers?: PeerAddress[];
  policy?: OutboundPolicy;
  trusted?: (url: string) => boolean;
  trustInsidePeers?: () => boolean;
  inProcessTrackers?: (url: string) => boolean;
  announceSpreadMs?: number;
  /** The peer's own copy: announced without `completed`. */
  ownCopy?: boolean;
  dht?: SessionDht;
}

/** What the swarm part is given besides the torrent's view: options and callbacks to the owner. */
export interface SwarmDeps {
  readonly options: SwarmOptions;
  /** Addresses banned for bad pieces (`session-download.ts`). */
  isBanned(host: string): boolean;
  /** Tick an idle session again (an address to dial). */
  wake(): void;
  /** An outgoing connection finished its handshake: the session takes it over. */
  attach(conn: PeerConnection, address: PeerAddress, outgoing: boolean): void;
  /** Totals for an announce. */
  stats(): Pick<SessionStats, 'uploaded' | 'downloaded' | 'left'>;
  /** A tracker's or announce's failure, for the session's `warning` event. */
  warn(message: string): void;
}

interface KnownPeer {
  address: PeerAddress;
  failures: number;
  /** Not before this time (ms). */
  nextTry: number;
}

export class SwarmFinder {
  /** Peers we may connect to, with when to try next and how often they failed. */
  readonly known = new Map<string, KnownPeer>();
  private readonly connecting = new Set<string>();
  /** When to announce again (ms; 0 before the first announce). */
  announceAt = 0;
  private readonly key = Math.floor(Math.random() * 0xffffffff);
  private startedSent = false;
  private dhtAt = 0;
  private dhtBusy = false;
  private dhtGeneration = -1;

  private readonly options: SwarmOptions;

  constructor(
    private readonly torrent: Pick<
      TorrentView,
      'infoHash' | 'meta' | 'peers' | 'running' | 'complete' | 'log'
    >,
    private readonly deps: SwarmDeps,
    private readonly tiers: TrackerTiers,
  ) {
    this.options = deps.options;
    const { policy, trusted, inProcessTrackers } = this.options;
    if (policy) tiers.restrict(policy, trusted);
    // Trackers answered in process (the site's own): the caller registers the swarm there itself.
    if (inProcessTrackers) tiers.exclude(inProcessTrackers);
    for (const p of this.options.peers ?? [])
      if (this.allowed(p, false))
        this.known.set(`${p.host}:${p.port}`, { address: p, failures: 0, nextTry: 0 });
  }

  /**
   * May `address` be dialled? Always without a policy or when the policy allows it; a refused address
   * from a trusted tracker too, unless `trustInsidePeers` says such addresses are a proxy's.
   */
  private allowed(address: PeerAddress, trusted: boolean): boolean {
    const { policy, trustInsidePeers } = this.options;
    if (!policy || policy.allowsAddress(address.host)) return true;
    if (trusted && (trustInsidePeers?.() ?? true)) return true;
    this.torrent.log(`not dialling ${address.host}:${address.port}: refused by the outbound policy`);
    return false;
  }

  /** True when there is a swarm to try: a tracker, or peers known from the start. */
  get hasSources(): boolean {
    return !this.tiers.empty || this.known.size > 0;
  }

  /**
   * Connect to `address` unless it is known bad, already connected, refused by the outbound policy
   * (`trusted`: it came from a trusted tracker) or we have enough peers.
   */
  add(address: PeerAddress, trusted = false): void {
    const key = `${address.host}:${address.port}`;
    if (this.deps.isBanned(address.host) || address.port <= 0 || address.port > 65535) return;
    if (!this.known.has(key) && !this.allowed(address, trusted)) return;
    if (!this.known.has(key)) this.known.set(key, { address, failures: 0, nextTry: 0 });
    this.deps.wake(); // an idle seed is ticked again while it has someone to dial
    this.connectMore();
  }

  /**
   * The first announces: at once, or with `announceSpreadMs` at a random time within it (and the
   * DHT's likewise), so a peer starting 10,000 torrents does not send 10,000 announces at once.
   */
  begin(): void {
    const spread = this.options.announceSpreadMs ?? 0;
    if (spread <= 0 || this.tiers.empty) {
      this.announce('started').catch((err: unknown) => this.deps.warn(`announce: ${describeError(err)}`));
    } else {
      this.announceAt = Date.now() + 1 + Math.floor(Math.random() * spread); // \`started\` when due
    }
    if (spread > 0) this.dhtAt = Date.now() + Math.floor(Math.random() * spread);
  }

  /** Nothing to dial now: no connection attempt under way, every known address waiting for its retry. */
  idle(now: number): boolean {
    if (this.connecting.size > 0) return false;
    for (const entry of this.known.values()) if (entry.nextTry <= now) return false;
    return true;
  }

  /** When this torrent next has swarm work: an announce, a DHT announce or a retry (ms; Infinity: none). */
  nextDue(): number {
    let due = this.announceAt > 0 && !this.tiers.empty ? this.announceAt : Number.POSITIVE_INFINITY;
    if (this.options.dht && !this.torrent.meta?.private) due = Math.min(due, this.dhtAt);
    for (const entry of this.known.values()) due = Math.min(due, entry.nextTry);
    return due;
  }

  /** A connection to a known peer failed or ended: try again later, less often each time. */
  retryLater(address: PeerAddress, failed: boolean): void {
    const key = `${address.host}:${address.port}`;
    const entry = this.known.get(key) ?? { address, failures: 0, nextTry: 0 };
    entry.failures = failed ? entry.failures + 1 : 0;
    if (entry.failures > MAX_CONNECT_FAILURES || this.deps.isBanned(address.host)) {
      this.known.delete(key);
      return;
    }
    entry.nextTry = Date.now() + Math.min(300_000, 5000 * 2 ** Math.max(0, entry.failures - 1));
    this.known.set(key, entry);
  }

  /**
   * Open outgoing connections to known peers, up to the limit. A complete session connects out too
   * (as libtorrent does): a tracker gives a seed only leechers, and a leecher that announced before
   * the seed came up would otherwise wait for its next announce. Seeds met that way are dropped once
   * their bitfield arrives, and are not retried while we are complete (see `onClose`).
   */
  connectMore(): void {
    if (!this.torrent.running) return;
    const max = this.options.maxPeers ?? 60;
    const connected = new Set([...this.torrent.peers.values()].map((p) => p.key));
    const now = Date.now();
    for (const [key, entry] of this.known) {
      const { address } = entry;
      if (this.torrent.peers.size + this.connecting.size >= max || this.connecting.size >= 10) break;
      if (connected.has(key) || this.connecting.has(key) || this.deps.isBanned(address.host)) continue;
      if (entry.nextTry > now) continue;
      this.known.delete(key);
      this.connecting.add(key);
      const onread = sharedRead(); // no buffer allocated per read (see wire/shared-read.ts)
      const socket = netConnect({ host: address.host, port: address.port, noDelay: true, onread });
      socket.setTimeout(10_000, () => socket.destroy());
      const conn = new PeerConnection(socket, {
        sharedRead: onread,
        peerId: this.options.peerId,
        infoHash: this.torrent.infoHash,
        ...(this.options.dht ? { extensions: DHT_EXTENSIONS } : {}),
      });
      const done = () => this.connecting.delete(key);
      let attached = false;
      socket.once('connect', () => socket.setTimeout(0));
      conn.once('handshake', () => {
        done();
        attached = true;
        this.deps.attach(conn, address, true);
      });
      conn.once('close', () => {
        done();
        // Never connected (refused, timed out, bad handshake): retry with backoff. A peer we talked
        // to is retried by onClose.
        if (!attached && this.torrent.running) this.retryLater(address, true);
      });
      conn.start();
    }
  }

  async announce(event: 'started' | 'completed' | 'stopped' | undefined): Promise<void> {
    if (this.tiers.empty) return;
    // BEP 3: `completed` is for a download that completes, not for content complete at start (the
    // recheck finds it so before `started` is sent): then `started` with left=0 says it all.
    if (event === undefined && !this.startedSent) event = 'started'; // a spread first announce
    if (event === 'started') this.startedSent = true;
    else if ((event === 'completed' || event === 'stopped') && !this.startedSent) return;
    // The peer's own copy (a site archiving a torrent-only item) is no download anyone made: trackers
    // would count `completed` in their `downloaded`. Announce left=0 without the event: a seeder all the same.
    if (event === 'completed' && this.options.ownCopy) event = undefined;
    this.announceAt = Date.now() + 30 * 60_000;
    const stats = this.deps.stats();
    const results = await this.tiers.announce(
      {
        infoHash: this.torrent.infoHash,
        peerId: this.options.peerId,
        port: this.options.port,
        uploaded: stats.uploaded,
        downloaded: stats.downloaded,
        left: this.torrent.meta ? stats.left : 1,
        numwant: event === 'stopped' ? 0 : 80,
        key: this.key,
      },
      event,
      { timeoutMs: event === 'stopped' ? 2000 : 15_000 },
    );
    let interval = 30 * 60;
    for (const r of results) {
      if (r.error) this.deps.warn(`tracker ${r.tracker}: ${r.error.message}`);
      if (!r.result) continue;
      interval = Math.min(interval, Math.max(r.result.minInterval ?? 0, r.result.interval, 15));
      if (event !== 'stopped') for (const p of r.result.peers) this.add(p, r.trusted);
    }
    if (event !== 'stopped') {
      // Re-announce sooner while we have no peers, so a swarm that starts together finds itself.
      const soon =
        this.torrent.peers.size === 0 && !this.torrent.complete ? Math.min(interval, 15) : interval;
      // Long intervals get +-10 % jitter, so torrents started together drift apart.
      this.announceAt = Date.now() + soon * 1000 * (soon >= 60 ? 0.9 + Math.random() * 0.2 : 1);
    }
  }

  /**
   * The DHT hook, each second: announce to the DHT and look up peers (BEP 5) when due, or at once when
   * the DHT just found its first nodes. A hybrid torrent announces its v1 hash and its truncated v2
   * hash (BEP 52). Never for a private torrent (BEP 27); a magnet's torrent is private only once its
   * metadata says so.
   */
  dhtTick(now: number): void {
    const dht = this.options.dht;
    if (!dht || this.dhtBusy || this.torrent.meta?.private) return;
    if (dht.generation !== this.dhtGeneration) {
      // The table just got its first nodes: announce now, or at a random time within the spread
      // (a site's 10,000 torrents do not all send get_peers in the same second).
      this.dhtGeneration = dht.generation;
      const spread = this.options.announceSpreadMs ?? 0;
      this.dhtAt = Math.min(this.dhtAt, now + Math.floor(Math.random() * spread));
    }
    if (now < this.dhtAt) return;
    this.dhtBusy = true;
    const v2 = this.torrent.meta?.infoHashV2;
    const hashes = [this.torrent.infoHash, ...(v2 ? [Buffer.from(v2.slice(0, 40), 'hex')] : [])];
    void Promise.all(hashes.map((h) => dht.announce(h, this.options.port)))
      .then((found) => {
        for (const p of found.flat()) this.addFromDht(p);
      })
      .catch((err: unknown) => this.torrent.log(`dht: ${(err as Error).message}`))
      .finally(() => {
        this.dhtBusy = false;
        const starving = this.torrent.peers.size === 0 && !this.torrent.complete;
        this.dhtAt =
          Date.now() + (starving ? DHT_STARVING_MS : DHT_INTERVAL_MS * (0.9 + Math.random() * 0.2));
      });
  }

  /** BEP 5: a peer that set the DHT bit in its handshake gets our DHT port (not for a private torrent). */
  sendDhtPort(conn: PeerConnection): void {
    const dht = this.options.dht;
    if (dht && conn.remote?.negotiated.dht && !this.torrent.meta?.private)
      conn.send({ type: 'port', port: dht.port });
  }

  /** BEP 5: a peer's PORT message names its DHT node, at the peer's address. */
  onDhtPort(host: string, port: number): void {
    if (port > 0) this.options.dht?.addNode({ host, port });
  }

  /** A peer the DHT gave for this torrent: a stranger's word (policy applies), never for a private torrent. */
  addFromDht(address: PeerAddress): void {
    if (!this.torrent.running || this.torrent.meta?.private || this.known.size >= MAX_KNOWN_FROM_DHT) return;
    this.add(address, false);
  }

  /** BEP 11: tell each peer that supports ut_pex which peers joined and left since last time. */
  sendPex(): void {
    if (this.torrent.meta?.private) return; // BEP 27: private torrents get peers from their tracker only
    const current = new Map<string, Peer>();
    // WebRTC peers have no address to dial: they neither receive nor appear in PEX.
    for (const p of this.torrent.peers.values())
      if (p.conn.open && p.transport === 'tcp')
        current.set(`${p.listenAddress.host}:${p.listenAddress.port}`, p);
    for (const peer of current.values()) {
      if (!peer.conn.supportsExtension('ut_pex')) continue;
      const self = `${peer.listenAddress.host}:${peer.listenAddress.port}`;
      const added = [...current.entries()]
        .filter(([key]) => key !== self && !peer.pexSent.has(key))
        .slice(0, 50)
        .map(([, p]) => ({ ...p.listenAddress, flags: p.isSeed ? 0x02 : 0 }));
      const dropped = [...peer.pexSent].filter((key) => !current.has(key)).slice(0, 50);
      if (added.length === 0 && dropped.length === 0) continue;
      for (const a of added) peer.pexSent.add(`${a.host}:${a.port}`);
      for (const d of dropped) peer.pexSent.delete(d);
      peer.conn.sendPex({
        added,
        dropped: dropped.map((key) => {
          const at = key.lastIndexOf(':');
          return { host: key.slice(0, at), port: Number(key.slice(at + 1)) };
        }),
      });
    }
  }
}
