/**
 * Keeping the site's items alive in the swarm: the tracker's allow-list (exactly the site's items,
 * by v1 hash and by the first 20 bytes of the v2 hash, as BEP 52 clients announce) and the engine's
 * seeding sessions, which read the files from the blob store through `BlobPieceStore`. At start every
 * ready item is loaded; each published item is added as it is published. Torrent-only items are
 * tracked from the start and seeded once archived (see `archive.ts`).
 *
 * Faults stay with their item: a seeding session is seed-only (its store is read-only), so a piece
 * that fails the recheck (bit rot, a missing blob or S3 object) is reported as damaged
 * (`damaged(itemId)`, and a log line) while the intact pieces are still served; a session that
 * fails (a storage error) is forgotten and reported (`failure(itemId)`), and the others carry on.
 */

import type { DerivativeRepository, Item, ItemRepository } from '../catalog/index.js';
import type { Engine, TorrentSession } from '../engine/index.js';
import { BlobPieceStore, type BlobStore, readAll } from '../storage/index.js';
import { type Metainfo, parseTorrent } from '../torrent/index.js';
import { type AllowCheck, allowSet } from '../tracker/index.js';
import { DerivedSeeding } from './seeding-derivatives.js';
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
  /**
   * With several site nodes (issue 22): whether this node seeds the item (`node-roster.ts`); the
   * others only track it. Default: every item. `rebalance` applies a change of answer.
   */
  owns?: (itemId: number) => boolean;
}

export class Seeding {
  private readonly hashes = new Set<string>();
  /** The derivatives torrents' hashes among `hashes` (kept when `rebalance` re-reads the catalog's). */
  private readonly derivedHashes = new Set<string>();
  private readonly allowed = allowSet(new Set());
  private readonly sessions = new Map<number, TorrentSession>();
  /** Items whose seeding is starting (see `seed`). */
  private readonly starting = new Map<number, Promise<void>>();
  /** Item ids of the sessions, by v1 info hash (hex): WebTorrent swarms are keyed by it. */
  private readonly byInfoHash = new Map<string, number>();
  /** Damaged piece indexes of items whose recheck found some (seed-only: never fetched). */
  private readonly damage = new Map<number, number[]>();
  /** Why seeding an item stopped or could not start. */
  private readonly failures = new Map<number, string>();
  private log: (message: string) => void;
  private readonly gate: WebSeedGate;
  /** Derivatives torrents seeded, by item (see `seeding-derivatives.ts`). */
  readonly derived: DerivedSeeding;

  constructor(private readonly options: SeedingOptions) {
    this.log = options.log ?? (() => {});
    this.gate = new WebSeedGate(options.deferral);
    this.derived = new DerivedSeeding({
      blobs: options.blobs,
      engine: options.engine,
      ...(options.derivatives ? { derivatives: options.derivatives } : {}),
      track: (...hashes) => {
        for (const h of hashes) if (h) this.derivedHashes.add(h.slice(0, 40).toLowerCase());
        this.track(...hashes);
      },
      untrack: (...hashes) => {
        for (const h of hashes) if (h) this.derivedHashes.delete(h.slice(0, 40).toLowerCase());
        this.untrack(...hashes);
      },
      log: (m) => this.log(m),
    });
  }

  /** Where damage and failures are reported (the composition root sets it once it has a logger). */
  setLog(log: (message: string) => void): void {
    this.log = log;
  }

  /** The tracker's allow check: is this one of the site's items? */
  get allow(): AllowCheck {
    return this.allowCheck;
  }

  /**
   * The allow-list as the tracker uses it: an announce for a hash it does not hold asks the
   * database whether it is a derivatives torrent a `seedcast worker` just made (then seeded and
   * allowed from the next announce on; see `seeding-derivatives.ts`).
   */
  private readonly allowCheck: ReturnType<typeof allowSet> = Object.assign(
    (infoHash: Buffer) => {
      const ok = this.allowed(infoHash);
      if (!ok) this.derived.unknown(infoHash);
      return ok;
    },
    {
      update: (next: Set<string>) => this.allowed.update(next),
      size: () => this.allowed.size(),
      keys: () => this.allowed.keys(),
      onUpdate: (listener: () => void) => this.allowed.onUpdate(listener),
    },
  );

