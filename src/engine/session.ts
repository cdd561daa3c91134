/**
 * One torrent being downloaded and seeded: the swarm side of the engine (BEP 3 with BEP 6 Fast,
 * BEP 9 metadata for magnet links, BEP 10 extensions, BEP 11 peer exchange, BEP 12 tiers, BEP 19
 * web seeds).
 *
 * The session owns the piece store, the picker and the verifier; peers come from trackers, peer
 * exchange, magnet `x.pe` and incoming connections (the engine's listener attaches them). Blocks go
 * into piece buffers; a complete piece is verified, then written, then announced with `have`. Pieces
 * that fail count against every peer that sent part of them; a peer with 3 bad pieces is banned.
 * Finding peers (addresses, connecting with backoff, tracker announces, sending PEX) lives in
 * `session-swarm.ts`, uploading and metadata exchange in `session-upload.ts` and
 * `session-metadata.ts`, the web seeds in `web-seed-worker.ts`.
 */

import { EventEmitter } from 'node:events';
import type { OutboundPolicy } from '../net/index.js';
import type { Metainfo } from '../torrent/index.js';
import { type PeerAddress, type PeerConnection, type PeerMessage, pieceGeometry } from '../wire/index.js';
import { Bitfield } from './bitfield.js';
import { chokeRound } from './choker.js';
import type { PieceStore } from './file-store.js';
import { Peer, Rate } from './peer.js';
import { type BlockRequest, PiecePicker } from './picker.js';
import { PieceMap } from './piece-map.js';
import { MetadataFetcher } from './session-metadata.js';
import { SessionSuperSeed } from './session-super-seed.js';
import { SwarmFinder } from './session-swarm.js';
import { Uploader } from './session-upload.js';
import { TrackerTiers } from './tracker-tiers.js';
import { PieceVerifier } from './verify.js';
import { WEB_SEED_GRACE_MS, WebSeedWorker } from './web-seed-worker.js';

export interface SessionOptions {
  peerId: Buffer;
  /** Our listening port, announced to trackers and peers. */
  port: number;
  /** Opens the store for the torrent once its metadata is known. */
  storeFor: (meta: Metainfo) => PieceStore;
  /** Tracker tiers to use besides the torrent's (a magnet link's `tr`). */
  trackers?: string[][];
  /** Web seeds besides the torrent's `url-list` (a magnet link's `ws`). */
  webSeeds?: string[];
  /** Peers to try first (a magnet link's `x.pe`). */
  peers?: PeerAddress[];
  maxPeers?: number;
  uploadSlots?: number;
  /**
   * Once complete, reveal pieces a few at a time so the swarm makes the copies (see
   * `super-seed.ts`): for a permanent seed such as a site. Unchokes every interested peer.
   */
  superSeed?: boolean;
  /** Where diagnostics go (default: nowhere). */
  log?: (message: string) => void;
  /** Outbound policy for untrusted sources (see `EngineOptions.policy`); absent: contact anything. */
  policy?: OutboundPolicy;
  /** Tracker and web seed URLs exempt from `policy` (the operator's own). */
  trusted?: (url: string) => boolean;
  /** See `EngineOptions.trustInsidePeers`. */
  trustInsidePeers?: () => boolean;
}

export interface SessionStats {
  name: string | undefined;
  length: number;
  pieceCount: number;
  have: number;
  left: number;
  downloaded: number;
  uploaded: number;
  wasted: number;
  fromWebSeeds: number;
  peers: number;
  seeds: number;
  downloadRate: number;
  uploadRate: number;
  complete: boolean;
}

interface SessionEvents {
  metadata: [meta: Metainfo];
  verified: [];
  piece: [index: number];
  complete: [];
  warning: [message: string];
}

const BAN_AFTER_BAD_PIECES = 3;
const REQUEST_TIMEOUT_MS = 30_000;

export class TorrentSession extends EventEmitter<SessionEvents> {
  meta: Metainfo | undefined;
  readonly infoHash: Buffer;
  have: Bitfield | undefined;
  store: PieceStore | undefined;
  map: PieceMap | undefined;
  picker: PiecePicker | undefined;
  verifier: PieceVerifier | undefined;
  readonly peers = new Map<PeerConnection, Peer>();
  readonly banned = new Set<string>();
  readonly uploader: Uploader;
  readonly metadata: MetadataFetcher;
  readonly superSeed: SessionSuperSeed;
  private readonly swarm: SwarmFinder;
  private readonly webSeeds: WebSeedWorker[] = [];
  private readonly pieceBuffers = new Map<number, { data: Buffer; from: Set<Peer | WebSeedWorker> }>();
  private readonly counters = { downloaded: 0, uploaded: 0, wasted: 0 };
  private readonly downRate = new Rate();
  private readonly upRate = new Rate();
  private timers: NodeJS.Timeout[] = [];
  private ticks = 0;
  private optimistic: unknown;
  running = false;
  private completeEmitted = false;

