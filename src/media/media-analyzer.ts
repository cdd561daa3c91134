/**
 * Media analysis after publishing: a small queue (bounded, one or two at a time) that reads an item's
 * main media file with ffprobe (`probe.ts`, `media-facts.ts`), makes its thumbnail with ffmpeg
 * (`thumbnail.ts`, stored at `items/<id>/thumbnail`) and records the facts on the item (media type,
 * content type, duration, width, height, thumbnail key, and when it was checked). The file is read in
 * place when the blob store is the local disk, otherwise copied to a temporary file under the data
 * folder and removed afterwards. Torrent-only items wait until every file is archived (the archiver
 * queues them then). `catchUp` queues every ready item never analysed (older items, and those a
 * restart cut short). Failures are logged and never reach publishing; an unreadable or hostile
 * file keeps the type its extension gave and is not tried again; a missing ffprobe is reported once
 * and leaves items unchecked, so they are analysed once it is installed.
 */

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Item, ItemFile, ItemRepository } from '../catalog/index.js';
import { type BlobStore, blobKey, LocalDiskStore } from '../storage/index.js';
import { contentTypeOf } from './content-types.js';
import { fallbackFacts, type MediaFacts, mediaFacts } from './media-facts.js';
import { probeFile } from './probe.js';
import { makeThumbnail, THUMBNAIL_TYPE, type ThumbnailOptions } from './thumbnail.js';

export interface MediaAnalyzerOptions extends ThumbnailOptions {
  items: ItemRepository;
  blobs: BlobStore;
  /** Folder for temporary copies of blobs from a remote store (inside the data folder). */
  tmpRoot: string;
  /** Items analysed at the same time (default 1, at most 4). */
  concurrency?: number;
  /** Items waiting at most; more are left to the next `catchUp` (default 1000). */
  maxQueue?: number;
  /** Largest file copied from a remote store to be analysed (default 8 GiB). */
  maxCopyBytes?: number;
  log?: (message: string) => void;
  now?: () => number;
}

export type AnalysisOutcome =
  | 'analysed'
  | 'unrecognised'
  | 'no-media'
  | 'skipped'
  | 'tool-missing'
  | 'aborted'
  | 'failed';

/** The files ffprobe is worth running on: those whose extension names a video, audio or image type. */
const MEDIA_KINDS = ['video', 'audio', 'image'];

/** The file that stands for the item: the largest of the item's kind, else the largest media file. */
export function mainMediaFile(item: Item): ItemFile | undefined {
  const kind = (f: ItemFile) => contentTypeOf(f.path).split('/')[0]!;
  const candidates = item.files
    .filter((f) => f.blobKey !== null && f.length > 0 && MEDIA_KINDS.includes(kind(f)))
    .sort((a, b) => b.length - a.length);
  return candidates.find((f) => kind(f) === item.mediaType) ?? candidates[0];
}

export class MediaAnalyzer {
  private readonly queue: number[] = [];
  private readonly pending = new Set<number>();
  private running = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly waiters: (() => void)[] = [];
  private readonly active = new Set<Promise<unknown>>();
  private warnedMissing = false;
  private log: (message: string) => void;

