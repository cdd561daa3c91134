/**
 * Finding published content by its bytes (issue 19): the id of the oldest ready or taken-down item
 * with a file of a given SHA-256, so an upload can be refused before it is sent
 * (`POST /api/v1/items/check`, tus `Upload-Metadata: sha256`). An index on `item_files.sha256`
 * (migration `0019_items`) keeps it a lookup. Pending items (being published) do not count.
 */

import type { Database } from '../db/index.js';

export async function itemIdWithContent(db: Database, sha256: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('item_files')
    .innerJoin('items', 'items.id', 'item_files.item_id')
    .select('items.id')
    .where('item_files.sha256', '=', sha256.toLowerCase())
    .where('items.status', '!=', 'pending')
    .orderBy('items.id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
