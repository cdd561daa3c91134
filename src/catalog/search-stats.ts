/**
 * A search's total and facets (issue 22), with bounded work at any size. The first `facetBound`
 * matches, newest first by id straight from the indexes, give the facets (type, licence, tag,
 * creator) in one query; when that is every match, total and facets are exact. Otherwise the
 * matches are counted, again newest first, up to `countBound`: exact below it; past it the total is
 * an estimate, the bound divided by the share of the ready items' id range that the counted
 * matches span (rounded to two significant digits, so it reads as one), and the facet counts are
 * the sample's scaled to the total. Callers say which numbers are estimates (`totalCapped`,
 * `facetsEstimated`), as large search engines do ("about 960,000 results").
 */

import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/index.js';
import { licenseInfo } from '../licenses.js';
import { type FacetRow, type Facets, type FacetValue, facetsOf } from './search-facets.js';

export type { Facets, FacetValue } from './search-facets.js';

/** A search's FROM and WHERE (see `SearchRepository.plan`). */
export interface Plan {
  kind: 'sqlite' | 'postgres';
  /** FROM for the page and the counts (joins `items i` whenever filters need it). */
  from: RawBuilder<unknown>;
  /** FROM that always has `items i` (the facets read its columns). */
  fromItems: RawBuilder<unknown>;
  where: RawBuilder<unknown>;
  /** The item id column of `from`. */
  id: RawBuilder<unknown>;
  /** Order by relevance, best first (with text only). */
  rank?: RawBuilder<unknown>;
  /** Relevance as a value, lower is better (with text only; `search-bound.ts`). */
  score?: RawBuilder<unknown>;
  /** `where` with the text matched in the title only, and that match's score (with text only). */
  title?: { where: RawBuilder<unknown>; score: RawBuilder<unknown> };
  /** SQLite listings with filters: where the counts and facets find the matches, newest first (FTS5). */
  walk?: { from: RawBuilder<unknown>; where: RawBuilder<unknown>; id: RawBuilder<unknown> };
  /**
   * The text's words (with text only): SQLite scores the candidates itself (`search-score.ts`),
   * and its filters' FTS5 terms (`search-terms.ts`; the search extension's queries, `search-bound.ts`).
   */
  text?: { words: string[]; prefix: boolean; filters: string[] };
}

export interface SearchStats {
  total: number;
  /** `total` is an estimate (more than `countBound` match). */
  capped: boolean;
  /** The facet counts are scaled from the newest `facetBound` matches. */
  facetsEstimated: boolean;
  facets: Facets;
}

export interface StatsOptions {
  countBound: number;
  facetBound: number;
  facetSize: number;
}

/**
 * `newest`, when the caller already read them (the SQLite relevance ranking does): the ids of the
 * newest matches, newest first, at least `max(countBound, facetBound) + 1` of them or every match.
 * The counts and facets then reuse them instead of walking the matches again.
 */
export async function searchStats(
  db: Database,
  plan: Plan,
  options: StatsOptions,
  newest?: readonly number[],
  rows?: ReadonlyMap<number, FacetRow>,
): Promise<SearchStats> {
  const bound = Math.max(options.countBound, options.facetBound);
  const known = newest;
  // SQLite: the newest matches' ids are known; their facets are counted from one read of their
  // rows, sharing those the ranking read (`search-facets.ts`).
  const sample = known
    ? {
        total: Math.min(known.length, options.facetBound + 1),
        facets: await facetsOf(db, known.slice(0, options.facetBound), options.facetSize, rows),
      }
    : await facetSample(
        db,
        sql`select i.id, i.media_type, i.license, i.creator from ${plan.fromItems}
        where ${plan.where} order by ${plan.id} desc limit ${options.facetBound + 1}`,
        options.facetBound,
        options.facetSize,
      );
  if (sample.total <= options.facetBound) {
    return { total: sample.total, capped: false, facetsEstimated: false, facets: sample.facets };
  }
  const counted = known
    ? await estimate(
        db,
        Math.min(known.length, bound + 1),
        known[Math.min(known.length, bound + 1) - 1]!,
        bound,
      )
    : await countMatches(db, plan, bound);
  const factor = counted.total / options.facetBound;
  const scale = (values: FacetValue[]) =>
    values.map((v) => ({ ...v, count: Math.max(1, Math.round(v.count * factor)) }));
  const { type, license, tag, creator } = sample.facets;
  return {
    total: counted.total,
    capped: counted.capped,
    facetsEstimated: true,
    facets: { type: scale(type), license: scale(license), tag: scale(tag), creator: scale(creator) },
  };
}