  /** Loads the allow-list from the catalog and starts seeding every ready item. */
  async start(): Promise<void> {
    for (const hash of await this.options.items.trackedInfoHashes()) this.hashes.add(hash.slice(0, 40));
    this.allowed.update(this.hashes);
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.options.items.newest({ limit: 100, ...(beforeId ? { beforeId } : {}) });
      for (const item of page) {
        try {
          await this.seed(item);
        } catch (err) {
          this.log(`item ${item.id}: cannot seed: ${(err as Error).message}`);
        }
      }
      if (page.length < 100) break;
      beforeId = page[page.length - 1]!.id;
    }
    await this.derived.refresh();
  }

  /** Tracks an info hash (v1 or v2, hex) from now on. */
  track(...hashes: (string | null)[]): void {
    for (const h of hashes) if (h) this.hashes.add(h.slice(0, 40).toLowerCase());
    this.allowed.update(this.hashes);
  }

  private untrack(...hashes: (string | null)[]): void {
    for (const h of hashes) if (h) this.hashes.delete(h.slice(0, 40).toLowerCase());
    this.allowed.update(this.hashes);
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
    try {
      session = await this.options.engine.add(
        { meta: torrent },
        {
          // The torrent's own tiers only (`announce` is already in the session); the engine's outbound
          // policy decides which of the publisher's trackers and web seeds may be contacted.
          path: '',
          storeFor: (m) => new BlobPieceStore(m, this.options.blobs, { keys }),
        },
      );
    } catch (err) {
      this.failures.set(item.id, (err as Error).message);
      throw err;
    }
    this.failures.delete(item.id);
    this.sessions.set(item.id, session);
    this.byInfoHash.set(session.infoHash.toString('hex'), item.id);
    const damaged = session.damaged();
    if (damaged.length > 0) {
      this.damage.set(item.id, damaged);
      this.log(
        `item ${item.id}: ${damaged.length} of ${torrent.pieceCount} pieces damaged in storage (first: ${damaged[0]}); seeding the intact pieces only`,
      );
    } else {
      this.damage.delete(item.id);
    }
    session.once('failed', (reason) => {
      if (this.sessions.get(item.id) === session) this.sessions.delete(item.id);
      if (this.byInfoHash.get(session.infoHash.toString('hex')) === item.id)
        this.byInfoHash.delete(session.infoHash.toString('hex'));
      this.failures.set(item.id, reason.message);
      this.log(`item ${item.id}: seeding stopped: ${reason.message}`);
    });
  }

  /** Piece indexes of the item that failed their check in storage (empty when intact or unknown). */
  damaged(itemId: number): number[] {
    return [...(this.damage.get(itemId) ?? [])];
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
    const catalog = new Set((await this.options.items.trackedInfoHashes()).map((h) => h.slice(0, 40)));
    for (const h of this.hashes) if (!catalog.has(h) && !this.derivedHashes.has(h)) this.hashes.delete(h);
    for (const h of catalog) this.hashes.add(h);
    this.allowed.update(this.hashes);
    const ready = new Set<number>();
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.options.items.newest({ limit: 100, ...(beforeId ? { beforeId } : {}) });
      for (const item of page) {
        ready.add(item.id);
        await this.seed(item).catch((err) =>
          this.log(`item ${item.id}: cannot seed: ${(err as Error).message}`),
        );
      }
      if (page.length < 100) break;
      beforeId = page[page.length - 1]!.id;
    }
    for (const id of [...this.sessions.keys()])
      if (!ready.has(id) || (this.options.owns && !this.options.owns(id))) await this.release(id);
  }

  /** Stops seeding an item and keeps tracking it (another node seeds it now). */
  private async release(itemId: number): Promise<void> {
    const session = this.sessions.get(itemId);
    if (!session) return;
    this.sessions.delete(itemId);
    this.byInfoHash.delete(session.infoHash.toString('hex'));
    this.damage.delete(itemId);
    await this.options.engine.remove(session);
  }

  /** Stops seeding an item and forgets its hashes (takedown, delete). */
  async drop(item: Item): Promise<void> {
    const session = this.sessions.get(item.id);
    this.sessions.delete(item.id);
    if (session) this.byInfoHash.delete(session.infoHash.toString('hex'));
    this.damage.delete(item.id);
    this.failures.delete(item.id);
    for (const h of [item.infoHash, item.infoHashV2]) if (h) this.hashes.delete(h.slice(0, 40));
    this.allowed.update(this.hashes);
    if (session) await this.options.engine.remove(session);
    await this.derived.drop(item.id);
  }
}