  constructor(
    source: { meta: Metainfo } | { infoHash: string; name?: string },
    readonly options: SessionOptions,
  ) {
    super();
    const meta = 'meta' in source ? source.meta : undefined;
    this.infoHash = Buffer.from(meta ? meta.infoHash : (source as { infoHash: string }).infoHash, 'hex');
    const tiers = [...(meta?.announce ?? []), ...(options.trackers ?? [])];
    this.swarm = new SwarmFinder(this, new TrackerTiers(tiers));
    this.uploader = new Uploader(this);
    this.metadata = new MetadataFetcher(this);
    this.superSeed = new SessionSuperSeed(this);
    if (meta) this.meta = meta;
  }

  get complete(): boolean {
    return this.have?.complete === true;
  }

  log(message: string): void {
    this.options.log?.(message);
  }

  /** Open the store, check what is already on disk, announce and start connecting. */
  async start(): Promise<void> {
    this.running = true;
    if (this.meta) await this.useMetadata(this.meta);
    this.timers.push(setInterval(() => this.tick(), 1000));
    void this.swarm.announce('started');
    this.connectMore();
  }

  /** Announce `stopped`, drop every peer and close the store. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.webSeeds) w.stop();
    for (const peer of this.peers.values()) peer.conn.destroy();
    await Promise.race([this.swarm.announce('stopped'), new Promise((r) => setTimeout(r, 2000))]);
    await this.store?.close();
  }

  /** Set up everything that needs the metadata: store, picker, recheck of data already on disk. */
  async useMetadata(meta: Metainfo): Promise<void> {
    if (meta.version === 'v2')
      this.emit('warning', 'v2-only torrents are verified per file; transfers use v1 peers');
    this.meta = meta;
    this.map = new PieceMap(meta);
    this.store = this.options.storeFor(meta);
    this.verifier = new PieceVerifier(meta, this.map);
    this.have = new Bitfield(meta.pieceCount);
    await this.recheck();
    const map = this.map;
    this.picker = new PiecePicker(
      { pieceCount: meta.pieceCount, pieceSize: (i) => map.piece(i).length },
      this.have,
    );
    this.emit('verified');
    for (const url of [...meta.urlList, ...(this.options.webSeeds ?? [])]) {
      const worker = new WebSeedWorker(this, url, this.swarm.hasSources ? WEB_SEED_GRACE_MS : 0);
      this.webSeeds.push(worker);
      if (this.running && !this.complete) worker.start();
    }
    const geometry = pieceGeometry(this.map.spaceLength, meta.pieceLength);
    for (const peer of this.peers.values()) {
      peer.conn.setGeometry(geometry);
      this.applyPendingBitfield(peer);
      this.announceHaves(peer);
      this.updateInterest(peer);
    }
    if (this.complete) this.onComplete();
  }

  /** Verify every piece already on disk (resume after an interruption, kill -9 included). */
  private async recheck(): Promise<void> {
    const { store, map, verifier, have } = this;
    if (!store || !map || !verifier || !have) return;
    if (store.isEmpty && (await store.isEmpty())) return;
    for (let i = 0; i < map.pieceCount; i++) {
      const span = map.piece(i);
      if (verifier.verify(i, await store.read(span.offset, span.length))) have.set(i);
    }
  }

  /** Connect to `address` unless it is known bad, already connected or we have enough peers. */
  addPeerAddress(address: PeerAddress): void {
    this.swarm.add(address);
  }

  /** Open outgoing connections to known peers, up to the limit. */
  connectMore(): void {
    this.swarm.connectMore();
  }

