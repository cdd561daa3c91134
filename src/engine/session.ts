/**
 * One torrent being downloaded and seeded: the swarm side of the engine (BEP 3 with BEP 6 Fast,
 * BEP 9 metadata for magnet links, BEP 10 extensions, BEP 11 peer exchange, BEP 12 tiers, BEP 19
 * web seeds).
 *
 * The session owns the torrent's state (metadata, piece store, picker, verifier, `have`, the
 * connected peers) and is a thin composition of four parts, made and wired in `session-parts.ts`:
 * download (`session-download.ts`, `web-seed-worker.ts`), upload (`session-upload.ts`, super-seed,
 * trusted start), swarm (`session-swarm.ts`, the peers hub `session-peers.ts`) and metadata
 * (`session-metadata.ts`, the BEP 52 hash exchange). Each part reads the state through a read-only
 * `TorrentView` (`session-view.ts`) and reports back through callbacks; none holds the session.
 *
 * Faults (see `fault.ts`): a peer that breaks the rules is dropped; an error of the store (a disk
 * error, a read-only or missing blob) fails this session only: it stops, keeps the reason in
 * `failure` and emits `failed`. A session over a read-only store (the site's seeding from blobs) is
 * seed-only: it requests no blocks; pieces that fail the recheck are reported as damaged (`damaged()`,
 * the `damaged` event), the intact ones still served, until a fixity repair (`session-repair.ts`).
 */

import { EventEmitter } from 'node:events';
import type { OutboundPolicy } from '../net/index.js';
import { checkPieceLayers, type Metainfo } from '../torrent/index.js';
import type { PeerAddress, PeerConnection } from '../wire/index.js';
import { Bitfield } from './bitfield.js';
import { describeError, guardedStore } from './fault.js';
import type { PieceStore } from './file-store.js';
import type { HashAnswers } from './hash-answers.js';
import { HaveBroadcast } from './have-broadcast.js';
import type { LayerFetch } from './layer-fetch.js';
import type { Peer, Transport } from './peer.js';
import type { PiecePicker } from './picker.js';
import { PieceMap } from './piece-map.js';
import type { Scheduled } from './scheduler.js';
import type { Downloader } from './session-download.js';
import { idleUntil, makePicker } from './session-idle.js';
import type { MetadataFetcher } from './session-metadata.js';
import { composeParts, webSeedHost } from './session-parts.js';
import type { PeerHandler } from './session-peers.js';
import { isRepairing } from './session-repair.js';
import { type SessionStats, sessionStats, TransferCounters } from './session-stats.js';
import type { SessionSuperSeed } from './session-super-seed.js';
import type { SessionDht, SwarmFinder } from './session-swarm.js';
import { checkStored, type StartOptions, type TrustedPieces } from './session-trusted.js';
import type { Uploader, UploaderOptions } from './session-upload.js';
import { TrackerTiers } from './tracker-tiers.js';
import { PieceVerifier } from './verify.js';
import { WEB_SEED_GRACE_MS, WebSeedWorker } from './web-seed-worker.js';

export interface SessionOptions extends UploaderOptions, StartOptions {
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
  /** URLs of the `.torrent` (a magnet link's `xs`), fetched for the metadata alongside the peers. */
  torrentUrls?: string[];
  maxPeers?: number;
  /**
   * Once complete, reveal pieces a few at a time so the swarm makes the copies (see
   * `super-seed.ts`): for a permanent seed such as a site. Unchokes every interested peer.
   */
  superSeed?: boolean;
  /** Fetched for the peer's own copy (a site's archive): no `completed` announce (session-swarm.ts). */
  ownCopy?: boolean;
  /** Where diagnostics go (default: nowhere). */
  log?: (message: string) => void;
  /** Outbound policy for untrusted sources (see `EngineOptions.policy`); absent: contact anything. */
  policy?: OutboundPolicy;
  /** Tracker and web seed URLs exempt from `policy` (the operator's own). */
  trusted?: (url: string) => boolean;
  /** See `EngineOptions.trustInsidePeers`. */
  trustInsidePeers?: () => boolean;
  /** The engine's DHT node (BEP 5), when it joined one: see `SwarmFinder.dhtTick`. */
  dht?: SessionDht;
}

interface SessionEvents {
  metadata: [meta: Metainfo];
  verified: [];
  piece: [index: number];
  complete: [];
  warning: [message: string];
  /** The session stopped because of `reason` (a store or disk error); see `failure`. */
  failed: [reason: Error];
  /** Emitted with `failed`, only when someone listens (so `once(session, 'complete')` rejects). */
  error: [reason: Error];
  /** A seed-only session found pieces that fail their check (bit rot, a missing blob). */
  damaged: [pieces: number[]];
}

