/**
 * Migration 0026's schema (see `migrations.ts`), PostgreSQL only: the index that lets search read
 * a word's newest matches without reading all of them (issue 22, `src/catalog/search-pg-newest.ts`).
 * A GIN index cannot be walked newest first; this one indexes, beside the item's `search_vector`,
 * its title words marked `^` (so title matches need no weight recheck on the rows) and its id's
 * buckets at four sizes (`~c` 4,096 ids, `~e` 16,384, `~g` 65,536, `~i` 262,144), so a query for
 * "the word, among the newest ids" is one GIN intersection: `word & ('~c244' | '~c243')`. User
 * words are letters, digits and marks only (`search-terms.ts`): they never spell `^` or `~` terms.
 * Both GIN indexes write through (`fastupdate` off): a pending list is read by every search.
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import type { DbKind } from './migrations.js';

/** The indexed document: the query text must repeat it exactly for the index to serve it. */
export const SEARCH_DOC = `(search_vector
  || regexp_replace(ts_filter(search_vector, '{a}')::text, '''([^'']*)''(:[0-9A-D,]+)?', '''^\\1''', 'g')::tsvector
  || array_to_tsvector(array['~c' || (id >> 12)::text, '~e' || (id >> 14)::text,
       '~g' || (id >> 16)::text, '~i' || (id >> 18)::text]))`;

export async function searchPg(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  if (kind !== 'postgres') return;
  for (const statement of [
    'alter index items_search set (fastupdate = off)',
    "select gin_clean_pending_list('items_search'::regclass)",
    `create index items_search_recent on items using gin (${SEARCH_DOC})
       with (fastupdate = off) where status = 'ready'`,
    'analyze items',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
