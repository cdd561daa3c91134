/**
 * PostgreSQL search (issue 22): the same contract as SQLite's (`search.ts`), with bounded work at
 * any size. A search reads its matches newest first with a limit, once: the newest
 * `max(rankBound, countBound, facetBound) + 1` matches, with the facet columns and, with text,
 * their `ts_rank_cd` (title A, creator and tags B, description C, captions D) and whether the words
 * are in the title. The ranking, the count (or its estimate past the bound) and the facets all come
 * from those rows; relevance past `rankBound` adds the newest title matches (`search-bound.ts`
 * explains the candidate set). The matches are never all ranked or sorted when a word is common:
 * `search-pg-newest.ts` reads the newest ones in id windows sized from the planner's estimate.
 */

import { type RawBuilder, sql } from 'kysely';
import type { Database, MediaType } from '../db/index.js';
import { SEARCH_DOC } from '../db/index.js';
import { licenseInfo } from '../licenses.js';
import type { Facets, FacetValue } from './search-facets.js';
import { newestMatches, type PgWhere } from './search-pg-newest.js';
import { estimate, type Plan, type SearchStats, type StatsOptions } from './search-stats.js';
import { tsQuery } from './search-terms.js';

/** What the PostgreSQL paths add to a plan: the conditions (over `items i`), the text's queries. */
export interface PgParts extends PgWhere {
  /** The text's tsquery (every word), with text only. */
  tsq?: RawBuilder<unknown>;
  /** Every word among the title's lexemes (`^` terms of the indexed document), with text only. */
  titleTsq?: RawBuilder<unknown>;
  /** The title match on `i.search_vector` (weight A), for the planner's estimate. */
  titleEstimate?: RawBuilder<unknown>;
}

export interface PgFilters {
  type?: MediaType;
  license?: string;
  tags: string[];
  creator?: string;
  channel?: string;
  user?: string;
}

/** A search's filters as conditions on `items i`, ready items first (PostgreSQL's plan, SQLite's listings). */
export function filterConditions(f: PgFilters): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [sql`i.status = 'ready'`];
  if (f.type !== undefined) conditions.push(sql`i.media_type = ${f.type}`);
  if (f.license !== undefined) conditions.push(sql`i.license = ${f.license}`);
  if (f.creator !== undefined) conditions.push(sql`i.creator = ${f.creator.trim()}`);
  if (f.channel !== undefined)
    conditions.push(sql`i.channel_id = (select c.id from channels c where c.slug = ${f.channel})`);
  if (f.user !== undefined)
    conditions.push(
      sql`i.owner_id = (select u.id from users u where lower(u.username) = ${f.user.toLowerCase()})`,
    );
  for (const tag of f.tags)
    conditions.push(
      sql`i.id in (select it.item_id from item_tags it where it.tag_id = (select t.id from tags t where t.name = ${tag}))`,
    );
  return conditions;
}

/** The FROM and WHERE of a PostgreSQL search (`SearchRepository.plan`). */
export function postgresPlan(words: string[], prefix: boolean, f: PgFilters): Plan & { pg: PgParts } {
  const conditions = filterConditions(f);
  const filters = sql.join(conditions, sql` and `);
  const base = { kind: 'postgres' as const, from: sql`items i`, fromItems: sql`items i`, id: sql`i.id` };
  if (words.length === 0)
    return { ...base, where: filters, pg: { conditions, filters: conditions.length > 1 } };
  const tsq = sql`to_tsquery('simple', ${tsQuery(words, prefix)})`;
  // The parsed query's lexemes as the document's title terms: 'heron' & 'gre':* -> '^heron' & '^gre':*.
  const titleTsq = sql`regexp_replace(${tsq}::text, '''([^'']*)''', '''^\\1''', 'g')::tsquery`;
  const score = sql`-ts_rank_cd(i.search_vector, ${tsq})`;
  return {
    ...base,
    where: sql`${filters} and i.search_vector @@ ${tsq}`,
    rank: sql`ts_rank_cd(i.search_vector, ${tsq}) desc`,
    score,
    title: {
      where: sql`${filters} and i.search_vector @@ ${tsq} and ${sql.raw(SEARCH_DOC)} @@ ${titleTsq}`,
      score,
    },
    pg: {
      conditions,
      filters: conditions.length > 1,
      tsq,
      titleTsq,
      doc: tsq,
      estimate: sql`i.search_vector @@ ${tsq}`,
      // Weight labels are not part of the planner's estimate: this one is high, so the first
      // window of title matches is small and the next ones are sized by what it found.
      titleEstimate: sql`i.search_vector @@ to_tsquery('simple', ${tsQuery(words, prefix, 'A')})`,
    },
  };
}

