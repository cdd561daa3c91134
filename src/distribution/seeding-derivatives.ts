/**
 * Seeding items' derivatives torrents (issue 18), beside the originals (`seeding.ts`): each is
 * tracked (its v1 hash and the first 20 bytes of its v2 hash join the tracker's allow-list) and
 * seeded by the site's peer from the blob store (announced in the DHT like every session).
 *
 * The torrent is made by whichever process ran `media.derive`: the site's own workers tell it at
 * once (`seed(itemId)`); a `seedcast worker` elsewhere only writes the database. So the site also
 * `refresh`es from the database: at start, every `intervalMs` (`watch`, 15 s by default), and on
 * demand when someone asks for a derivatives torrent the site does not seed yet (the `.torrent`
 * route calls `ensure`) or announces one to the tracker (`unknown`, from the allow check). The
 * tracker's grace window covers the moment in between.
 *
 * Like the originals, a derivatives torrent starts on trust (made by the worker from the files it
 * had just written: nothing is read at start) unless the site rechecks (`sessionOptions`), and its
 * swarm is registered in the site's own tracker in process (`register`). With several site nodes
 * (`owns`, issue 22) only the item's owner seeds it; the other nodes track it (allow-list) only.
 */

import type { DerivativeRepository, DerivativesTorrent } from '../catalog/index.js';
import type { AddOptions, Engine, TorrentSession } from '../engine/index.js';
import { BlobPieceStore, type BlobStore, readAll } from '../storage/index.js';
import { parseTorrent } from '../torrent/index.js';

export interface DerivedSeedingOptions {
  blobs: BlobStore;
  engine: Engine;
  derivatives?: DerivativeRepository;
  track(...hashes: (string | null)[]): void;
  untrack(...hashes: (string | null)[]): void;
  log(message: string): void;
  /** Whether this node seeds the item's derivatives (with several nodes: its owner). Default: yes. */
  owns?: (itemId: number) => boolean;
  /** Options every session is added with (trust, the own tracker's URLs, spread announces). */
  sessionOptions?: () => Partial<AddOptions>;
  /** The swarm joins (`on`) or leaves the site's own tracker, registered in process. */
  register?: (on: boolean, session: TorrentSession, ...hashes: (string | null)[]) => void;
}

interface Seeded {
  session: TorrentSession;
  torrent: DerivativesTorrent;
}

export class DerivedSeeding {
  private readonly seeded = new Map<number, Seeded>();
  private readonly byInfoHash = new Map<string, number>();
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When each unknown hash was last looked up (`unknown`). */
  private readonly asked = new Map<string, number>();

  constructor(private readonly options: DerivedSeedingOptions) {}

