/**
 * Migration 0015's schema (see `migrations.ts`): captions and chapters (issue 18).
 *
 * - `captions`: one WebVTT file per item and language (its blob `items/<id>/captions/<lang>.vtt`).
 * - `caption_cues`: each cue's start and its words (lower case, without accents, space-separated
 *   and space-framed), so a search hit inside a transcript finds the moment it is spoken.
 * - `item_chapters`: an item's podcast JSON chapters.
 * - `items.caption_words`: the distinct words of the item's captions, which the full-text index
 *   reads at the lowest weight. The index is rebuilt with that column: SQLite's FTS5 table gains a
 *   fifth column (its triggers are recreated); PostgreSQL's generated `search_vector` is recreated
 *   with the words at weight D, and its GIN index with it.
 * Like every migration, never edit it once shipped.
 */

import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import type { DbKind } from './migrations.js';

type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
const notNull: Column = (c) => c.notNull();

export async function captions(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .createTable('captions')
    .addColumn('id', 'integer', (c) =>
      kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
    )
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('language', 'text', notNull)
    .addColumn('label', 'text', notNull)
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('captions'))
    .addColumn('blob_key', 'text', notNull)
    .addColumn('cue_count', 'integer', notNull)
    .addColumn('bytes', 'integer', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addCheckConstraint('captions_kind_check', sql`kind in ('captions', 'subtitles')`)
    .addCheckConstraint('captions_language_check', sql`length(language) between 2 and 35`)
    .addCheckConstraint('captions_label_check', sql`length(label) between 1 and 100`)
    .addUniqueConstraint('captions_item_language_key', ['item_id', 'language'])
    .execute();
  await db.schema
    .createTable('caption_cues')
    .addColumn('caption_id', 'integer', (c) => c.notNull().references('captions.id').onDelete('cascade'))
    .addColumn('seq', 'integer', notNull)
    .addColumn('item_id', 'integer', notNull)
    .addColumn('start_ms', 'bigint', notNull)
    .addColumn('words', 'text', notNull)
    .addPrimaryKeyConstraint('caption_cues_pkey', ['caption_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('caption_cues_item')
    .on('caption_cues')
    .columns(['item_id', 'start_ms'])
    .execute();
  await db.schema
    .createTable('item_chapters')
    .addColumn('item_id', 'integer', (c) => c.primaryKey().references('items.id').onDelete('cascade'))
    .addColumn('body', 'text', notNull)
    .addColumn('chapter_count', 'integer', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .execute();
  await db.schema
    .alterTable('items')
    .addColumn('caption_words', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  if (kind === 'sqlite') await sqliteIndex(db);
  else await postgresIndex(db);
}

/** FTS5 cannot add a column: the index and its triggers are made again with `caption_words`. */
async function sqliteIndex(db: Kysely<unknown>): Promise<void> {
  const columns = 'title, creator, tag_names, description, caption_words';
  const values = (row: string) =>
    `${row}.id, ${row}.title, ${row}.creator, ${row}.tag_names, ${row}.description, ${row}.caption_words`;
  const add = (row: string) =>
    `insert into items_fts(rowid, ${columns}) select ${values(row)} where ${row}.status = 'ready';`;
  const remove = (row: string) =>
    `insert into items_fts(items_fts, rowid, ${columns}) select 'delete', ${values(row)} where ${row}.status = 'ready';`;
  for (const statement of [
    'drop trigger items_fts_insert',
    'drop trigger items_fts_delete',
    'drop trigger items_fts_update',
    'drop table items_fts',
    `create virtual table items_fts using fts5(${columns},
       content='items', content_rowid='id', prefix='2 3',
       tokenize='unicode61 remove_diacritics 2')`,
    `create trigger items_fts_insert after insert on items begin ${add('new')} end`,
    `create trigger items_fts_delete after delete on items begin ${remove('old')} end`,
    `create trigger items_fts_update after update of ${columns}, status on items
       begin ${remove('old')} ${add('new')} end`,
    `insert into items_fts(rowid, ${columns}) select id, ${columns} from items where status = 'ready'`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

/** The generated `search_vector` again, with the caption words at weight D. */
async function postgresIndex(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'alter table items drop column search_vector',
    `alter table items add column search_vector tsvector generated always as (
       setweight(to_tsvector('simple', regexp_replace(title, '[[:punct:]]+', ' ', 'g')), 'A') ||
       setweight(to_tsvector('simple',
         regexp_replace(creator || ' ' || tag_names, '[[:punct:]]+', ' ', 'g')), 'B') ||
       setweight(to_tsvector('simple', regexp_replace(description, '[[:punct:]]+', ' ', 'g')), 'C') ||
       setweight(to_tsvector('simple', caption_words), 'D')) stored`,
    "create index items_search on items using gin (search_vector) where status = 'ready'",
  ]) {
    await sql.raw(statement).execute(db);
  }
}
