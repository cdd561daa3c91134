/**
 * Items' media processing as the site sees it (issue 18): `view(item)` gives the API's and pages'
 * `processing` (from the item's own columns, no question to the queue) and `derivatives` (absolute
 * URLs under `/items/:id/derivatives/`, the derivatives torrent's URL and magnet link, SHA-384
 * integrity); `enqueue` queues `media.analyze` after publishing (or archiving) and marks the item
 * queued; `forget` (delete, takedown) cancels the item's jobs and removes its derivatives' blobs and
 * rows; `catchUp` queues, at start, every ready item never processed. Without a job queue (a site
 * built without one) publishing falls back to the in-process media analyzer.
 */

import type { DerivativeRepository, Item, SiteLinks } from '../catalog/index.js';
import type { JobQueue } from '../jobs/index.js';
import type { BlobStore } from '../storage/index.js';
import type { DerivativeJson, DerivativeKind, ItemMediaView, Processing, ProcessingViews } from './view.js';

export interface MediaProcessingOptions {
  derivatives: DerivativeRepository;
  blobs: BlobStore;
  links: SiteLinks;
  /** The job queue; without it `enqueue` hands the item to `fallback`. */
  jobs?: JobQueue;
  /** The in-process analyzer, when there is no queue. */
  fallback?: { add(id: number): boolean };
  /** Told when an item's derivatives go (the seeding peer drops their torrent). */
  onForget?: (itemId: number) => void | Promise<void>;
  log?: (message: string) => void;
}

export class MediaProcessing implements ProcessingViews {
  private log: (message: string) => void;

  constructor(private readonly options: MediaProcessingOptions) {
    this.log = options.log ?? (() => {});
  }

  setLog(log: (message: string) => void): void {
    this.log = log;
  }

  async view(item: Item): Promise<ItemMediaView> {
    return (await this.viewMany([item])).get(item.id) ?? { processing: null, derivatives: [] };
  }

  async viewMany(items: readonly Item[]): Promise<Map<number, ItemMediaView>> {
    const { derivatives, links } = this.options;
    const ids = items.map((i) => i.id);
    const [records, rows] = await Promise.all([derivatives.processingMany(ids), derivatives.listMany(ids)]);
    const out = new Map<number, ItemMediaView>();
    for (const id of ids) {
      const record = records.get(id);
      const list = rows.get(id) ?? [];
      const torrent = record?.torrent;
      const total = list.reduce((sum, d) => sum + d.length, 0);
      const torrentLinks = torrent
        ? {
            torrentUrl: links.derivativesTorrent(id),
            magnet: links.derivativesMagnet(id, { ...torrent, length: total }),
          }
        : {};
      const processing: Processing | null = record?.state
        ? {
            state: record.state,
            ...(record.state === 'running' && record.progress !== null ? { progress: record.progress } : {}),
            ...(record.state === 'failed' && record.error ? { error: record.error } : {}),
          }
        : null;
      out.set(id, {
        processing,
        derivatives: list.map(
          (d): DerivativeJson => ({
            kind: d.kind as DerivativeKind,
            label: d.label,
            mime: d.mime,
            ...(d.width !== null ? { width: d.width } : {}),
            ...(d.height !== null ? { height: d.height } : {}),
            ...(d.bitrate !== null ? { bitrate: d.bitrate } : {}),
            length: d.length,
            url: links.derivative(id, d.path),
            ...torrentLinks,
            ...(d.integrity ? { integrity: d.integrity } : {}),
          }),
        ),
      });
    }
    return out;
  }

  /** Queues the item's media work; never rejects (a failure is logged, the catch-up tries again). */
  async enqueue(itemId: number): Promise<void> {
    const { jobs, derivatives } = this.options;
    try {
      if (!jobs) {
        this.options.fallback?.add(itemId);
        return;
      }
      await derivatives.setProcessing(itemId, 'queued');
      await jobs.enqueue({ kind: 'media.analyze', itemId, payload: {} });
    } catch (err) {
      this.log(`item ${itemId}: cannot queue its media work: ${(err as Error).message}`);
    }
  }

  /** Cancels the item's jobs and removes its derivatives (blobs, rows, torrent). */
  async forget(itemId: number): Promise<void> {
    const { jobs, derivatives, blobs } = this.options;
    await jobs
      ?.cancelItem(itemId)
      .catch((err: Error) => this.log(`item ${itemId}: cannot cancel its jobs: ${err.message}`));
    await this.options.onForget?.(itemId);
    const keys = new Set(await derivatives.clear(itemId).catch(() => [] as string[]));
    // Blobs a job stored but had not recorded yet are found by their prefix.
    try {
      for await (const blob of blobs.list(`items/${itemId}/derivatives`)) keys.add(blob.key);
    } catch {
      // a store that cannot list: the recorded keys are removed
    }
    for (const key of keys) {
      await blobs.delete(key).catch((err: Error) => this.log(`cannot delete blob ${key}: ${err.message}`));
    }
  }

  /**
   * Queues every ready item never processed (published before the queue existed, or while the
   * queue was unreachable), a page at a time. Resolves with how many; never rejects.
   */
  async catchUp(): Promise<number> {
    if (!this.options.jobs) return 0;
    let afterId = 0;
    let queued = 0;
    try {
      for (;;) {
        const ids = await this.options.derivatives.neverProcessed({ afterId, limit: 100 });
        if (ids.length === 0) break;
        for (const id of ids) {
          await this.enqueue(id);
          queued++;
        }
        afterId = ids[ids.length - 1]!;
      }
    } catch (err) {
      this.log(`media catch-up stopped: ${(err as Error).message}`);
    }
    return queued;
  }
}
