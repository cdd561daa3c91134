/**
 * Keeping the site's items alive in the swarm: the tracker's allow-list (exactly the site's items,
 * by v1 hash and by the first 20 bytes of the v2 hash, as BEP 52 clients announce) and the engine's
 * seeding sessions, which read the files from the blob store through `BlobPieceStore`. At start every
 * ready item is loaded; each published item is added as it is published. Torrent-only items are
 * tracked from the start and seeded once archived (see `archive.ts`).
 *
 * Start-up at site scale (issue 22): an item whose files all carry the SHA-256 recorded when they
 * were stored (publish, archive) is seeded on trust (`AddOptions.trusted`: no content read; each
 * piece is hashed when first served, see `engine/session-trusted.ts`); `recheck` (or an item without
 * recorded hashes) reads and hashes every piece first, as before. The `.torrent` blobs (metadata)
 * are read `parallel` at a time in a sliding window (`ready-items.ts`). With `ownTracker` the swarms
 * are registered in the site's tracker in process (`seeding-tracker.ts`) and the sessions never
 * announce to it over the network; their first announces to other trackers and the DHT are spread
 * over `announceSpreadMs`.
 *
 * Faults stay with their item: a seeding session is seed-only (its store is read-only), so a piece
 * that fails the recheck (bit rot, a missing blob or S3 object) is reported as damaged
 * (`damaged(itemId)`, a log line, and `onDamaged` listeners: fixity records it) while the intact
 * pieces are still served, until fixity repairs it from the swarm (`repair`, `fixity-repair.ts`); a
 * session that fails (a storage error) is forgotten and reported (`failure(itemId)`), and the others
 * carry on.
 */

import type { DerivativeRepository, Item, ItemRepository } from '../catalog/index.js';
import type { Engine, TorrentSession } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { BlobPieceStore, type BlobStore, readAll } from '../storage/index.js';
import { type Metainfo, parseTorrent } from '../torrent/index.js';
import type { AllowCheck } from '../tracker/index.js';
import { type RepairItemOptions, repairItem } from './fixity-repair.js';
import { forEachReadyItem } from './ready-items.js';
import { SeedingAllowList } from './seeding-allow.js';
import { type DamageListener, SeedingDamage } from './seeding-damage.js';
import { DerivedSeeding } from './seeding-derivatives.js';
import type { TrackerRegistration } from './seeding-tracker.js';
import { type DeferralOptions, type PeerActivity, type Verdict, WebSeedGate } from './web-seed-deferral.js';

export interface SeedingOptions {
  items: ItemRepository;
  blobs: BlobStore;
  engine: Engine;
  log?: (message: string) => void;
  /** The web seed's deferral rule (see `web-seed-deferral.ts`; tests shorten its times). */
  deferral?: DeferralOptions;
  /** Items' derivatives torrents (issue 18): tracked and seeded beside the originals. */
  derivatives?: DerivativeRepository;
  /** Read and hash every item's files before seeding it (the old start), instead of trusting them. */
  recheck?: boolean;
  /** The site's own tracker, where the swarms are registered in process (see `seeding-tracker.ts`). */
  ownTracker?: TrackerRegistration;
  /**
   * At start, the n-th item's first announces to other trackers and the DHT go out at a random time
   * within min(n x 100 ms, this) (default 10 min): about ten a second, however many items there are.
   * Items seeded later (a publish) announce at once.
   */
  announceSpreadMs?: number;
  /** `.torrent` blobs read at once at start (default 16). */
  parallel?: number;
  /**
   * With several site nodes (issue 22): whether this node seeds the item (`node-roster.ts`); the
   * others only track it. Default: every item. `rebalance` applies a change of answer.
   */
  owns?: (itemId: number) => boolean;
}

/** Pieces known damaged by item, given to a trusted start (the fixity checks' table). */
export type DamagedSource = (itemId: number) => number[] | undefined;

const DEFAULT_SPREAD_MS = 10 * 60_000;
const SPREAD_STEP_MS = 100;

/** The session in its own tracker's swarms: the peers it answers with are dialled; `left` as announced. */
type Hashes = (string | null | undefined)[];
function register(own: TrackerRegistration | undefined, session: TorrentSession, hashes: Hashes) {
  const dial = (peers: { host: string; port: number }[]) => {
    for (const p of peers) session.swarm.add(p, true);
  };
  own?.add(hashes, dial, () => session.stats().left);
}