/** A match as the PostgreSQL search reads it: facet columns, and with text its score. */
export interface PgRow {
  id: number;
  media_type: string;
  license: string | null;
  creator: string;
  /** ts_rank_cd, higher is better (with text). */
  score: number;
}

/** The newest `limit` matches of `plan` (or of its title-only match), newest first. */
async function newest(db: Database, pg: PgParts, limit: number, titleOnly = false): Promise<PgRow[]> {
  const columns = pg.tsq
    ? sql`i.id, i.media_type, i.license, i.creator, ts_rank_cd(i.search_vector, ${pg.tsq}) as score`
    : sql`i.id, i.media_type, i.license, i.creator, 0 as score`;
  // The title estimate ignores the weight label (high by about the title's share of the words).
  const where = titleOnly ? { ...pg, doc: pg.titleTsq, estimate: pg.titleEstimate, walkAt: 0.2 } : pg;
  const rows = await newestMatches<PgRow>(db, where, columns, limit);
  return rows.map((r) => ({ ...r, id: Number(r.id), score: Number(r.score) }));
}

export interface PgRanked {
  ids: number[];
  estimated: boolean;
  /** The newest matches read on the way (every match, or more than any bound). */
  sample: PgRow[];
}

/** Ranks by relevance (every match below `bound`; past it the bounded candidate set). */
export async function rankedPostgres(
  db: Database,
  pg: PgParts,
  bound: number,
  limit: number,
  offset: number,
  window = 0,
): Promise<PgRanked> {
  const sample = await newest(db, pg, Math.max(bound + 1, window));
  const estimated = sample.length > bound;
  const title = estimated ? await newest(db, pg, bound, true) : [];
  const tier = new Set(title.map((r) => r.id));
  const candidates = [...title];
  for (const row of sample) {
    if (candidates.length >= bound) break;
    if (!tier.has(row.id)) candidates.push(row);
  }
  candidates.sort(
    (a, b) => Number(tier.has(b.id)) - Number(tier.has(a.id)) || b.score - a.score || b.id - a.id,
  );
  return { ids: candidates.slice(offset, offset + limit).map((r) => r.id), estimated, sample };
}

/** The newest matches for the counts and facets, when the ranking did not read them. */
export function sampleOf(db: Database, pg: PgParts, options: StatsOptions): Promise<PgRow[]> {
  return newest(db, pg, Math.max(options.countBound, options.facetBound) + 1);
}

/** The `n` largest counts, ties by value. */
function top(counts: Map<string, number>, n: number): FacetValue[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, n);
}

/** Facets of the sample's rows (tags read for their ids in one query). */
async function facetsOf(db: Database, rows: readonly PgRow[], n: number): Promise<Facets> {
  const type = new Map<string, number>();
  const license = new Map<string, number>();
  const creator = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const row of rows) {
    bump(type, row.media_type);
    if (row.license !== null) bump(license, row.license);
    if (row.creator !== '') bump(creator, row.creator);
  }
  const tags =
    rows.length === 0
      ? { rows: [] }
      : await sql<{ value: string; n: number | string }>`select t.name as value, count(*) as n
          from item_tags it join tags t on t.id = it.tag_id
          where it.item_id = any(${rows.map((r) => r.id)}::integer[])
          group by t.name order by n desc, t.name limit ${n}`.execute(db);
  return {
    type: top(type, type.size),
    license: top(license, n).map((v) => ({ ...v, label: licenseInfo(v.value)?.name ?? v.value })),
    tag: tags.rows.map((r) => ({ value: r.value, count: Number(r.n) })),
    creator: top(creator, n),
  };
}

/**
 * Total and facets from the newest matches (`sample`, newest first, every match or more than
 * either bound): exact below the bounds; past them the total is estimated from the share of the
 * ready items' id range the counted matches span, and the facets scaled to it (`search-stats.ts`).
 */
export async function postgresStats(
  db: Database,
  sample: readonly PgRow[],
  options: StatsOptions,
): Promise<SearchStats> {
  const facets = await facetsOf(db, sample.slice(0, options.facetBound), options.facetSize);
  if (sample.length <= options.facetBound)
    return { total: sample.length, capped: false, facetsEstimated: false, facets };
  const bound = Math.max(options.countBound, options.facetBound);
  const n = Math.min(sample.length, bound + 1);
  const { total, capped } = await estimate(db, n, sample[n - 1]!.id, bound);
  const factor = total / options.facetBound;
  const scale = (values: FacetValue[]) =>
    values.map((v) => ({ ...v, count: Math.max(1, Math.round(v.count * factor)) }));
  return {
    total,
    capped,
    facetsEstimated: true,
    facets: {
      type: scale(facets.type),
      license: scale(facets.license),
      tag: scale(facets.tag),
      creator: scale(facets.creator),
    },
  };
}
