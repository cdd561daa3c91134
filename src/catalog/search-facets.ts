/**
 * Facets over known matches (issue 22, SQLite): the type, licence, creator and tag counts of the
 * newest matches, counted here from one read of their rows, sharing the rows the relevance
 * ranking already read (`search-score.ts`). Tags come from each row's `tag_terms` (the tag ids the
 * full-text index holds, migration `0024_search_index`), so the sample's `item_tags` links are not
 * looked up one by one; only the names of the counted tags are read. Rows the ranking did not read
 * come from the covering index `items_search_facets` (about a fifth of the rows' size: at 1M items
 * a cold read of 2,000 scattered matches took about half the CPU time of reading the rows).
 */

import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { FILTER_MARK } from '../db/index.js';
import { licenseInfo } from '../licenses.js';

/** The columns of a match the facets count. */
export interface FacetRow {
  media_type: string;
  license: string | null;
  creator: string;
  tag_terms: string;
}

export interface FacetValue {
  value: string;
  count: number;
  /** What people read: the licence's name (`CC0 1.0`) for the licence facet's ids. */
  label?: string;
}

export interface Facets {
  type: FacetValue[];
  license: FacetValue[];
  tag: FacetValue[];
  creator: FacetValue[];
}

const TAG = `${FILTER_MARK}g`;

/** Adds one to `key`'s count. */
function bump<K>(counts: Map<K, number>, key: K) {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The `n` largest counts, ties by value (byte order, as SQLite's `order by n desc, value`). */
function top(counts: Map<string, number>, n: number): FacetValue[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, n);
}

/**
 * Facets of the items `ids`: rows already read are taken from `known`, the others read in one
 * query (in id order). Ids no longer in `items` are not counted.
 */
export async function facetsOf(
  db: Database,
  ids: readonly number[],
  n: number,
  known?: ReadonlyMap<number, FacetRow>,
): Promise<Facets> {
  const rows: FacetRow[] = [];
  const missing: number[] = [];
  for (const id of ids) {
    const row = known?.get(id);
    if (row) rows.push(row);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const read = await sql<FacetRow>`select i.media_type, i.license, i.creator, i.tag_terms
      from json_each(${JSON.stringify(missing.sort((a, b) => a - b))}) as j
      join items i indexed by items_search_facets on i.id = j.value`.execute(db);
    rows.push(...read.rows);
  }
  const type = new Map<string, number>();
  const license = new Map<string, number>();
  const creator = new Map<string, number>();
  const tagIds = new Map<number, number>();
  for (const row of rows) {
    bump(type, row.media_type);
    if (row.license !== null) bump(license, row.license);
    if (row.creator !== '') bump(creator, row.creator);
    for (const term of row.tag_terms.split(' '))
      if (term.startsWith(TAG)) bump(tagIds, Number(term.slice(TAG.length)));
  }
  const tag = new Map<string, number>();
  if (tagIds.size > 0) {
    const names = await sql<{ id: number; name: string }>`select t.id, t.name
      from json_each(${JSON.stringify([...tagIds.keys()])}) as j join tags t on t.id = j.value`.execute(db);
    for (const { id, name } of names.rows) tag.set(name, tagIds.get(Number(id)) ?? 0);
  }
  return {
    type: top(type, type.size),
    license: top(license, n).map((v) => ({ ...v, label: licenseInfo(v.value)?.name ?? v.value })),
    tag: top(tag, n),
    creator: top(creator, n),
  };
}
