/**
 * Migration 0021's schema (see `migrations.ts`): the indexes that let search rank, count and
 * facet every match (issue 22) without reading rows it does not need. The search counts matches
 * newest first by id (exactly up to a bound, then estimates), so each filter has an index in id
 * order: a tag's items (`item_tags (tag_id, item_id)`, covering, instead of a row lookup per link)
 * and a media type's ready items (`items (status, media_type, id)`). The full-text indexes
 * themselves (SQLite FTS5, PostgreSQL's weighted `search_vector` with GIN) are unchanged: their
 * columns and weights already are the ranking's. Like every migration, never edit it once shipped.
 */

import type { Kysely } from 'kysely';
import type { DbKind } from './migrations.js';

export async function searchRank(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema.createIndex('item_tags_tag_item').on('item_tags').columns(['tag_id', 'item_id']).execute();
  // SQLite appends the rowid (= items.id) to every index entry; PostgreSQL needs it named.
  await db.schema
    .createIndex('items_type_id')
    .on('items')
    .columns(kind === 'sqlite' ? ['status', 'media_type'] : ['status', 'media_type', 'id'])
    .execute();
  if (kind === 'postgres') {
    await db.schema
      .createIndex('items_license_id')
      .on('items')
      .columns(['status', 'license', 'id'])
      .execute();
    await db.schema
      .createIndex('items_creator_id')
      .on('items')
      .columns(['status', 'creator', 'id'])
      .execute();
  }
}