export class TorrentSession extends EventEmitter<SessionEvents> {
  meta: Metainfo | undefined;
  readonly infoHash: Buffer;
  have: Bitfield | undefined;
  store: PieceStore | undefined;
  map: PieceMap | undefined;
  /** The picker, made when first used (a peer, a download) and dropped while idle (`session-idle.ts`). */
  get picker(): PiecePicker | undefined {
    if (this.pickerOn) this.pickerState ??= makePicker(this);
    return this.pickerState;
  }
  pickerState: PiecePicker | undefined;
  private pickerOn = false;
  verifier: PieceVerifier | undefined;
  readonly peers = new Map<PeerConnection, Peer>();
  readonly banned = new Set<string>();
  readonly uploader: Uploader;
  readonly haves = new HaveBroadcast(this);
  readonly metadata: MetadataFetcher;
  readonly superSeed: SessionSuperSeed;
  readonly downloader: Downloader;
  /** BEP 52: answering `hash request`s, and fetching the piece layers a v2 torrent came without. */
  readonly hashAnswers: HashAnswers;
  readonly layerFetch: LayerFetch;
  /** The v2 info hash (SHA-256, 32 bytes) of a v2-only magnet, to check its metadata against. */
  readonly infoHashV2: Buffer | undefined;
  /** Why the session stopped, when a store or disk error stopped it. */
  failure: Error | undefined;
  readonly swarm: SwarmFinder;
  readonly peerHandler: PeerHandler;
  private readonly webSeeds: WebSeedWorker[] = [];
  /** Pieces found damaged and not repaired (see `damaged()`; `session-repair.ts` takes repaired ones off). */
  damagedPieces: number[] = [];
  /** Trusted start: pieces checked when first served (`session-trusted.ts`). */
  readonly trust: TrustedPieces;
  /** What the engine's scheduler drives (`scheduler.ts`); without one, a timer of the session's own. */
  readonly scheduled: Scheduled = {
    tick: () => this.guard('tick', () => this.tick()),
    idleUntil: () => idleUntil(this),
  };
  readonly counters = new TransferCounters();
  private timers: NodeJS.Timeout[] = [];
  private ticks = 0;
  running = false;
  private completeEmitted = false;

  constructor(
    source: { meta: Metainfo } | { infoHash: string; name?: string; infoHashV2?: string },
    readonly options: SessionOptions,
  ) {
    super();
    const meta = 'meta' in source ? source.meta : undefined;
    this.infoHash = Buffer.from(meta ? meta.infoHash : (source as { infoHash: string }).infoHash, 'hex');
    const tiers = [...(meta?.announce ?? []), ...(options.trackers ?? [])];
    const parts = composeParts(this, new TrackerTiers(tiers)); // each part given what it needs
    this.trust = parts.trust;
    this.superSeed = parts.superSeed;
    this.uploader = parts.uploader;
    this.downloader = parts.downloader;
    this.swarm = parts.swarm;
    this.metadata = parts.metadata;
    this.hashAnswers = parts.hashAnswers;
    this.layerFetch = parts.layerFetch;
    this.peerHandler = parts.peerHandler;
    const v2 = meta?.infoHashV2 ?? ('infoHashV2' in source ? source.infoHashV2 : undefined);
    this.infoHashV2 = v2 ? Buffer.from(v2, 'hex') : undefined;
    if (meta) this.meta = meta;
  }

  get complete(): boolean {
    return this.have?.complete === true;
  }

  /** Seed-only: the store cannot be written (the site's blobs); it downloads nothing (see `session-repair.ts`). */
  get seedOnly(): boolean {
    return this.store?.readOnly === true;
  }

  /** Pieces a seed-only session found damaged at its recheck (empty otherwise), in order. */
  damaged(): number[] {
    return [...this.damagedPieces];
  }

  /** The damaged list changed (`session-trusted.ts`): tell the `damaged` listeners. */
  damagedChanged(): void {
    this.emit('damaged', this.damaged());
  }

  /** A fixity repair is under way (`session-repair.ts`). */
  get repairing(): boolean {
    return isRepairing(this);
  }

  /** Going idle (`session-idle.ts`): drop what only peers need, made again when one connects. */
  dropPeerState(): void {
    this.pickerState = undefined;
    this.uploader.clearCache();
  }

  /** Tick an idle session again (a peer came, an address to dial). */
  wake(): void {
    this.options.scheduler?.wake(this.scheduled);
  }

  log(message: string): void {
    this.options.log?.(message);
  }

  /** Open the store, check what is already on disk, announce and start connecting. */
  async start(): Promise<void> {
    this.running = true;
    try {
      if (this.meta) await this.useMetadata(this.meta);
    } catch (err) {
      this.fail(err as Error);
      throw err;
    }
    if (!this.running) return; // failed or stopped during the recheck
    if (!this.meta && this.options.torrentUrls?.length) this.metadata.fetchSources(this.options.torrentUrls);
    if (this.options.scheduler) this.options.scheduler.add(this.scheduled);
    else this.timers.push(setInterval(() => this.scheduled.tick(Date.now()), 1000));
    this.swarm.begin(); // `started`, at once or spread (`announceSpreadMs`)
    this.connectMore();
  }

