/**
 * The archiving bookkeeping of items (for `publishing/archive.ts`, through `ItemRepository`): which
 * torrent-only items still have files the site does not hold, where archiving stands for each
 * (`archive_state`, `archive_error`, `archive_attempts`), and where an archived file's bytes now live.
 */

import type { ArchiveState, Database } from '../db/index.js';
import { blobKeyOrNull, count, sha256Hex } from './item-input.js';

/** Records where a file's bytes now live (e.g. after archiving a torrent-only item). */
export async function setFileBlob(
  db: Database,
  id: number,
  position: number,
  blobKey: string | null,
  sha256?: string,
): Promise<void> {
  await db
    .updateTable('item_files')
    .set({
      blob_key: blobKeyOrNull('blobKey', blobKey),
      ...(sha256 === undefined ? {} : { sha256: sha256Hex(sha256) }),
    })
    .where('item_id', '=', id)
    .where('position', '=', position)
    .execute();
}

/**
 * Records where archiving stands (the archiver's bookkeeping; `updated_at` is left alone so feeds
 * do not see a change). `error` null clears it; `attempts` absent keeps the count.
 */
export async function setArchive(
  db: Database,
  id: number,
  state: ArchiveState | null,
  options: { error?: string | null; attempts?: number } = {},
): Promise<void> {
  await db
    .updateTable('items')
    .set({
      archive_state: state,
      ...(options.error === undefined ? {} : { archive_error: options.error?.slice(0, 500) ?? null }),
      ...(options.attempts === undefined ? {} : { archive_attempts: count('attempts', options.attempts) }),
    })
    .where('id', '=', id)
    .execute();
}

/** Ids of ready torrent-only items with a file not yet stored, oldest first, after `afterId`. */
export async function unarchived(
  db: Database,
  options: { afterId?: number; limit?: number } = {},
): Promise<number[]> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 100)), 1000);
  const rows = await db
    .selectFrom('items')
    .select('id')
    .where('status', '=', 'ready')
    .where('torrent_only', '=', 1)
    .where('id', '>', options.afterId ?? 0)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('item_files')
          .select('item_files.item_id')
          .whereRef('item_files.item_id', '=', 'items.id')
          .where('item_files.blob_key', 'is', null),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
