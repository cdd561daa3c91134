/**
 * Archiving torrent-only items: the site's own peer downloads the content through the swarm (the
 * publisher's seeder, found through the site's own tracker), verifies every piece (BEP 3 v1
 * hashes), then stores each file as a blob (`files/<item id>/<n>`), records the blob keys and
 * SHA-256s, adds the site's BEP 19 web seed to the stored torrent (outside `info`), and hands the
 * item to `Seeding`, which seeds it from the blob store from then on.
 *
 * The download goes into `<root>/<item id>/` (a folder inside the data folder) through the engine's
 * `FileStore`, which refuses any torrent path that would lead outside it. The session announces to
 * the site's tracker and to the torrent's own trackers (issue 16: a torrent may name only another
 * tracker), which the engine contacts only where the outbound policy allows; the engine's DHT, when
 * it has one, looks the torrent up too. The publisher's web seeds are not used.
 *
 * Bounds (issue 15): at most `concurrency` items download at once, the others wait in a queue (no
 * session, no timers); an item's state (`queued`, `downloading`, `failed`, `gave-up`, `done`) and the
 * last error are kept on the item. A storage error (full disk, I/O error, blob store) fails that item
 * only (see `archive-store.ts`); it is tried again after a growing wait, `maxRetries` times. With no
 * verified piece for `stallMs` it gives up (keeping the pieces it has) until its owner or an admin
 * asks again (`retry`). Before a download starts the free-space guard must agree. `stop` (takedown,
 * delete) ends the session at once and removes the partial data. `resume()` after a restart queues
 * every item still to archive, except those that gave up or failed for good. What the API and the
 * item page say about it comes from `status` (`archive-status.ts`).
 */

import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item, ItemRepository, SiteLinks } from '../catalog/index.js';
import type { ArchiveState } from '../db/index.js';
import type { Seeding } from '../distribution/index.js';
import { type Engine, FileStore, type TorrentSession } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { type BlobStore, readAll } from '../storage/index.js';
import { type Metainfo, parseTorrent, withSiteFirst } from '../torrent/index.js';
import { ARCHIVED, type ArchiveProgress, type ArchiveStatus, archiveStatus } from './archive-status.js';
import { FailFastStore, storeFiles } from './archive-store.js';
import type { StorageGuard } from './quota.js';

export interface ArchiverOptions {
  items: ItemRepository;
  blobs: BlobStore;
  engine: Engine;
  seeding: Seeding;
  links: SiteLinks;
  /** Folder for downloads in progress (inside the data folder). */
  root: string;
  /** First wait before trying again after a failure, doubled each time (default 60 s, at most 6 h). */
  retryMs?: number;
  /** Attempts after failures before the item stays failed (default 5). */
  maxRetries?: number;
  /** Items downloading at once (default 4). */
  concurrency?: number;
  /** Give up after this long without a verified piece (default 24 h). */
  stallMs?: number;
  /** The free-space guard, asked before each download starts. */
  guard?: StorageGuard;
  /** True when the blob store is on the data folder's disk (an archive then writes its size twice). */
  blobsOnDataDisk?: boolean;
  log?: (message: string) => void;
  /** Called once an item is archived and seeded (e.g. to read its media facts). */
  onArchived?: (item: Item) => void;
}

export type { ArchiveProgress, ArchiveStatus } from './archive-status.js';

/** Most of the torrent's own tracker URLs a download announces to (besides the site's). */
const MAX_OWN_TRACKERS = 12;

interface Job {
  session?: TorrentSession;
  abort: AbortController;
  length: number;
  lastProgress: number;
  /** Why the job was cut short: a storage failure, no progress, or a stop (takedown, delete, close). */
  failure?: Error;
  stalled?: boolean;
  stopped?: boolean;
  done?: Promise<void>;
}

/** True when every file of the item has a blob. */
export function isArchived(item: Item): boolean {
  return item.files.every((f) => f.blobKey !== null);
}

export class Archiver {
  private readonly jobs = new Map<number, Job>();
  private readonly queue: number[] = [];
  private readonly retries = new Map<number, { timer: NodeJS.Timeout; at: number }>();
  private closed = false;

  constructor(private readonly options: ArchiverOptions) {
    options.guard?.addPromised(() => this.promisedBytes());
  }