  /** Loads every derivatives torrent from the database and seeds the new ones (one run at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Refreshes every `intervalMs`; returns the function that stops it. */
  watch(intervalMs = 15_000): () => void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), intervalMs);
    this.timer.unref();
    return () => clearInterval(this.timer);
  }

  /** Seeds the item's derivatives torrent now, when the database has one the site does not seed. */
  async seed(itemId: number): Promise<void> {
    const torrent = await this.options.derivatives?.torrent(itemId);
    if (torrent) await this.start(torrent);
  }

  /** True while the site seeds the item's derivatives torrent. */
  isSeeding(itemId: number): boolean {
    return this.seeded.has(itemId);
  }

  /** Makes sure the item's derivatives torrent is seeded (when it exists); never rejects. */
  async ensure(itemId: number): Promise<void> {
    if (this.seeded.has(itemId)) return;
    await this.seed(itemId).catch((err: Error) =>
      this.options.log(`item ${itemId}: cannot seed its derivatives: ${err.message}`),
    );
  }

  /**
   * An announce for a hash the allow-list does not hold: when the database knows it as an item's
   * derivatives torrent, it is seeded (and allowed). Each hash is asked about once a minute at most.
   */
  unknown(infoHash: Buffer): void {
    const repo = this.options.derivatives;
    if (!repo || infoHash.byteLength !== 20) return;
    const hex = infoHash.toString('hex');
    const now = Date.now();
    if ((this.asked.get(hex) ?? 0) > now - 60_000) return;
    if (this.asked.size >= 10_000) this.asked.clear();
    this.asked.set(hex, now);
    void repo
      .itemOfInfoHash(hex)
      .then((itemId) => (itemId === undefined ? undefined : this.ensure(itemId)))
      .catch(() => undefined);
  }

  seedsInfoHash(infoHash: Buffer): boolean {
    const id = this.byInfoHash.get(infoHash.toString('hex'));
    const session = id === undefined ? undefined : this.seeded.get(id)?.session;
    return session?.running === true && !session.failure;
  }

  trafficOf(itemId: number): { tcp: number; webrtc: number } {
    const by = this.seeded.get(itemId)?.session.counters.uploadedBy;
    return { tcp: by?.tcp ?? 0, webrtc: by?.webrtc ?? 0 };
  }

  /** Stops seeding and tracking the item's derivatives torrent. */
  async drop(itemId: number): Promise<void> {
    const seeded = this.seeded.get(itemId);
    if (!seeded) return;
    this.seeded.delete(itemId);
    this.byInfoHash.delete(seeded.session.infoHash.toString('hex'));
    this.options.untrack(seeded.torrent.infoHash, seeded.torrent.infoHashV2);
    this.options.register?.(false, seeded.session, seeded.torrent.infoHash, seeded.torrent.infoHashV2);
    await this.options.engine.remove(seeded.session);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async refreshOnce(): Promise<void> {
    const repo = this.options.derivatives;
    if (!repo) return;
    const torrents = await repo.torrents();
    const wanted = new Set(torrents.map((t) => t.itemId));
    for (const id of [...this.seeded.keys()]) if (!wanted.has(id)) await this.drop(id);
    for (const torrent of torrents) {
      try {
        await this.start(torrent);
      } catch (err) {
        this.options.log(`item ${torrent.itemId}: cannot seed its derivatives: ${(err as Error).message}`);
      }
    }
  }

  private async start(torrent: DerivativesTorrent): Promise<void> {
    const known = this.seeded.get(torrent.itemId);
    if (this.options.owns && !this.options.owns(torrent.itemId)) {
      if (known) await this.drop(torrent.itemId); // another node owns it now
      this.options.track(torrent.infoHash, torrent.infoHashV2);
      return;
    }
    if (
      known &&
      known.torrent.infoHash === torrent.infoHash &&
      known.torrent.torrentKey === torrent.torrentKey
    )
      return;
    if (known) await this.drop(torrent.itemId); // remade (a retry after a change): the new one replaces it
    const meta = parseTorrent(await readAll(await this.options.blobs.get(torrent.torrentKey)));
    const rows = (await this.options.derivatives?.list(torrent.itemId)) ?? [];
    const byPath = new Map(rows.map((r) => [r.path, r.blobKey]));
    const keys = meta.files
      .filter((f) => !f.padding)
      .map((f) => {
        const key = byPath.get(f.path[f.path.length - 1] ?? '');
        if (!key) throw new Error(`no derivative for ${f.path.join('/')}`);
        return key;
      });
    this.options.track(torrent.infoHash, torrent.infoHashV2);
    if (this.seeded.has(torrent.itemId)) return; // started meanwhile
    const session = await this.options.engine.add(
      { meta },
      {
        path: '',
        storeFor: (m) => new BlobPieceStore(m, this.options.blobs, { keys }),
        ...this.options.sessionOptions?.(),
      },
    );
    if (this.seeded.has(torrent.itemId)) {
      await this.options.engine.remove(session);
      return;
    }
    this.seeded.set(torrent.itemId, { session, torrent });
    this.byInfoHash.set(session.infoHash.toString('hex'), torrent.itemId);
    this.options.register?.(true, session, torrent.infoHash, torrent.infoHashV2);
    session.once('failed', (reason) => {
      if (this.seeded.get(torrent.itemId)?.session === session) {
        this.seeded.delete(torrent.itemId);
        this.byInfoHash.delete(session.infoHash.toString('hex'));
      }
      this.options.log(`item ${torrent.itemId}: seeding its derivatives stopped: ${reason.message}`);
    });
  }
}