  /** Take over a connection whose handshake (for our info hash) is complete. */
  attach(conn: PeerConnection, address: PeerAddress, outgoing = false): void {
    const max = this.options.maxPeers ?? 60;
    if (this.peers.size >= max && this.superSeed.active) {
      // Seeds stay connected to a super-seed so their copies count; a newcomer takes a seed's place.
      const seed = [...this.peers.values()].find((p) => p.isSeed);
      if (seed) {
        seed.conn.destroy();
        this.peers.delete(seed.conn);
      }
    }
    if (!this.running || this.banned.has(address.host) || this.peers.size >= max) {
      conn.destroy();
      return;
    }
    for (const p of this.peers.values()) {
      if (!p.conn.remote || !conn.remote || !p.conn.remote.peerId.equals(conn.remote.peerId)) continue;
      // Two connections to one peer (both sides dialled at once): both sides keep the one opened by
      // the peer with the lower peer id, so they agree on which to close.
      const weAreLower = Buffer.compare(this.options.peerId, conn.remote.peerId) < 0;
      const keepNew = outgoing === weAreLower && p.outgoing !== weAreLower;
      if (!keepNew) {
        conn.destroy();
        return;
      }
      p.conn.destroy();
    }
    const peer = new Peer(conn, address, outgoing);
    this.peers.set(conn, peer);
    this.log(`peer ${peer.key} connected (${conn.remote?.peerId.subarray(0, 8).toString('latin1')})`);
    conn.on('message', (m) => this.onMessage(peer, m));
    conn.on('drain', () => this.uploader.pump(peer));
    conn.on('close', (err) => this.onClose(peer, err));
    if (this.meta && this.map) conn.setGeometry(pieceGeometry(this.map.spaceLength, this.meta.pieceLength));
    const negotiated = conn.remote!.negotiated;
    if (negotiated.extended) {
      conn.sendExtendedHandshake({
        v: 'Seedcast 0.1',
        p: this.options.port,
        reqq: 500,
        ...(this.meta ? { metadataSize: this.meta.infoBytes.byteLength } : {}),
        // Not while super-seeding: libtorrent drops an upload-only peer that has nothing it wants,
        // which is what a super-seed looks like before its first `have`.
        ...(this.complete && !this.superSeed.active ? { uploadOnly: true } : {}),
      });
    }
    if (this.superSeed.active) {
      if (negotiated.fast) conn.send({ type: 'haveNone' });
      this.superSeed.attach(peer);
    } else if (this.have && this.have.count > 0) {
      if (negotiated.fast && this.have.complete) conn.send({ type: 'haveAll' });
      else conn.send({ type: 'bitfield', bitfield: this.have.bytes });
    } else if (negotiated.fast) {
      conn.send({ type: 'haveNone' });
    }
    this.uploader.maybeUnchokeNow(peer);
  }

  private onClose(peer: Peer, err: Error | undefined): void {
    this.peers.delete(peer.conn);
    this.superSeed.detach(peer);
    this.log(`peer ${peer.key} closed${err ? `: ${err.message}` : ''}`);
    this.picker?.releasePeer(peer);
    if (peer.has) this.picker?.removeAvailability(peer.has);
    if (this.running && peer.outgoing && !this.complete && !this.banned.has(peer.address.host)) {
      this.swarm.retryLater(peer.address, err !== undefined);
    }
    if (this.running) this.connectMore();
  }

  private onMessage(peer: Peer, m: PeerMessage): void {
    switch (m.type) {
      case 'bitfield':
        if (!this.meta) peer.pendingBitfield = Buffer.from(m.bitfield);
        else this.setPeerPieces(peer, new Bitfield(this.meta.pieceCount, m.bitfield));
        break;
      case 'haveAll':
        peer.hasAll = true;
        if (this.meta) this.setPeerPieces(peer, Bitfield.full(this.meta.pieceCount));
        break;
      case 'haveNone':
        if (this.meta) this.setPeerPieces(peer, new Bitfield(this.meta.pieceCount));
        break;
      case 'have':
        if (!this.meta) break;
        peer.initPieces(this.meta.pieceCount);
        if (!peer.has!.has(m.index)) {
          peer.has!.set(m.index);
          this.picker?.addAvailability(m.index);
          if (!this.have!.has(m.index) && !peer.conn.amInterested) peer.conn.send({ type: 'interested' });
          this.superSeed.peerHas(peer, m.index);
        }
        if (this.complete && peer.isSeed && !this.superSeed.active) peer.conn.destroy();
        break;
      case 'unchoke':
        this.requestMore(peer);
        break;
      case 'choke':
        if (!peer.conn.remote!.negotiated.fast) this.releaseAll(peer);
        break;
      case 'reject':
        peer.outstanding.delete(`${m.index}:${m.begin}`);
        this.picker?.release(peer, m);
        break;
      case 'piece':
        void this.onBlock(peer, m.index, m.begin, m.block);
        break;
      case 'request':
        this.uploader.request(peer, m);
        break;
      case 'cancel':
        this.uploader.cancel(peer, m);
        break;
      case 'interested':
        this.uploader.maybeUnchokeNow(peer);
        break;
      case 'extendedHandshake':
      case 'metadata':
        this.metadata.onMessage(peer, m);
        break;
      case 'pex':
        if (!this.meta?.private) for (const p of m.pex.added.slice(0, 50)) this.addPeerAddress(p);
        break;
      default:
        break;
    }
  }

