/**
 * One BitTorrent peer: a listening TCP port shared by all its torrents, a peer id, and a session
 * per torrent. Incoming connections are matched to a session by the info hash in their handshake
 * (BEP 3); hybrid torrents answer to their v1 hash and to their truncated v2 hash (BEP 52).
 * `acceptStream` takes any other byte stream the same way (a WebRTC data channel, see
 * `transports/`): its peer is served by the same code and counted under its transport.
 *
 * A session that fails (a store or disk error, see `fault.ts`) is removed from the engine, which
 * emits `sessionFailed` with it and the reason; every other session carries on.
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, isIPv4, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Dht, type DhtOptions } from '../dht/index.js';
import type { OutboundPolicy } from '../net/index.js';
import type { Metainfo } from '../torrent/index.js';
import { type PeerAddress, PeerConnection } from '../wire/index.js';
import { FileStore } from './file-store.js';
import { LocalDiscovery, type LsdOptions, lsdEligible, lsdHashes } from './lsd.js';
import type { Transport } from './peer.js';
import { RateLimiter } from './rate-limit.js';
import { Scheduler } from './scheduler.js';
import { type SessionOptions, TorrentSession } from './session.js';
import { DHT_EXTENSIONS } from './session-swarm.js';

export interface EngineOptions {
  /** TCP port to listen on (0: any free port). */
  port?: number;
  /** Address to listen on (default: all). */
  host?: string;
  /** Most connections per torrent. */
  maxPeers?: number;
  /** Super-seed complete torrents (`SessionOptions.superSeed`): for a permanent seed such as a site. */
  superSeed?: boolean;
  log?: (message: string) => void;
  /**
   * Local service discovery (BEP 14, `lsd.ts`) once listening: announce public torrents to the LAN
   * by multicast and dial the neighbours that announce ours. Off by default; the CLI's `seed`,
   * `download` and `sync` turn it on. An object overrides the groups (tests).
   */
  lsd?: boolean | LsdOptions;
  /**
   * When set, sources a stranger chose are contacted only if the policy allows them: peers from
   * peer exchange (BEP 11), a magnet's `x.pe` and untrusted trackers; HTTP and UDP announces to
   * untrusted trackers (every redirect checked); untrusted web seeds. The site sets it; the CLI and
   * the aggregator leave it unset (the user chose what to fetch).
   */
  policy?: OutboundPolicy;
  /** Tracker and web seed URLs exempt from `policy` (the site's own); their peers are dialled too. */
  trusted?: (url: string) => boolean;
  /**
   * May peers from a trusted tracker have addresses the policy refuses (default yes)? The site says
   * no when its public URL is public: a loopback or private peer address at its own tracker is then a
   * reverse proxy's (without `--trust-proxy`), not the peer's own.
   */
  trustInsidePeers?: () => boolean;
  /**
   * Join the DHT (BEP 5) on the UDP port of the listener's number (another if it is taken): every
   * public torrent announces and looks up peers there; `policy` applies to nodes and peers. Off unless given.
   */
  dht?: DhtOptions | false;
  /** Upload rate limit in bytes per second over all torrents (0 or absent: none); see `setUploadRateLimit`. */
  uploadRateLimit?: number;
}

export interface AddOptions {
  /** Folder the content is (or will be) stored in. */
  path: string;
  trackers?: string[][];
  webSeeds?: string[];
  peers?: PeerAddress[];
  /** A magnet link's `xs` (the `.torrent` URLs), fetched for its metadata. */
  torrentUrls?: string[];
  /** Open the files for reading only (seeding existing content). */
  readOnly?: boolean;
  storeFor?: SessionOptions['storeFor'];
  /** Fetched for the site's own copy: its completion is not announced as a download (`SessionOptions.ownCopy`). */
  ownCopy?: boolean;
  /**
   * Start as a seed of the stored content without reading it: the caller vouches for it (the site:
   * hashed at publish and by fixity checks). Each piece is hashed when first served (`session-trusted.ts`).
   */
  trusted?: boolean;
  /** With `trusted`: pieces known damaged, treated as missing. */
  damaged?: number[];
  /** Trackers not announced to: the caller registers the swarm there in process (the site's own). */
  inProcessTrackers?: (url: string) => boolean;
  /** Spread the first announces over this many ms (many torrents added at once). */
  announceSpreadMs?: number;
}