export class Seeding {
  /** The tracker's allow-list (`seeding-allow.ts`). */
  private readonly allowList: SeedingAllowList;
  private readonly sessions = new Map<number, TorrentSession>();
  /** Items whose seeding is starting (see `seed`). */
  private readonly starting = new Map<number, Promise<void>>();
  /** Item ids of the sessions, by v1 info hash (hex): WebTorrent swarms are keyed by it. */
  private readonly byInfoHash = new Map<string, number>();
  /** Damaged piece indexes of items whose sessions found some (`seeding-damage.ts`). */
  private readonly damage = new SeedingDamage(() => this.log);
  /** Why seeding an item stopped or could not start. */
  private readonly failures = new Map<number, string>();
  private log: (message: string) => void;
  private readonly gate: WebSeedGate;
  /** Derivatives torrents seeded, by item (see `seeding-derivatives.ts`). */
  readonly derived: DerivedSeeding;

  constructor(private options: SeedingOptions) {
    this.log = options.log ?? (() => {});
    this.gate = new WebSeedGate(options.deferral);
    this.allowList = new SeedingAllowList((infoHash) => this.derived.unknown(infoHash));
    this.derived = new DerivedSeeding({
      blobs: options.blobs,
      engine: options.engine,
      ...(options.derivatives ? { derivatives: options.derivatives } : {}),
      track: (...hashes) => this.allowList.add(hashes, true),
      untrack: (...hashes) => this.allowList.remove(...hashes),
      log: (m) => this.log(m),
      owns: (itemId) => this.options.owns?.(itemId) ?? true,
      sessionOptions: () => ({
        ...this.sessionOptions(),
        ...(this.options.recheck ? {} : { trusted: true }),
      }),
      register: (on, session, ...hashes) =>
        on ? register(this.options.ownTracker, session, hashes) : this.options.ownTracker?.remove(...hashes),
    });
  }

  /**
   * How items are started, set by the composition root before `start` (once the tracker exists):
   * `recheck`, the own tracker's registration, the announce spread.
   */
  configure(more: Pick<SeedingOptions, 'recheck' | 'ownTracker' | 'announceSpreadMs'>): void {
    this.options = { ...this.options, ...more };
  }

  /** Where damage and failures are reported (the composition root sets it once it has a logger). */
  setLog(log: (message: string) => void): void {
    this.log = log;
  }

  /**
   * The tracker's allow check: is this one of the site's items? An announce for a hash it does not
   * hold asks the database whether it is a derivatives torrent a `seedcast worker` just made (then
   * seeded and allowed from the next announce on; see `seeding-derivatives.ts`).
   */
  get allow(): AllowCheck {
    return this.allowList.check;
  }

  /** Where a trusted start learns the pieces known damaged (set by the fixity checks). */
  damagedSource: DamagedSource | undefined;
  /** Items started by `start` so far (their announces are spread), or undefined outside `start`. */
  private started: number | undefined;

  /** Loads the allow-list from the catalog and starts seeding every ready item. */
  async start(): Promise<void> {
    this.allowList.add(await this.options.items.trackedInfoHashes());
    this.started = 0;
    // A page's .torrent blobs are read `parallel` at a time (metadata only; no content is read).
    await forEachReadyItem(
      this.options.items,
      (item) => this.seed(item),
      this.cannotSeed,
      this.options.parallel ?? 16,
    );
    this.started = undefined;
    await this.derived.refresh();
  }

  private readonly cannotSeed = (item: Item, e: Error) =>
    this.log(`item ${item.id}: cannot seed: ${e.message}`);

  /** True when the item is seeded without a recheck: its files' hashes were recorded when stored. */
  trusts(item: Item): boolean {
    return !this.options.recheck && item.files.every((f) => !!f.blobKey && !!f.sha256);
  }

  /** Tracks an info hash (v1 or v2, hex) from now on. */
  track(...hashes: (string | null)[]): void {
    this.allowList.add(hashes);
  }

  /**
   * Starts seeding an item whose files and torrent are in the blob store. Calls for an item already
   * starting share its start (with several nodes the tracker's lookup, a rebalance and a publish may
   * ask at once; two sessions of one torrent would leave one running unseen).
   */
  seed(item: Item, meta?: Metainfo): Promise<void> {
    const pending = this.starting.get(item.id);
    if (pending) return pending;
    const started = this.startSeeding(item, meta).finally(() => this.starting.delete(item.id));
    this.starting.set(item.id, started);
    return started;
  }