  private applyPendingBitfield(peer: Peer): void {
    if (!this.meta) return;
    if (peer.pendingBitfield) {
      const bits = peer.pendingBitfield;
      peer.pendingBitfield = undefined;
      if (bits.byteLength !== Math.ceil(this.meta.pieceCount / 8)) {
        peer.conn.destroy(new Error('bitfield of the wrong length'));
        return;
      }
      this.setPeerPieces(peer, new Bitfield(this.meta.pieceCount, bits));
    } else if (peer.hasAll) {
      this.setPeerPieces(peer, Bitfield.full(this.meta.pieceCount));
    }
  }

  private announceHaves(peer: Peer): void {
    if (!this.have || !peer.conn.open) return;
    for (let i = 0; i < this.have.length; i++)
      if (this.have.has(i)) peer.conn.send({ type: 'have', index: i });
  }

  private setPeerPieces(peer: Peer, bits: Bitfield): void {
    if (peer.has) this.picker?.removeAvailability(peer.has);
    peer.has = bits;
    this.picker?.addAvailability(bits);
    this.superSeed.setPieces(peer, bits);
    if (this.complete && peer.isSeed && !this.superSeed.active) {
      peer.conn.destroy();
      return;
    }
    this.updateInterest(peer);
  }

  /** Tell the peer whether we want something it has. */
  updateInterest(peer: Peer): void {
    if (!peer.conn.open || !this.have || !peer.has) return;
    let wanted = false;
    if (!this.have.complete) {
      for (let i = 0; i < this.have.length && !wanted; i++) wanted = peer.has.has(i) && !this.have.has(i);
    }
    if (wanted && !peer.conn.amInterested) peer.conn.send({ type: 'interested' });
    if (!wanted && peer.conn.amInterested) peer.conn.send({ type: 'notInterested' });
    if (wanted && !peer.conn.peerChoking) this.requestMore(peer);
  }

  /** Keep the peer's request pipeline full. */
  requestMore(peer: Peer): void {
    if (!this.picker || !peer.has || peer.conn.peerChoking || !peer.conn.open || this.complete) return;
    const want = peer.pipeline - peer.outstanding.size;
    if (want <= 0) return;
    const now = Date.now();
    const blocks = this.picker.pick(peer, peer.has, want);
    if (blocks.length === 0) return;
    // One write for the whole batch: many tiny writes cost a syscall (and a packet) each.
    peer.conn.socket.cork();
    for (const block of blocks) {
      peer.outstanding.set(`${block.index}:${block.begin}`, { block, sentAt: now });
      peer.conn.send({ type: 'request', ...block });
    }
    peer.conn.socket.uncork();
  }

  private releaseAll(peer: Peer): void {
    for (const { block } of peer.outstanding.values()) this.picker?.release(peer, block);
    peer.outstanding.clear();
  }

  /** A block from a peer or a web seed. */
  async onBlock(from: Peer | WebSeedWorker, index: number, begin: number, block: Uint8Array): Promise<void> {
    if (!this.picker || !this.map) return;
    const fromPeer = from instanceof Peer ? from : undefined;
    if (fromPeer) {
      fromPeer.outstanding.delete(`${index}:${begin}`);
      fromPeer.down.add(block.byteLength);
      fromPeer.lastBlockAt = Date.now();
    }
    this.downRate.add(block.byteLength);
    this.counters.downloaded += block.byteLength;
    const result = this.picker.received(from, { index, begin, length: block.byteLength });
    if (!result.fresh) {
      this.counters.wasted += block.byteLength;
    } else {
      let buffer = this.pieceBuffers.get(index);
      if (!buffer) {
        buffer = { data: Buffer.alloc(this.map.piece(index).length), from: new Set() };
        this.pieceBuffers.set(index, buffer);
      }
      if (begin + block.byteLength > buffer.data.length) {
        fromPeer?.conn.destroy(new Error('block beyond the end of the piece'));
        return;
      }
      buffer.data.set(block, begin);
      buffer.from.add(from);
    }
    for (const other of result.cancel) {
      if (other instanceof Peer && other.conn.open) {
        other.outstanding.delete(`${index}:${begin}`);
        other.conn.send({ type: 'cancel', index, begin, length: block.byteLength });
      }
    }
    if (result.pieceComplete) await this.finishPiece(index);
    if (fromPeer) this.requestMore(fromPeer);
  }

