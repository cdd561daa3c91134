/**
 * Archiving torrent-only items: the site's own peer downloads the content through the swarm (the
 * publisher's seeder, found through the site's own tracker), verifies every piece (BEP 3 v1
 * hashes), then stores each file as a blob (`files/<item id>/<n>`), records the blob keys and
 * SHA-256s, adds the site's BEP 19 web seed to the stored torrent (outside `info`), and hands the
 * item to `Seeding`, which seeds it from the blob store from then on.
 *
 * The download goes into `<root>/<item id>/` (a folder inside the data folder) through the engine's
 * `FileStore`, which refuses any torrent path that would lead outside it. The session announces to
 * the site's tracker only: the publisher's own trackers and web seeds are not contacted, so a
 * torrent cannot make the site fetch URLs of the publisher's choosing. Restart-safe: `resume()`
 * restarts every torrent-only item not yet archived, and the engine's recheck keeps the pieces
 * already in the folder.
 */

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item, ItemRepository } from '../catalog/index.js';
import { type Engine, FileStore, type TorrentSession } from '../engine/index.js';
import { type BlobStore, blobKey, readAll } from '../storage/index.js';
import { type Metainfo, parseTorrent } from '../torrent/index.js';
import type { SiteLinks } from './links.js';
import { contentTypeOf } from './media.js';
import type { Seeding } from './seeding.js';
import { withSiteFirst } from './torrent-part.js';

export interface ArchiverOptions {
  items: ItemRepository;
  blobs: BlobStore;
  engine: Engine;
  seeding: Seeding;
  links: SiteLinks;
  /** Folder for downloads in progress (inside the data folder). */
  root: string;
  /** Wait before trying again after a failure (default 60 s). */
  retryMs?: number;
  log?: (message: string) => void;
  /** Called once an item is archived and seeded (e.g. to read its media facts). */
  onArchived?: (item: Item) => void;
}

/** How far an item's archiving has come. */
export interface ArchiveProgress {
  pieces: number;
  have: number;
  /** Bytes downloaded from peers since this run started (not counting what was resumed). */
  downloaded: number;
  peers: number;
}

interface Job {
  session?: TorrentSession;
  abort: AbortController;
}

/** True when every file of the item has a blob. */
export function isArchived(item: Item): boolean {
  return item.files.every((f) => f.blobKey !== null);
}

export class Archiver {
  private readonly jobs = new Map<number, Job>();
  private closed = false;

  constructor(private readonly options: ArchiverOptions) {}

  /** Starts archiving an item (no-op when it is archived or already under way). */
  start(item: Item, meta: Metainfo): void {
    if (this.closed || this.jobs.has(item.id) || isArchived(item)) return;
    const job: Job = { abort: new AbortController() };
    this.jobs.set(item.id, job);
    this.run(item, meta, job).then(
      () => this.jobs.delete(item.id),
      (err: Error) => {
        this.jobs.delete(item.id);
        if (this.closed || job.abort.signal.aborted) return;
        this.options.log?.(`item ${item.id}: archiving failed, trying again later: ${err.message}`);
        const retry = setTimeout(() => this.restart(item.id), this.options.retryMs ?? 60_000);
        retry.unref();
      },
    );
  }

  /** Restarts every torrent-only item not yet archived (after a restart); resolves to how many. */
  async resume(): Promise<number> {
    let started = 0;
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.options.items.newest({ limit: 100, ...(beforeId ? { beforeId } : {}) });
      for (const item of page) {
        if (!item.torrentOnly || isArchived(item) || !item.torrentKey) continue;
        if (await this.restart(item.id)) started++;
      }
      if (page.length < 100) return started;
      beforeId = page[page.length - 1]!.id;
    }
  }

  /** Progress while an item is being archived; undefined otherwise. */
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

  /** Stops every download (the folders stay, to be resumed). */
  async close(): Promise<void> {
    this.closed = true;
    const jobs = [...this.jobs.values()];
    for (const job of jobs) job.abort.abort();
    await Promise.all(jobs.map((j) => (j.session ? this.options.engine.remove(j.session) : undefined)));
  }

  private async restart(itemId: number): Promise<boolean> {
    if (this.closed) return false;
    try {
      const item = await this.options.items.get(itemId);
      if (item?.status !== 'ready' || !item.torrentKey || isArchived(item)) return false;
      const meta = parseTorrent(await readAll(await this.options.blobs.get(item.torrentKey)));
      this.start(item, meta);
      return true;
    } catch (err) {
      this.options.log?.(`item ${itemId}: cannot resume archiving: ${(err as Error).message}`);
      return false;
    }
  }

  private async run(item: Item, meta: Metainfo, job: Job): Promise<void> {
    const { engine, items, blobs, links, seeding } = this.options;
    const folder = join(this.options.root, String(item.id));
    // Only the site's tracker; no trackers or web seeds named by the publisher.
    const download: Metainfo = { ...meta, announce: [], urlList: [] };
    const session = await engine.add({ meta: download }, { path: folder, trackers: [[links.announce()]] });
    job.session = session;
    if (job.abort.signal.aborted) {
      await engine.remove(session);
      return;
    }
    if (!session.complete) await once(session, 'complete', { signal: job.abort.signal });
    await engine.remove(session);
    job.session = undefined;

    // Every piece verified: store each file as a blob, then record where it lives.
    const local = new FileStore(meta, folder, { readOnly: true });
    const real = meta.files.map((f, index) => ({ f, index })).filter(({ f }) => !f.padding);
    const stored: { key: string; sha256: string }[] = [];
    for (const [n, { f, index }] of real.entries()) {
      if (job.abort.signal.aborted) return;
      const key = blobKey('files', item.id, n);
      const path = local.filePath(index);
      const sha256 = f.length === 0 ? createHash('sha256').digest('hex') : await sha256Of(path);
      const body = f.length === 0 ? new Uint8Array(0) : createReadStream(path);
      await blobs.put(key, body, { size: f.length, sha256, contentType: contentTypeOf(f.path.join('/')) });
      stored.push({ key, sha256 });
    }
    const current = await items.get(item.id);
    if (current?.status !== 'ready' || !current.torrentKey) {
      await Promise.allSettled(stored.map((s) => blobs.delete(s.key)));
      return;
    }
    const torrent = await readAll(await blobs.get(current.torrentKey));
    const served = withSiteFirst(torrent, { announce: links.announce(), webSeed: links.webSeed(item.id) });
    await blobs.put(current.torrentKey, served, { contentType: 'application/x-bittorrent' });
    for (const [n, s] of stored.entries()) await items.setFileBlob(item.id, n, s.key, s.sha256);
    const archived = (await items.get(item.id))!;
    await seeding.seed(archived, parseTorrent(served));
    await rm(folder, { recursive: true, force: true });
    this.options.log?.(`item ${item.id}: archived ${archived.totalLength} bytes`);
    this.options.onArchived?.(archived);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