  private async startSeeding(item: Item, meta?: Metainfo): Promise<void> {
    // A torrent-only item is seeded by the site once archived (every file has a blob).
    if (this.sessions.has(item.id) || !item.torrentKey || item.files.some((f) => !f.blobKey)) return;
    this.track(item.infoHash, item.infoHashV2);
    if (this.options.owns && !this.options.owns(item.id)) return; // another node seeds it
    const torrent = meta ?? parseTorrent(await readAll(await this.options.blobs.get(item.torrentKey)));
    this.track(torrent.infoHash, torrent.infoHashV2 ?? null);
    const keys = item.files.map((f) => f.blobKey ?? undefined);
    let session: TorrentSession;
    const trusted = this.trusts(item);
    const damaged = trusted ? this.damagedSource?.(item.id) : undefined;
    try {
      session = await this.options.engine.add(
        { meta: torrent },
        {
          // The torrent's own tiers only (`announce` is already in the session); the engine's outbound
          // policy decides which of the publisher's trackers and web seeds may be contacted.
          path: '',
          storeFor: (m) => new BlobPieceStore(m, this.options.blobs, { keys }),
          ...(trusted ? { trusted, ...(damaged?.length ? { damaged } : {}) } : {}),
          ...this.sessionOptions(this.started === undefined ? 0 : ++this.started),
        },
      );
    } catch (err) {
      this.failures.set(item.id, (err as Error).message);
      throw err;
    }
    this.failures.delete(item.id);
    this.sessions.set(item.id, session);
    this.byInfoHash.set(session.infoHash.toString('hex'), item.id);
    // Leechers already in the swarm are dialled, as after an announce over the network.
    register(this.options.ownTracker, session, [torrent.infoHash, torrent.infoHashV2]);
    // Found by a recheck, or known from fixity (not reported again).
    this.damage.note(item.id, session.damaged(), torrent.pieceCount, damaged);
    // A trusted session finds damage later, when a piece fails its check as it is first served.
    session.on('damaged', (pieces) => {
      if (this.sessions.get(item.id) === session) this.damage.note(item.id, pieces, torrent.pieceCount);
    });
    session.once('failed', (reason) => {
      if (this.sessions.get(item.id) === session) this.sessions.delete(item.id);
      if (this.byInfoHash.get(session.infoHash.toString('hex')) === item.id)
        this.byInfoHash.delete(session.infoHash.toString('hex'));
      this.failures.set(item.id, reason.message);
      this.options.ownTracker?.remove(torrent.infoHash, torrent.infoHashV2);
      this.log(`item ${item.id}: seeding stopped: ${reason.message}`);
    });
  }

  /** What every seeding session of the site is added with (own tracker in process, spread announces). */
  sessionOptions(position = 0): { inProcessTrackers?: (url: string) => boolean; announceSpreadMs: number } {
    const own = this.options.ownTracker;
    const max = this.options.announceSpreadMs ?? DEFAULT_SPREAD_MS;
    return {
      ...(own ? { inProcessTrackers: own.isOwn } : {}),
      announceSpreadMs: Math.min(max, position * SPREAD_STEP_MS),
    };
  }

  /** Piece indexes of the item that failed their check in storage (empty when intact or unknown). */
  damaged(itemId: number): number[] {
    return this.damage.of(itemId);
  }

  /** `listener` hears of pieces the sessions find damaged (fixity records and repairs them). */
  onDamaged(listener: DamageListener): void {
    this.damage.onDamaged(listener);
  }

  /**
   * Fixity (issue 22): fetches the item's damaged `pieces` from the swarm and writes them back into
   * the blob store, seeding the intact pieces meanwhile (`fixity-repair.ts`); resolves with them.
   */
  async repair(
    itemId: number,
    pieces: readonly number[],
    options: RepairItemOptions = {},
  ): Promise<number[]> {
    const session = this.sessions.get(itemId);
    const item = await this.options.items.get(itemId);
    if (!session || !item) throw new SeedcastError('FIXITY_REPAIR', `item ${itemId} is not being seeded`);
    const done = await repairItem(session, item, this.options.blobs, pieces, { log: this.log, ...options });
    this.damage.repaired(itemId, done);
    return done;
  }

  /** Why the item is not being seeded after an error (undefined when it is, or never failed). */
  failure(itemId: number): string | undefined {
    return this.failures.get(itemId);
  }

  /** The seeding peer's TCP port. */
  peerPort(): number {
    return this.options.engine.port;
  }

  /** Ids of the items the engine seeds now (for the traffic counters' sampling). */
  seededIds(): number[] {
    return [...this.sessions.keys()];
  }

  /** True while the engine seeds the item. */
  isSeeding(itemId: number): boolean {
    return this.sessions.has(itemId);
  }

