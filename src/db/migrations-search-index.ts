/**
 * Migration 0024's schema (see `migrations.ts`): the search's filters become terms of the SQLite
 * full-text index (issue 22), so a search with words and filters (type, licence, creator,
 * channel, owner, tags) is one FTS5 query whose posting lists FTS5 intersects itself, and never
 * reads `items` rows to test a filter. Each ready item's index gets a sixth column,
 * `search_filters`, a virtual generated column of `items` holding one term per filter value, each
 * starting with U+E000 (a private-use character: FTS5's `unicode61` keeps it in a token, while the
 * words people type never hold one, `searchWords`, so no typed word or prefix can reach a filter
 * term): `t<type>`, `l<hex of the licence>`, `c<hex of the creator>`, `h<channel id>`,
 * `o<owner id>`, and `g<tag id>` per tag, kept in `items.tag_terms` by the `item_tags` triggers
 * beside `tag_names`. The search never weights that column (its bm25 weight is 0), so the ranking
 * is unchanged but for the lengths: like FTS5's own `bm25()`, an item's length counts every token
 * it has indexed, these few included. A covering index, `items_search_facets`, holds the columns
 * the facets count, by id. PostgreSQL is unchanged (its filters are plain indexes).
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import type { DbKind } from './migrations.js';

/** The private-use character every filter term starts with (`searchFilterTerm`). */
export const FILTER_MARK = '\u{E000}';

const MARK = 'char(57344)';
const TEXT_COLUMNS = 'title, creator, tag_names, description, caption_words';
const COLUMNS = `${TEXT_COLUMNS}, search_filters`;

/** The tag terms of one item, as `items.tag_terms` holds them. */
function tagTermsOf(itemId: string): string {
  return `(select coalesce(group_concat(${MARK} || 'g' || tag_id, ' '), '') from item_tags where item_id = ${itemId})`;
}

function tagNamesOf(itemId: string): string {
  return `(select coalesce(group_concat(name, ' '), '') from (select name from tags join item_tags
    on item_tags.tag_id = tags.id where item_tags.item_id = ${itemId} order by name) as t)`;
}

export async function searchIndex(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  if (kind !== 'sqlite') return;
  const values = (row: string) => `${row}.id, ${COLUMNS.replace(/(\w+)/g, `${row}.$1`)}`;
  const add = (row: string) =>
    `insert into items_fts(rowid, ${COLUMNS}) select ${values(row)} where ${row}.status = 'ready';`;
  const remove = (row: string) =>
    `insert into items_fts(items_fts, rowid, ${COLUMNS}) select 'delete', ${values(row)} where ${row}.status = 'ready';`;
  const tags = (row: string) =>
    `update items set tag_names = ${tagNamesOf(`${row}.item_id`)}, tag_terms = ${tagTermsOf(`${row}.item_id`)}
       where id = ${row}.item_id;`;
  for (const statement of [
    'drop trigger items_fts_insert',
    'drop trigger items_fts_delete',
    'drop trigger items_fts_update',
    'drop trigger item_tags_names_insert',
    'drop trigger item_tags_names_delete',
    'drop table items_fts',
    `alter table items add column tag_terms text not null default ''`,
    `update items set tag_terms = ${tagTermsOf('items.id')} where id in (select item_id from item_tags)`,
    `alter table items add column search_filters text generated always as (
       ${MARK} || 't' || media_type || ' ' || ${MARK} || 'l' || coalesce(hex(license), '') || ' ' ||
       ${MARK} || 'c' || hex(creator) || ' ' || ${MARK} || 'h' || coalesce(channel_id, '') || ' ' ||
       ${MARK} || 'o' || owner_id || ' ' || tag_terms) virtual`,
    `create trigger item_tags_names_insert after insert on item_tags begin ${tags('new')} end`,
    `create trigger item_tags_names_delete after delete on item_tags begin ${tags('old')} end`,
    `create virtual table items_fts using fts5(${COLUMNS},
       content='items', content_rowid='id', prefix='2 3',
       tokenize='unicode61 remove_diacritics 2')`,
    `create trigger items_fts_insert after insert on items begin ${add('new')} end`,
    `create trigger items_fts_delete after delete on items begin ${remove('old')} end`,
    `create trigger items_fts_update after update of ${TEXT_COLUMNS}, status, media_type, license,
       channel_id, owner_id, tag_terms on items begin ${remove('old')} ${add('new')} end`,
    `insert into items_fts(rowid, ${COLUMNS}) select id, ${COLUMNS} from items where status = 'ready'`,
    // The facets' columns by id (`search-facets.ts`): a fifth the size of the rows, so the newest
    // matches' values are read from far fewer pages, which stay cached.
    'create index items_search_facets on items (id, media_type, license, creator, tag_terms)',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