  constructor(private readonly options: MediaAnalyzerOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** Where failures are reported (e.g. the server's logger, known after the app is built). */
  setLog(log: (message: string) => void): void {
    this.log = log;
  }

  /** Queues an item; false when closed, already queued, or the queue is full. */
  add(id: number): boolean {
    if (this.closed || this.pending.has(id) || this.queue.length >= (this.options.maxQueue ?? 1000))
      return false;
    this.pending.add(id);
    this.queue.push(id);
    this.pump();
    return true;
  }

  /**
   * Queues every ready item whose facts were never read, a page at a time (each page waits for the
   * queue to drain). Resolves with how many were queued; never rejects.
   */
  catchUp(): Promise<number> {
    const run = (async () => {
      let afterId = 0;
      let queued = 0;
      try {
        while (!this.closed) {
          const ids = await this.options.items.withoutMediaFacts({ afterId, limit: 100 });
          if (ids.length === 0) break;
          for (const id of ids) if (this.add(id)) queued++;
          afterId = ids[ids.length - 1]!;
          await this.idle();
          if (this.warnedMissing) break;
        }
      } catch (err) {
        if (!this.closed) this.log(`media catch-up stopped: ${(err as Error).message}`);
      }
      return queued;
    })();
    return this.track(run);
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops: drops the queue, kills running tools, waits for them to end. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.pending.clear();
    this.abort.abort();
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
    this.settle();
  }

  /** Reads one item's media facts and thumbnail and records them. Never rejects. */
  async analyze(id: number): Promise<AnalysisOutcome> {
    try {
      return await this.analyzeUnchecked(id);
    } catch (err) {
      if (this.closed) return 'aborted';
      this.log(`media analysis of item ${id} failed: ${(err as Error).message}`);
      return 'failed';
    }
  }

  private pump(): void {
    const limit = Math.min(Math.max(1, Math.floor(this.options.concurrency ?? 1)), 4);
    while (!this.closed && this.running < limit && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.running++;
      void this.track(this.analyze(id)).finally(() => {
        this.running--;
        this.pending.delete(id);
        this.pump();
        this.settle();
      });
    }
  }

  private settle(): void {
    if (this.running > 0 || (this.queue.length > 0 && !this.closed)) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.active.add(promise);
    return promise.finally(() => this.active.delete(promise));
  }

  private async analyzeUnchecked(id: number): Promise<AnalysisOutcome> {
    const { items, blobs } = this.options;
    const now = this.options.now ?? Date.now;
    const item = await items.get(id);
    if (item?.status !== 'ready') return 'skipped';
    // A torrent-only item not yet archived: analysed once the archiver has stored its files.
    if (item.files.some((f) => f.blobKey === null)) return 'skipped';
    const file = mainMediaFile(item);
    if (!file) {
      await items.update(id, { mediaCheckedAt: now() });
      return 'no-media';
    }
    const input = await this.localInput(file);
    if (!input) {
      await items.update(id, { mediaCheckedAt: now() });
      return 'skipped';
    }
    let thumbnailKey: string | undefined;
    try {
      const tools = { ...this.options, signal: this.abort.signal };
      const probe = await probeFile(input.path, tools);
      if (!probe.ok && probe.failure === 'missing') {
        if (!this.warnedMissing) this.log('ffprobe is not installed: media facts and thumbnails are off');
        this.warnedMissing = true;
        return 'tool-missing';
      }
      if (this.closed) return 'aborted';
      if (!probe.ok)
        this.log(`ffprobe cannot read item ${id} (${probe.failure}): ${probe.detail.slice(0, 200)}`);
      const facts: MediaFacts = probe.ok ? mediaFacts(probe.json, file.path) : fallbackFacts(file.path);
      const jpeg = await makeThumbnail(input.path, facts, tools);
      if (this.closed) return 'aborted';
      if (jpeg) {
        thumbnailKey = blobKey('items', id, 'thumbnail');
        await blobs.put(thumbnailKey, jpeg, { size: jpeg.length, contentType: THUMBNAIL_TYPE });
      }
      const updated = await items.update(id, {
        ...(facts.probed ? { mediaType: facts.mediaType } : {}),
        ...(facts.probed && facts.mimeType && item.files.length === 1 ? { mimeType: facts.mimeType } : {}),
        durationMs: facts.durationMs,
        width: facts.width,
        height: facts.height,
        ...(thumbnailKey ? { thumbnailKey } : {}),
        mediaCheckedAt: now(),
      });
      if (!updated && thumbnailKey) await blobs.delete(thumbnailKey); // the item went meanwhile
      return facts.probed ? 'analysed' : 'unrecognised';
    } finally {
      await input.cleanup();
    }
  }

  /** A local path to the file's bytes: the blob itself on local disk, else a temporary copy. */
  private async localInput(file: ItemFile): Promise<{ path: string; cleanup(): Promise<void> } | undefined> {
    const { blobs } = this.options;
    const key = file.blobKey!;
    if (blobs instanceof LocalDiskStore) {
      return { path: await blobs.localPath(key), cleanup: async () => undefined };
    }
    if (file.length > (this.options.maxCopyBytes ?? 8 * 1024 ** 3)) return undefined;
    await mkdir(this.options.tmpRoot, { recursive: true });
    const path = join(this.options.tmpRoot, randomUUID());
    const cleanup = () => rm(path, { force: true });
    try {
      await pipeline(await blobs.get(key), createWriteStream(path, { flags: 'wx' }), {
        signal: this.abort.signal,
      });
    } catch (err) {
      await cleanup();
      throw err;
    }
    return { path, cleanup };
  }
}