  /**
   * Bytes the site's peer has uploaded for an item since it started, to TCP peers and to WebRTC
   * peers (browsers, WebTorrent clients); zeros when not seeding.
   */
  trafficOf(itemId: number): { tcp: number; webrtc: number } {
    const by = this.sessions.get(itemId)?.counters.uploadedBy;
    const derived = this.derived.trafficOf(itemId);
    return { tcp: (by?.tcp ?? 0) + derived.tcp, webrtc: (by?.webrtc ?? 0) + derived.webrtc };
  }

  /** True while the engine seeds an item of this 20-byte v1 info hash (the WebTorrent swarm's key). */
  seedsInfoHash(infoHash: Buffer): boolean {
    if (infoHash.byteLength !== 20) return false;
    if (this.derived.seedsInfoHash(infoHash)) return true;
    const id = this.byInfoHash.get(infoHash.toString('hex'));
    const session = id === undefined ? undefined : this.sessions.get(id);
    return session?.running === true && !session.failure;
  }

  /** Bytes the site's peer has uploaded for an item since it started (0 when not seeding). */
  uploaded(itemId: number): number {
    return this.sessions.get(itemId)?.stats().uploaded ?? 0;
  }

  /** True when a peer connected to the item's seeding session has the address `host`. */
  hasPeerAt(itemId: number, host: string): boolean {
    return this.peersAt(itemId, host).length > 0;
  }

  /**
   * Whether the web seed serves a bounded range of the item to `host` now, or defers it to the
   * swarm (see `web-seed-deferral.ts`: only when every downloading peer the site's peer sees at
   * that address is being served by it). A served request must be `release`d once it is over.
   */
  admitWebSeed(
    itemId: number,
    host: string,
    request: { length: number; waited?: boolean; now?: number },
  ): Verdict & { release: () => void } {
    const peers: PeerActivity[] = this.peersAt(itemId, host).map((p) => ({
      connectedAt: p.connectedAt,
      lastServedAt: p.lastServedAt,
      lastHaveAt: p.lastHaveAt,
      queued: p.uploadQueue.length,
      unchoked: !p.conn.amChoking,
      seed: p.isSeed,
    }));
    return this.gate.admit(itemId, host.replace(/^::ffff:/, ''), peers, {
      now: request.now ?? Date.now(),
      length: request.length,
      // Nothing to wait for when the site's peer does not seed the item.
      ...(request.waited || !this.sessions.has(itemId) ? { waited: true } : {}),
    });
  }

  private peersAt(itemId: number, host: string) {
    const session = this.sessions.get(itemId);
    if (!session) return [];
    const wanted = host.replace(/^::ffff:/, '');
    return [...session.peers.values()].filter((p) => p.conn.open && p.address.host === wanted);
  }

  /**
   * With several site nodes (issue 22, `cluster.ts`): re-reads the allow-list from the catalog (what
   * other nodes published or took down) and seeds exactly the ready items `owns` gives this node
   * now, stopping the sessions of the others (still tracked) and of items no longer ready.
   */
  async rebalance(): Promise<void> {
    this.allowList.replace(await this.options.items.trackedInfoHashes());
    const ready = new Set<number>();
    const seed = (item: Item) => {
      ready.add(item.id);
      return this.seed(item);
    };
    await forEachReadyItem(this.options.items, seed, this.cannotSeed);
    for (const id of [...this.sessions.keys()])
      if (!ready.has(id) || (this.options.owns && !this.options.owns(id))) await this.release(id);
  }

  /** Stops seeding an item and keeps tracking it (another node seeds it now). */
  private async release(itemId: number): Promise<void> {
    const session = this.sessions.get(itemId);
    if (!session) return;
    this.sessions.delete(itemId);
    this.byInfoHash.delete(session.infoHash.toString('hex'));
    this.damage.forget(itemId);
    // Its peer leaves this node's registration in the (shared) tracker: the owner registers its own.
    this.options.ownTracker?.remove(session.infoHash.toString('hex'), session.meta?.infoHashV2);
    await this.options.engine.remove(session);
  }

  /** Stops seeding an item and forgets its hashes (takedown, delete). */
  async drop(item: Item): Promise<void> {
    const session = this.sessions.get(item.id);
    this.sessions.delete(item.id);
    if (session) this.byInfoHash.delete(session.infoHash.toString('hex'));
    this.damage.forget(item.id);
    this.failures.delete(item.id);
    this.allowList.remove(item.infoHash, item.infoHashV2);
    if (session) this.options.ownTracker?.remove(item.infoHash, item.infoHashV2);
    if (session) await this.options.engine.remove(session);
    await this.derived.drop(item.id);
  }
}
