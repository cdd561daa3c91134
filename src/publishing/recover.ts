/**
 * Recovery after a crash: a publish cut short (the process killed between recording the item and
 * marking it ready) leaves a `pending` item and its blobs. At start the site removes pending items
 * older than an hour, with their blobs; younger ones may belong to another node's publish under way.
 * An upload cut short before its item was recorded leaves file blobs of its draft
 * (`files/<draft id>/<n>`, see `draft.ts`) that no item uses: `removeOrphanDraftBlobs` removes
 * those older than an hour.
 */

import type { ItemRepository } from '../catalog/index.js';
import type { BlobStore } from '../storage/index.js';

export interface RecoverOptions {
  /** Age in milliseconds after which a pending item is abandoned (default one hour). */
  olderThanMs?: number;
  now?: () => number;
}

/** Removes abandoned pending items and their blobs; resolves to how many items were removed. */
export async function removeAbandonedItems(
  items: ItemRepository,
  blobs: BlobStore,
  options: RecoverOptions = {},
): Promise<number> {
  const cutoff = (options.now ?? Date.now)() - (options.olderThanMs ?? 3_600_000);
  let removed = 0;
  let beforeId: number | undefined;
  for (;;) {
    const page = await items.newest({ status: 'pending', limit: 100, ...(beforeId ? { beforeId } : {}) });
    for (const item of page) {
      if (item.createdAt >= cutoff) continue;
      const keys = [...item.files.map((f) => f.blobKey), item.torrentKey, item.thumbnailKey];
      await Promise.all(keys.filter((k): k is string => k !== null).map((k) => blobs.delete(k)));
      if (await items.delete(item.id)) removed++;
    }
    if (page.length < 100) return removed;
    beforeId = page[page.length - 1]!.id;
  }
}

/** A draft's file blob (`files/<24 hex>/<n>`); archived files are keyed by item id and never match. */
const DRAFT_BLOB = /^files\/[0-9a-f]{24}\/\d+$/;

/** Removes draft file blobs no item uses, older than the cutoff; resolves to how many were removed. */
export async function removeOrphanDraftBlobs(
  items: ItemRepository,
  blobs: BlobStore,
  options: RecoverOptions = {},
): Promise<number> {
  const cutoff = (options.now ?? Date.now)() - (options.olderThanMs ?? 3_600_000);
  let removed = 0;
  let batch: string[] = [];
  const flush = async () => {
    const used = await items.usedBlobKeys(batch);
    for (const key of batch.filter((k) => !used.has(k))) {
      await blobs.delete(key);
      removed++;
    }
    batch = [];
  };
  for await (const blob of blobs.list('files/')) {
    if (!DRAFT_BLOB.test(blob.key) || blob.modified >= cutoff) continue;
    batch.push(blob.key);
    if (batch.length >= 200) await flush();
  }
  await flush();
  return removed;
}