  /** Announce `stopped`, drop every peer and close the store. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.options.scheduler?.remove(this.scheduled);
    this.timers = [];
    for (const w of this.webSeeds) w.stop();
    for (const peer of this.peers.values()) peer.conn.destroy();
    this.downloader.clear();
    this.uploader.clear();
    const stopped = this.swarm.announce('stopped').catch(() => undefined);
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.store?.close().catch((err: unknown) => this.log(`closing the store: ${describeError(err)}`));
  }

  /**
   * Stop this session because of `reason` (a store or disk error, or an error no peer can be blamed
   * for): keep the reason in `failure`, emit `failed` (and `error` when someone listens), stop. The
   * engine's other sessions are not affected. Errors after a normal stop are only logged.
   */
  fail(reason: Error): void {
    if (this.failure) return;
    if (!this.running) {
      this.log(`torrent ${this.infoHash.toString('hex')}: after stop: ${describeError(reason)}`);
      return;
    }
    this.failure = reason;
    this.log(`torrent ${this.infoHash.toString('hex')} failed: ${describeError(reason)}`);
    this.emit('failed', reason);
    if (this.listenerCount('error') > 0) this.emit('error', reason);
    void this.stop().catch(() => undefined);
  }

  /** Run `fn`; an exception fails the session instead of reaching the process. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(new Error(`${what}: ${describeError(err)}`, { cause: err }));
    }
  }

  private announce(event: 'started' | 'completed' | undefined): void {
    this.swarm
      .announce(event)
      .catch((err: unknown) => this.emit('warning', `announce: ${describeError(err)}`));
  }

  /** Set up everything that needs the metadata: store, picker, recheck (or trust) of data already stored. */
  async useMetadata(meta: Metainfo): Promise<void> {
    checkPieceLayers(meta); // as libtorrent's add_torrent: a layer that is not its file's fails the torrent
    this.meta = meta;
    this.map = new PieceMap(meta);
    this.store = guardedStore(this.options.storeFor(meta), this);
    this.verifier = new PieceVerifier(meta, this.map, (root, i) => this.layerFetch.pieceHash(root, i));
    this.have = new Bitfield(meta.pieceCount);
    await checkStored(this); // a recheck, or trust (`trustStored`): see session-trusted.ts
    this.layerFetch.start(); // the v2 layers neither the torrent nor the files gave
    this.pickerOn = true;
    this.emit('verified');
    for (const url of this.seedOnly ? [] : new Set([...meta.urlList, ...(this.options.webSeeds ?? [])])) {
      const worker = new WebSeedWorker(
        webSeedHost(this, meta),
        url,
        this.swarm.hasSources ? WEB_SEED_GRACE_MS : 0,
      );
      this.webSeeds.push(worker);
      if (this.running && !this.complete) worker.start();
    }
    this.peerHandler.metadataKnown();
    if (this.complete) this.onComplete();
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
  attach(conn: PeerConnection, address: PeerAddress, outgoing = false, transport: Transport = 'tcp'): void {
    try {
      this.wake();
      this.peerHandler.takeOver(conn, address, outgoing, transport);
    } catch (err) {
      this.log(`peer ${address.host}:${address.port}: ${describeError(err)}`);
      conn.destroy(err as Error);
    }
  }

  /** Piece `index` passed verification and is stored (called by the downloader). */
  pieceDone(index: number): void {
    this.picker!.pieceVerified(index);
    this.haves.add(index); // a few at a time (have-broadcast.ts)
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
    if (this.running) this.announce('completed');
    // Files no piece covers (zero-length) are made once complete, as libtorrent makes them.
    void (this.store?.createEmpty?.() ?? Promise.resolve()).then(
      () => this.emit('complete'),
      (e) => this.fail(e),
    );
  }

  private tick(): void {
    this.ticks++;
    this.counters.tick();
    const now = Date.now();
    for (const peer of this.peers.values()) {
      peer.down.tick();
      peer.up.tick();
      // The request pipeline sizes itself as blocks arrive (pipeline.ts), not here once a second.
      this.downloader.expireRequests(peer, now);
      this.downloader.requestMore(peer);
    }
    this.superSeed.tick();
    this.layerFetch.pump(now);
    if (this.ticks % 10 === 0) this.uploader.chokeRound(this.ticks % 30 === 0);
    if (this.ticks % 5 === 0) this.connectMore();
    if (this.ticks % 60 === 5) this.swarm.sendPex();
    if (now >= this.swarm.announceAt && this.swarm.announceAt > 0) this.announce(undefined);
    this.swarm.dhtTick(now);
  }

  /** What the session has done so far (what the CLI prints and the site shows). */
  stats(): SessionStats {
    return sessionStats(
      this,
      this.counters,
      this.webSeeds.reduce((s, w) => s + w.downloaded, 0),
    );
  }
}