interface EngineEvents {
  /** `session` stopped because of `reason` (its `failure`); the others carry on. */
  sessionFailed: [session: TorrentSession, reason: Error];
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly peerId: Buffer;
  private lsd: LocalDiscovery | undefined;
  private server: Server | undefined;
  private readonly sessions = new Map<string, TorrentSession>();
  private readonly sockets = new Set<Duplex>();
  port = 0;
  /** The DHT node, once `listen` started it (see `EngineOptions.dht`). */
  dht: Dht | undefined;
  /** The token bucket every torrent's piece payload goes through (`rate-limit.ts`). */
  private readonly uploadLimit: RateLimiter;
  /** The one clock of every session: ticks the active ones only (`scheduler.ts`). */
  readonly scheduler = new Scheduler();

  constructor(private readonly options: EngineOptions = {}) {
    super();
    this.uploadLimit = new RateLimiter(options.uploadRateLimit ?? 0);
    // Azureus-style peer id: -SC0100- and 12 random bytes.
    this.peerId = Buffer.concat([Buffer.from('-SC0100-'), randomBytes(12)]);
  }

  /** Start listening for peers on `port` (default: the engine's option, else any free port). */
  async listen(port = this.options.port ?? 0): Promise<number> {
    const server = createServer((socket) => this.onIncoming(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    await this.startDht();
    if (this.options.lsd && !this.lsd) await this.startLsd(this.options.lsd);
    return this.port;
  }

  /** The DHT hook: a node on UDP `port` (IPv4), whose peers go to their torrent's session. */
  private async startDht(): Promise<void> {
    const { dht: options, host, policy, log } = this.options;
    if (!options || this.dht) return;
    const udpHost = host === undefined || host === '::' || host === '0.0.0.0' ? undefined : host;
    if (udpHost && !isIPv4(udpHost)) return log?.(`dht: not joined: IPv4 only, listening on ${host}`);
    for (const port of [this.port, 0]) {
      const dht = new Dht({ ...(policy ? { policy } : {}), ...(log ? { log } : {}), ...options });
      try {
        await dht.start(port, udpHost);
      } catch (err) {
        log?.(`dht: UDP port ${port}: ${(err as Error).message}`);
        continue;
      }
      dht.on('peer', (hash, peer) => this.sessions.get(hash.toString('hex'))?.swarm.addFromDht(peer));
      // The table got its first nodes: idle seeds sleep until their next DHT announce (15 min), so
      // each is woken to announce now (its `dhtTick` spreads them when announces are spread).
      dht.on('generation', () => {
        for (const session of this.sessions.values()) session.wake();
      });
      this.dht = dht;
      for (const session of this.sessions.values()) session.options.dht ??= dht; // added before listen
      return;
    }
  }

  /** Limit what all torrents send (piece payload) to `bytesPerSecond`; 0: no limit. Applies at once. */
  setUploadRateLimit(bytesPerSecond: number): void {
    this.uploadLimit.setRate(bytesPerSecond);
  }

  /** The upload limit in bytes per second (0: none). */
  get uploadRateLimit(): number {
    return this.uploadLimit.bytesPerSecond;
  }

  /** Add a torrent (from its metainfo) or a magnet link's info hash, and start it. */
  async add(
    source: { meta: Metainfo } | { infoHash: string; name?: string; infoHashV2?: string },
    options: AddOptions,
  ): Promise<TorrentSession> {
    const session = new TorrentSession(source, {
      peerId: this.peerId,
      port: this.port,
      storeFor:
        options.storeFor ??
        ((meta) => new FileStore(meta, options.path, { readOnly: options.readOnly ?? false })),
      trackers: options.trackers ?? [],
      webSeeds: options.webSeeds ?? [],
      peers: options.peers ?? [],
      ...(options.torrentUrls?.length ? { torrentUrls: options.torrentUrls } : {}),
      ...(options.ownCopy ? { ownCopy: true } : {}),
      ...(options.trusted
        ? { trustStored: true, ...(options.damaged ? { damaged: options.damaged } : {}) }
        : {}),
      ...(options.inProcessTrackers ? { inProcessTrackers: options.inProcessTrackers } : {}),
      ...(options.announceSpreadMs ? { announceSpreadMs: options.announceSpreadMs } : {}),
      scheduler: this.scheduler,
      maxPeers: this.options.maxPeers ?? 60,
      ...(this.options.superSeed ? { superSeed: true } : {}),
      ...(this.options.log ? { log: this.options.log } : {}),
      ...(this.options.policy ? { policy: this.options.policy } : {}),
      ...(this.options.trusted ? { trusted: this.options.trusted } : {}),
      ...(this.options.trustInsidePeers ? { trustInsidePeers: this.options.trustInsidePeers } : {}),
      ...(this.dht ? { dht: this.dht } : {}),
      uploadLimit: this.uploadLimit,
    });
    this.sessions.set(session.infoHash.toString('hex'), session);
    const meta = 'meta' in source ? source.meta : undefined;
    if (meta?.infoHashV2) this.sessions.set(meta.infoHashV2.slice(0, 40), session);
    session.once('failed', (reason) => {
      this.forget(session);
      this.options.log?.(`torrent ${session.infoHash.toString('hex')} failed: ${reason.message}`);
      if (this.listenerCount('sessionFailed') > 0) this.emit('sessionFailed', session, reason);
    });
    await session.start(); // on failure the session is already forgotten
    if (lsdEligible(session)) for (const hash of lsdHashes(session)) this.lsd?.announce(hash);
    return session;
  }

  /** Sessions still running (a failed session is no longer among them). */
  list(): TorrentSession[] {
    return [...new Set(this.sessions.values())];
  }

  private forget(session: TorrentSession): void {
    for (const [key, s] of this.sessions) if (s === session) this.sessions.delete(key);
  }

  async remove(session: TorrentSession): Promise<void> {
    this.forget(session);
    await session.stop();
  }

  /** Stop every torrent and the listener. */
  async close(): Promise<void> {
    this.uploadLimit.close();
    await Promise.all([...new Set(this.sessions.values())].map((s) => s.stop()));
    this.sessions.clear();
    this.scheduler.close();
    for (const s of this.sockets) s.destroy();
    await this.dht?.close(); // saves the routing table
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.lsd?.close();
  }

  /**
   * An incoming connection over another transport (a WebRTC data channel): the same path as a TCP
   * socket accepted by the listener. `remote` is the peer's address as far as it is known.
   */
  acceptStream(
    stream: Duplex,
    remote: { host: string; port: number; transport: Exclude<Transport, 'tcp'> },
  ): void {
    this.incoming(stream, { host: remote.host, port: remote.port }, remote.transport);
  }

  /**
   * An outgoing connection over another transport, for `session`: our handshake goes first, as when
   * we dial a TCP peer (a WebRTC data channel we offered; tests, and the aggregator later).
   */
  connectStream(
    stream: Duplex,
    session: TorrentSession,
    remote: { host: string; port: number; transport: Exclude<Transport, 'tcp'> },
  ): PeerConnection {
    this.sockets.add(stream);
    stream.once('close', () => this.sockets.delete(stream));
    const conn = new PeerConnection(stream, {
      peerId: this.peerId,
      infoHash: session.infoHash,
      ...(this.dht ? { extensions: DHT_EXTENSIONS } : {}),
    });
    conn.once('handshake', () =>
      session.attach(conn, { host: remote.host, port: remote.port }, true, remote.transport),
    );
    conn.on('close', () => stream.destroy());
    conn.start();
    return conn;
  }

  private onIncoming(socket: Socket): void {
    socket.setNoDelay(true);
    const host = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    this.incoming(socket, { host, port: socket.remotePort ?? 0 }, 'tcp');
  }

  private incoming(socket: Duplex, address: PeerAddress, transport: Transport): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const conn = new PeerConnection(socket, {
      peerId: this.peerId,
      acceptInfoHash: (hash) => this.sessions.has(hash.toString('hex')),
      ...(this.dht ? { extensions: DHT_EXTENSIONS } : {}),
    });
    conn.once('handshake', (handshake) => {
      const session = this.sessions.get(handshake.infoHash.toString('hex'));
      if (!session || session.failure) {
        conn.destroy();
        return;
      }
      session.attach(conn, address, false, transport);
    });
    conn.on('close', (err) => {
      if (err && !conn.remote) this.options.log?.(`incoming ${transport} ${address.host}: ${err.message}`);
      socket.destroy();
    });
    conn.start();
  }

  private async startLsd(options: true | LsdOptions): Promise<void> {
    this.lsd = new LocalDiscovery(
      {
        port: () => this.port,
        torrents: () => this.list().filter(lsdEligible).flatMap(lsdHashes),
        onPeer: (hash, address) => {
          const session = this.sessions.get(hash);
          if (session && lsdEligible(session)) session.swarm.add(address);
        },
        ...(this.options.log ? { log: this.options.log } : {}),
      },
      options === true ? {} : options,
    );
    await this.lsd.start();
  }
}