  private async finishPiece(index: number): Promise<void> {
    const buffer = this.pieceBuffers.get(index)!;
    this.pieceBuffers.delete(index);
    if (!this.verifier!.verify(index, buffer.data)) {
      this.picker!.pieceFailed(index);
      this.counters.wasted += buffer.data.length;
      for (const source of buffer.from) {
        if (!(source instanceof Peer)) continue;
        source.badPieces++;
        if (source.badPieces >= BAN_AFTER_BAD_PIECES) {
          this.banned.add(source.address.host);
          source.conn.destroy(new Error(`banned after ${source.badPieces} bad pieces`));
        }
      }
      this.log(`piece ${index} failed verification`);
      return;
    }
    await this.store!.write(this.map!.piece(index).offset, buffer.data);
    this.picker!.pieceVerified(index);
    for (const peer of this.peers.values()) {
      if (peer.conn.open) peer.conn.send({ type: 'have', index });
    }
    this.emit('piece', index);
    if (this.complete) this.onComplete();
  }

  private onComplete(): void {
    if (this.completeEmitted) return;
    this.completeEmitted = true;
    for (const w of this.webSeeds) w.stop();
    for (const peer of this.peers.values()) {
      if (peer.isSeed) peer.conn.destroy();
      else if (peer.conn.amInterested) peer.conn.send({ type: 'notInterested' });
    }
    if (this.running) void this.swarm.announce('completed');
    this.emit('complete');
  }

  private tick(): void {
    this.ticks++;
    this.downRate.tick();
    this.upRate.tick();
    const now = Date.now();
    for (const peer of this.peers.values()) {
      peer.down.tick();
      peer.up.tick();
      // Pipeline sized to the connection: about two seconds of data in flight, 16..500 requests.
      peer.pipeline = Math.max(16, Math.min(500, Math.ceil((peer.down.perSecond * 2) / 16384)));
      for (const [key, o] of peer.outstanding) {
        if (now - o.sentAt > REQUEST_TIMEOUT_MS) {
          peer.outstanding.delete(key);
          this.picker?.release(peer, o.block);
        }
      }
      this.requestMore(peer);
    }
    this.superSeed.tick();
    if (this.ticks % 10 === 0) this.chokeRound();
    if (this.ticks % 5 === 0) this.connectMore();
    if (this.ticks % 60 === 5) this.swarm.sendPex();
    if (now >= this.swarm.announceAt && this.swarm.announceAt > 0) void this.swarm.announce(undefined);
  }

  private chokeRound(): void {
    const peers = [...this.peers.values()].filter((p) => p.conn.open);
    const decision = chokeRound({
      peers: peers.map((p) => ({
        key: p,
        interested: p.conn.peerInterested,
        downloadRate: p.down.perSecond,
        unchoked: !p.conn.amChoking,
        lastUnchokedAt: p.lastUnchokedAt,
      })),
      seeding: this.complete,
      slots: this.superSeed.active ? Number.POSITIVE_INFINITY : (this.options.uploadSlots ?? 4),
      optimistic: this.optimistic,
      rotateOptimistic: this.ticks % 30 === 0,
      now: Date.now(),
    });
    this.optimistic = decision.optimistic;
    for (const p of peers) this.uploader.setChoked(p, !decision.unchoke.has(p));
  }

  /** Count bytes sent to peers (called by the uploader). */
  countUpload(peer: Peer, bytes: number): void {
    peer.up.add(bytes);
    this.upRate.add(bytes);
    this.counters.uploaded += bytes;
  }

  stats(): SessionStats {
    const meta = this.meta;
    const have = this.have?.count ?? 0;
    let left = 0;
    if (meta && this.map && this.have) {
      for (let i = 0; i < meta.pieceCount; i++) if (!this.have.has(i)) left += this.map.piece(i).length;
      left = Math.min(left, meta.length);
    }
    const peers = [...this.peers.values()];
    return {
      name: meta?.name,
      length: meta?.length ?? 0,
      pieceCount: meta?.pieceCount ?? 0,
      have,
      left,
      downloaded: this.counters.downloaded,
      uploaded: this.counters.uploaded,
      wasted: this.counters.wasted,
      fromWebSeeds: this.webSeeds.reduce((s, w) => s + w.downloaded, 0),
      peers: peers.length,
      seeds: peers.filter((p) => p.isSeed).length,
      downloadRate: this.downRate.perSecond,
      uploadRate: this.upRate.perSecond,
      complete: this.complete,
    };
  }

  /** Blocks not yet received that the picker offers to a web seed (used by the web seed worker). */
  pickForWebSeed(worker: WebSeedWorker, max: number): BlockRequest[] {
    return this.picker && !this.complete ? this.picker.pick(worker, 'all', max) : [];
  }
}