  /** Where archiving failures and give-ups are reported (the site's log, once it has one). */
  setLog(log: (message: string) => void): void {
    this.options.log = log;
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 4);
  }

  /** Queues an item for archiving (no-op when archived, queued or under way); `_meta` is re-read. */
  start(item: Item, _meta?: Metainfo): void {
    if (this.closed || !item.torrentOnly || isArchived(item)) return;
    if (this.jobs.has(item.id) || this.queue.includes(item.id)) return;
    this.clearRetry(item.id);
    this.queue.push(item.id);
    if (item.archiveState !== 'queued') void this.record(item.id, 'queued');
    this.pump();
  }

  /** Queues every torrent-only item not yet archived (after a restart); resolves to how many. */
  async resume(): Promise<number> {
    let queued = 0;
    let afterId = 0;
    for (;;) {
      const ids = await this.options.items.unarchived({ afterId, limit: 200 });
      for (const item of await this.options.items.many(ids)) {
        if (item.archiveState === 'gave-up') continue;
        if (item.archiveState === 'failed' && (item.archiveAttempts ?? 0) > this.maxRetries) continue;
        this.start(item);
        queued++;
      }
      if (ids.length < 200) return queued;
      afterId = ids[ids.length - 1]!;
    }
  }

  /** "Try again" (owner or admin): forgets past failures and queues the item. */
  async retry(item: Item): Promise<void> {
    if (!item.torrentOnly || isArchived(item) || this.jobs.has(item.id)) return;
    await this.options.items.setArchive(item.id, 'queued', { error: null, attempts: 0 });
    this.start({ ...item, archiveState: 'queued' });
  }

  /**
   * Stops archiving an item at once (takedown, delete): ends its session, drops it from the queue
   * and the retries, and removes its partial data.
   */
  async stop(itemId: number): Promise<void> {
    this.clearRetry(itemId);
    const at = this.queue.indexOf(itemId);
    if (at >= 0) this.queue.splice(at, 1);
    const job = this.jobs.get(itemId);
    if (job) {
      job.stopped = true;
      job.abort.abort();
      if (job.session) await this.options.engine.remove(job.session);
      await job.done;
    }
    await rm(this.folder(itemId), { recursive: true, force: true });
  }

  /** Progress while an item is downloading; undefined otherwise. */
  progress(itemId: number): ArchiveProgress | undefined {
    const job = this.jobs.get(itemId);
    if (!job) return undefined;
    const s = job.session?.stats();
    return {
      pieces: s?.pieceCount ?? 0,
      have: s?.have ?? 0,
      downloaded: s?.downloaded ?? 0,
      peers: s?.peers ?? 0,
    };
  }

  /** The item's archiving, for the API and the item page (undefined for items the site holds or never archives). */
  status(item: Item): ArchiveStatus | undefined {
    if (!item.torrentOnly) return undefined;
    if (isArchived(item)) return { ...ARCHIVED };
    return archiveStatus(item, {
      progress: this.progress(item.id),
      queued: this.queue.includes(item.id),
      retryAt: this.retries.get(item.id)?.at,
    });
  }

  /** Stops every download (the folders stay, to be resumed). */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.retries.keys()]) this.clearRetry(id);
    this.queue.length = 0;
    const jobs = [...this.jobs.values()];
    for (const job of jobs) {
      job.stopped = true;
      job.abort.abort();
    }
    await Promise.all(jobs.map((j) => (j.session ? this.options.engine.remove(j.session) : undefined)));
    await Promise.all(jobs.map((j) => j.done));
  }

  private get maxRetries(): number {
    return this.options.maxRetries ?? 5;
  }

  private folder(itemId: number): string {
    return join(this.options.root, String(itemId));
  }

  /** Bytes the downloads under way may still write (for the free-space guard). */
  private promisedBytes(): number {
    let sum = 0;
    for (const job of this.jobs.values()) sum += job.session?.stats().left ?? job.length;
    return sum;
  }

  private clearRetry(itemId: number): void {
    const retry = this.retries.get(itemId);
    if (retry) clearTimeout(retry.timer);
    this.retries.delete(itemId);
  }

  /** Starts queued items while there is room. */
  private pump(): void {
    while (!this.closed && this.jobs.size < this.concurrency && this.queue.length > 0) {
      const itemId = this.queue.shift()!;
      const job: Job = { abort: new AbortController(), length: 0, lastProgress: Date.now() };
      this.jobs.set(itemId, job);
      job.done = this.run(itemId, job)
        .catch((err: Error) => this.failed(itemId, job, err))
        .catch((err: Error) => this.options.log?.(`item ${itemId}: archiving: ${err.message}`))
        .finally(() => {
          this.jobs.delete(itemId);
          this.pump();
        });
    }
  }

  private async record(
    itemId: number,
    state: ArchiveState,
    extra: { error?: string | null; attempts?: number } = {},
  ) {
    await this.options.items
      .setArchive(itemId, state, extra)
      .catch((err: Error) => this.options.log?.(`item ${itemId}: cannot record archiving: ${err.message}`));
  }

  /** After a failed attempt: gave up (no progress), tried again later, or failed for good. */
  private async failed(itemId: number, job: Job, err: Error): Promise<void> {
    if (job.stopped || this.closed) return;
    const item = await this.options.items.get(itemId);
    if (item?.status !== 'ready') return;
    if (job.stalled) {
      this.options.log?.(`item ${itemId}: archiving gave up: ${err.message}`);
      await this.record(itemId, 'gave-up', { error: err.message });
      return;
    }
    const attempts = (item.archiveAttempts ?? 0) + 1;
    await this.record(itemId, 'failed', { error: err.message, attempts });
    if (attempts > this.maxRetries) {
      this.options.log?.(
        `item ${itemId}: archiving failed ${attempts} times, not trying again: ${err.message}`,
      );
      return;
    }
    const wait = Math.min((this.options.retryMs ?? 60_000) * 2 ** (attempts - 1), 6 * 3_600_000);
    this.options.log?.(
      `item ${itemId}: archiving failed, trying again in ${Math.round(wait / 1000)} s: ${err.message}`,
    );
    const timer = setTimeout(() => {
      this.retries.delete(itemId);
      void this.options.items.get(itemId).then(
        (current) => current?.status === 'ready' && this.start(current),
        () => undefined,
      );
    }, wait);
    timer.unref();
    this.retries.set(itemId, { timer, at: Date.now() + wait });
  }

  private async run(itemId: number, job: Job): Promise<void> {
    const { engine, items, blobs, links, seeding } = this.options;
    const item = await items.get(itemId);
    if (item?.status !== 'ready' || !item.torrentKey || isArchived(item)) return;
    const meta = parseTorrent(await readAll(await blobs.get(item.torrentKey)));
    job.length = item.totalLength;
    await this.options.guard?.checkDisk(
      item.totalLength * (this.options.blobsOnDataDisk ? 2 : 1),
      `archiving item ${itemId}`,
    );
    if (job.abort.signal.aborted) return;
    await this.record(itemId, 'downloading');
    const folder = this.folder(itemId);
    const cutShort = (err: Error) => {
      job.failure ??= err;
      job.abort.abort();
    };
    // The site's tracker and the torrent's own (the engine checks those against the outbound
    // policy); no web seeds named by the publisher.
    const download: Metainfo = {
      ...meta,
      announce: ownTrackers(meta.announce, links.trackers()),
      urlList: [],
    };
    const stallMs = this.options.stallMs ?? 24 * 3_600_000;
    const watch = setInterval(
      () => {
        if (Date.now() - job.lastProgress <= stallMs) return;
        job.stalled = true;
        cutShort(
          new SeedcastError('ARCHIVE_STALLED', `no verified piece for ${Math.round(stallMs / 1000)} s`),
        );
      },
      Math.min(60_000, Math.max(100, stallMs / 4)),
    );
    watch.unref();
    try {
      const session = await engine.add(
        { meta: download },
        {
          path: folder,
          trackers: [[links.announce()]],
          storeFor: (m) => new FailFastStore(new FileStore(m, folder), cutShort),
          // The site's own copy: finishing it is no download (the item page's "Completed" stays 0).
          ownCopy: true,
        },
      );
      job.session = session;
      job.lastProgress = Date.now();
      session.on('piece', () => {
        job.lastProgress = Date.now();
      });
      if (!session.complete && !job.abort.signal.aborted)
        await once(session, 'complete', { signal: job.abort.signal }).catch((err: Error) => {
          if (!job.abort.signal.aborted) throw err;
        });
      await engine.remove(session);
      job.session = undefined;
    } finally {
      clearInterval(watch);
      if (job.session) await engine.remove(job.session);
      job.session = undefined;
    }
    if (job.failure) throw job.failure;
    if (job.abort.signal.aborted) return;

    // Every piece verified: store each file as a blob, then record where it lives.
    const stored = await storeFiles(blobs, itemId, meta, folder, job.abort.signal);
    if (!stored) return;
    const current = await items.get(itemId);
    if (current?.status !== 'ready' || !current.torrentKey || job.abort.signal.aborted) {
      await Promise.allSettled(stored.map((s) => blobs.delete(s.key)));
      return;
    }
    const torrent = await readAll(await blobs.get(current.torrentKey));
    const served = withSiteFirst(torrent, { announce: links.trackers(), webSeed: links.webSeed(itemId) });
    await blobs.put(current.torrentKey, served, { contentType: 'application/x-bittorrent' });
    for (const [n, s] of stored.entries()) await items.setFileBlob(itemId, n, s.key, s.sha256);
    await items.setArchive(itemId, 'done', { error: null, attempts: 0 });
    const archived = (await items.get(itemId))!;
    await seeding.seed(archived, parseTorrent(served));
    await rm(folder, { recursive: true, force: true });
    this.options.log?.(`item ${itemId}: archived ${archived.totalLength} bytes`);
    this.options.onArchived?.(archived);
  }
}

/** The torrent's own tiers without the site's tracker, at most `MAX_OWN_TRACKERS` URLs in all. */
export function ownTrackers(
  tiers: readonly (readonly string[])[],
  site: string | readonly string[],
): string[][] {
  const mine = new Set(typeof site === 'string' ? [site] : site);
  const out: string[][] = [];
  let left = MAX_OWN_TRACKERS;
  for (const tier of tiers) {
    const urls = tier.filter((u) => !mine.has(u)).slice(0, left);
    left -= urls.length;
    if (urls.length > 0) out.push(urls);
    if (left <= 0) break;
  }
  return out;
}