/** `n` rounded to two significant digits (an estimate should not look like a count). */
export function roughly(n: number): number {
  if (n < 100) return Math.round(n);
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / unit) * unit;
}

/** Matches counted newest first up to `bound`; past it an estimate from the id range they span. */
async function countMatches(
  db: Database,
  plan: Plan,
  bound: number,
): Promise<{ total: number; capped: boolean }> {
  const counted = await sql<{ n: number | string; lo: number | string | null }>`
    select count(*) as n, min(id) as lo from (
      select ${plan.walk?.id ?? plan.id} as id from ${plan.walk?.from ?? plan.from} where ${plan.walk?.where ?? plan.where}
      order by ${plan.walk?.id ?? plan.id} desc limit ${bound + 1}
    ) as m`.execute(db);
  return estimate(db, Number(counted.rows[0]?.n ?? 0), Number(counted.rows[0]?.lo ?? 0), bound);
}

/** `n` newest matches down to id `lo`: the total, exact when `n <= bound`, else estimated. */
export async function estimate(
  db: Database,
  n: number,
  lo: number,
  bound: number,
): Promise<{ total: number; capped: boolean }> {
  if (n <= bound) return { total: n, capped: false };
  const range = await sql<{ first: number | string | null; last: number | string | null }>`
    select (select min(id) from items where status = 'ready') as first,
      (select max(id) from items where status = 'ready') as last`.execute(db);
  const first = Number(range.rows[0]?.first ?? lo);
  const last = Number(range.rows[0]?.last ?? lo);
  const share = (last - lo + 1) / Math.max(1, last - first + 1);
  return { total: Math.max(bound + 1, roughly(n / Math.min(1, Math.max(share, 1e-9)))), capped: true };
}

/**
 * Facets over the newest `size` matches, and how many matches there are up to `size + 1`: one
 * query over a materialised sample. (`cross join` fixes SQLite's join order: sample first, then
 * its tags; PostgreSQL plans it as an inner join.)
 */
async function facetSample(
  db: Database,
  source: RawBuilder<unknown>,
  size: number,
  n: number,
  known?: number,
): Promise<{ total: number; facets: Facets }> {
  const result = await sql<{ facet: string; value: string | null; n: number | string | null }>`
    with m as materialized (${source}),
    s as materialized (select * from m order by id desc limit ${size})
    select * from (select 'total' as facet, '' as value, count(*) as n from m) as a
    union all select * from (
      select 'type' as facet, media_type as value, count(*) as n from s group by media_type) as c
    union all select * from (
      select 'license' as facet, license as value, count(*) as n from s where license is not null
      group by license order by n desc, value limit ${n}) as d
    union all select * from (
      select 'creator' as facet, creator as value, count(*) as n from s where creator <> ''
      group by creator order by n desc, value limit ${n}) as e
    union all select * from (
      select 'tag' as facet, t.name as value, count(*) as n
      from s cross join item_tags it cross join tags t where it.item_id = s.id and t.id = it.tag_id
      group by t.name order by n desc, value limit ${n}) as f`.execute(db);
  const facets: Facets = { type: [], license: [], tag: [], creator: [] };
  let total = 0;
  for (const row of result.rows) {
    const count = Number(row.n ?? 0);
    if (row.facet === 'total') total = known ?? count;
    else if (row.facet === 'license') {
      const value = row.value ?? '';
      facets.license.push({ value, count, label: licenseInfo(value)?.name ?? value });
    } else facets[row.facet as keyof Facets].push({ value: row.value ?? '', count });
  }
  facets.type.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return { total, facets };
}
