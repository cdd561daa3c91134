/**
 * Migration 0002's schema (see `migrations.ts`): full-text search over the items, for both dialects
 * (SQLite FTS5, PostgreSQL `tsvector` with GIN), the tag names it reads, and the columns, indexes and
 * triggers that came with it (threaded comments' parent, takedowns, the search's filters and sorts).
 * Like every migration, never edit it once shipped; later changes go in a new migration.
 */

import { type Kysely, sql } from 'kysely';
import type { DbKind } from './migrations.js';

/** Tag names of an item, space-separated, in name order (what the search index reads for tags). */
function tagNamesOf(kind: DbKind, itemId: string) {
  const agg = kind === 'sqlite' ? "group_concat(name, ' ')" : "string_agg(name, ' ' order by name)";
  const inner =
    kind === 'sqlite'
      ? `select name from tags join item_tags on item_tags.tag_id = tags.id where item_tags.item_id = ${itemId} order by name`
      : `select name from tags join item_tags on item_tags.tag_id = tags.id where item_tags.item_id = ${itemId}`;
  return `(select coalesce(${agg}, '') from (${inner}) as t)`;
}

/**
 * Full-text search, threaded comments and takedowns. `items.tag_names` mirrors the item's tags
 * (triggers on `item_tags`, both dialects) so the index can read them from the item row. SQLite:
 * an external-content FTS5 table over the ready items (title, creator, tag names, description) kept
 * in step by triggers. PostgreSQL: a stored generated `tsvector` (title A, creator and tags B,
 * description C) with a partial GIN index over ready items. Plus indexes for the search's filters and sorts.
 */
export async function search(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .alterTable('items')
    .addColumn('tag_names', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('items').addColumn('takedown_reason', 'text').execute();
  await db.schema.alterTable('items').addColumn('taken_down_at', 'bigint').execute();
  await db.schema
    .alterTable('comments')
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('comments_parent').on('comments').column('parent_id').execute();
  await db.schema.createIndex('reports_open').on('reports').columns(['resolved_at', 'created_at']).execute();

  await sql.raw(`update items set tag_names = ${tagNamesOf(kind, 'items.id')}`).execute(db);
  if (kind === 'sqlite') {
    // Only ready items are indexed: a row enters the index when it becomes ready and leaves it when
    // it stops being ready (an external-content 'delete' must only ever name an indexed row).
    const columns = 'title, creator, tag_names, description';
    const add = (row: string) =>
      `insert into items_fts(rowid, ${columns}) select ${row}.id, ${row}.title, ${row}.creator,
         ${row}.tag_names, ${row}.description where ${row}.status = 'ready';`;
    const remove = (row: string) =>
      `insert into items_fts(items_fts, rowid, ${columns}) select 'delete', ${row}.id, ${row}.title,
         ${row}.creator, ${row}.tag_names, ${row}.description where ${row}.status = 'ready';`;
    for (const statement of [
      `create virtual table items_fts using fts5(${columns},
         content='items', content_rowid='id', prefix='2 3',
         tokenize='unicode61 remove_diacritics 2')`,
      `create trigger items_fts_insert after insert on items begin ${add('new')} end`,
      `create trigger items_fts_delete after delete on items begin ${remove('old')} end`,
      `create trigger items_fts_update after update of ${columns}, status on items
         begin ${remove('old')} ${add('new')} end`,
      `create trigger item_tags_names_insert after insert on item_tags begin
         update items set tag_names = ${tagNamesOf(kind, 'new.item_id')} where id = new.item_id; end`,
      `create trigger item_tags_names_delete after delete on item_tags begin
         update items set tag_names = ${tagNamesOf(kind, 'old.item_id')} where id = old.item_id; end`,
      `insert into items_fts(rowid, ${columns}) select id, ${columns} from items where status = 'ready'`,
    ]) {
      await sql.raw(statement).execute(db);
    }
  } else {
    for (const statement of [
      // Punctuation becomes space first, so the parser sees only words (it would keep `<b>` as a
      // markup token, `a.example` as a host name, `x/y` as a path, and drop or fuse the words).
      `alter table items add column search_vector tsvector generated always as (
         setweight(to_tsvector('simple', regexp_replace(title, '[[:punct:]]+', ' ', 'g')), 'A') ||
         setweight(to_tsvector('simple',
           regexp_replace(creator || ' ' || tag_names, '[[:punct:]]+', ' ', 'g')), 'B') ||
         setweight(to_tsvector('simple', regexp_replace(description, '[[:punct:]]+', ' ', 'g')), 'C')) stored`,
      "create index items_search on items using gin (search_vector) where status = 'ready'",
      `create function item_tags_names() returns trigger language plpgsql as $$
         declare target integer;
         begin
           if tg_op = 'DELETE' then target := old.item_id; else target := new.item_id; end if;
           update items set tag_names = ${tagNamesOf(kind, 'target')} where id = target;
           return null;
         end $$`,
      `create trigger item_tags_names after insert or delete on item_tags
         for each row execute function item_tags_names()`,
    ]) {
      await sql.raw(statement).execute(db);
    }
  }
  // Filters and sorts of the search (and the pages' listings) on visible items.
  await db.schema
    .createIndex('items_type_newest')
    .on('items')
    .columns(['status', 'media_type', 'created_at'])
    .execute();
  await db.schema.createIndex('items_license').on('items').columns(['status', 'license']).execute();
  await db.schema.createIndex('items_creator').on('items').columns(['status', 'creator']).execute();
  await db.schema.createIndex('items_title').on('items').expression(sql`status, lower(title), id`).execute();
  await db.schema.createIndex('items_owner_newest').on('items').columns(['owner_id', 'created_at']).execute();
}
