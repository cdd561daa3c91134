/**
 * Bounded relevance ranking (issue 22). Ranking costs per match (bm25 in SQLite FTS5, `ts_rank_cd`
 * in PostgreSQL), and better-sqlite3 is synchronous, so ranking every match of a common word in a
 * million items would block the whole site for seconds. Below `rankBound` matches every match is
 * ranked (exact). Past it the ranking runs over a bounded candidate set that holds the likely best:
 * the matches with the words in their title (FTS5 column filter `{title} : (...)`; PostgreSQL the
 * A-weighted lexemes, `'word':A`), newest first up to the bound, then the newest other matches
 * filling the set up to the bound. Title candidates come first, each group by score; the result
 * says the ranking is bounded (`estimated`).
 */

import { type RawBuilder, sql } from 'kysely';
import { type Database, hasSearchExtension } from '../db/index.js';
import type { FacetRow } from './search-facets.js';
import { bm25Inputs, bm25Scores, FTS_WEIGHTS, type ScoreContext } from './search-score.js';
import type { Plan } from './search-stats.js';
import { ftsQuery } from './search-terms.js';

export interface RankedPage {
  ids: number[];
  /** Not every match was ranked (more than `rankBound` match). */
  estimated: boolean;
  /** SQLite: the newest matches' ids read on the way (at most `window`), for the counts and facets. */
  newest?: number[];
  /** SQLite: the facet columns of the rows the ranking read, by id. */
  rows?: Map<number, FacetRow>;
}

/** How many SQLite rankings each path scored (the tests check which one ran). */
export const scoredBy = { extension: 0, javascript: 0 };

/** The count and lowest id of the newest `limit` rows of `where` (bounded by the id index order). */
async function newest(
  db: Database,
  plan: Plan,
  where: RawBuilder<unknown>,
  limit: number,
): Promise<{ n: number; lo: number }> {
  const r = await sql<{ n: number | string; lo: number | string | null }>`
    select count(*) as n, min(id) as lo from (
      select ${plan.id} as id from ${plan.from} where ${where} order by ${plan.id} desc limit ${limit}
    ) as m`.execute(db);
  return { n: Number(r.rows[0]?.n ?? 0), lo: Number(r.rows[0]?.lo ?? 0) };
}

/** The newest `limit` ids of `where`, newest first (FTS5 and the id indexes read in id order). */
async function newestIds(
  db: Database,
  plan: Plan,
  where: RawBuilder<unknown>,
  limit: number,
): Promise<number[]> {
  const r = await sql<{ id: number }>`select ${plan.id} as id from ${plan.from} where ${where}
    order by ${plan.id} desc limit ${limit}`.execute(db);
  return r.rows.map((row) => Number(row.id));
}

/**
 * SQLite: the candidates are read newest first with a limit (FTS5 walks its posting lists in id
 * order and stops), never with an id range (FTS5 does not seek to `rowid >= x`: it reads the
 * whole list), and bm25 is computed here over them (`search-score.ts`), not by FTS5's `bm25()`,
 * whose document counts read every posting of every word.
 */
async function rankedSqlite(
  ctx: ScoreContext,
  plan: Plan,
  bound: number,
  limit: number,
  offset: number,
  window: number,
): Promise<RankedPage> {
  scoredBy[ctx.native ? 'extension' : 'javascript']++;
  if (ctx.native && plan.text)
    return rankedNative(ctx, plan, plan.text.filters, bound, limit, offset, window);
  const all = await newestIds(ctx.db, plan, plan.where, Math.max(bound + 1, window));
  const estimated = all.length > bound && plan.title !== undefined;
  const title = estimated ? await newestIds(ctx.db, plan, plan.title!.where, bound) : [];
  const tier = new Set(title);
  const candidates = [...title];
  for (const id of all) {
    if (candidates.length >= bound) break;
    if (!tier.has(id)) candidates.push(id);
  }
  const rows = new Map<number, FacetRow>();
  const scores = await bm25Scores(ctx, candidates, rows);
  const ranked = candidates
    .filter((id) => scores.has(id))
    .sort((a, b) => Number(tier.has(b)) - Number(tier.has(a)) || scores.get(b)! - scores.get(a)! || b - a);
  return { ids: ranked.slice(offset, offset + limit), estimated, newest: all, rows };
}

/** The newest `limit` matches of the FTS5 query `match`, newest first, each with its bm25. */
async function scoredIds(db: Database, match: string, args: number[], limit: number) {
  const r = await sql<{ id: number; score: number }>`select rowid as id,
      seedcast_bm25(items_fts, ${sql.join(args.map((a) => sql`${a}`))}) as score
    from items_fts where items_fts match ${match} order by rowid desc limit ${limit}`.execute(db);
  return r.rows;
}

/**
 * SQLite with the search extension (`native/sqlite_search.c`): the same candidates as
 * `rankedSqlite`, each scored by `seedcast_bm25` in the walk that finds it, from FTS5's position
 * lists (no row's text is read). The title tier's query starts with the words unfiltered, whose
 * phrases are the ones scored (every column, as for the other candidates); the column-filtered copy
 * and the filters after them weigh 0. The newest matches are walked once unscored (for the counts
 * and facets) and scored only as deep as the candidates that fill the set after the title tier
 * (none when it is full): scoring a row costs a lookup of its token counts. The facets then read
 * every sampled row from their index.
 */
async function rankedNative(
  ctx: ScoreContext,
  plan: Plan,
  filters: readonly string[],
  bound: number,
  limit: number,
  offset: number,
  window: number,
): Promise<RankedPage> {
  const all = await newestIds(ctx.db, plan, plan.where, Math.max(bound + 1, window));
  const estimated = all.length > bound;
  const { idf } = await bm25Inputs(ctx);
  const args = [...FTS_WEIGHTS, 0, ...idf];
  const text = ftsQuery(ctx.words, ctx.prefix);
  const title = estimated
    ? await scoredIds(ctx.db, [`(${text})`, `{title} : (${text})`, ...filters].join(' AND '), args, bound)
    : [];
  const scores = new Map<number, number>();
  const tier = new Set<number>();
  for (const row of title) {
    scores.set(Number(row.id), row.score);
    tier.add(Number(row.id));
  }
  let need = bound - title.length;
  let depth = 0;
  for (const id of all) {
    if (need <= 0) break;
    depth++;
    if (!tier.has(id)) need--;
  }
  const fill = depth > 0 ? await scoredIds(ctx.db, [text, ...filters].join(' AND '), args, depth) : [];
  for (const row of fill) if (!tier.has(Number(row.id))) scores.set(Number(row.id), row.score);
  const ranked = [...scores.keys()].sort(
    (a, b) => Number(tier.has(b)) - Number(tier.has(a)) || scores.get(b)! - scores.get(a)! || b - a,
  );
  return { ids: ranked.slice(offset, offset + limit), estimated, newest: all };
}

/** One page of ids by relevance, ranking at most about `bound` matches. */
export async function rankedPage(
  db: Database,
  plan: Plan,
  bound: number,
  limit: number,
  offset: number,
  scoring?: Omit<ScoreContext, 'db' | 'words' | 'prefix'>,
  window = 0,
): Promise<RankedPage> {
  if (plan.kind === 'sqlite' && plan.text && scoring) {
    const native = scoring.native ?? hasSearchExtension(db);
    return rankedSqlite({ db, ...plan.text, ...scoring, native }, plan, bound, limit, offset, window);
  }
  const { id, from, where } = plan;
  const all = await newest(db, plan, where, bound + 1);
  if (all.n <= bound || !plan.title || !plan.score) {
    const rows = await sql<{ id: number }>`select ${id} as id from ${from} where ${where}
      order by ${plan.rank}, ${id} desc limit ${limit} offset ${offset}`.execute(db);
    return { ids: rows.rows.map((r) => Number(r.id)), estimated: false };
  }
  const title = await newest(db, plan, plan.title.where, bound);
  const fill = bound - title.n > 0 ? await newest(db, plan, where, bound - title.n) : { n: 0, lo: 0 };
  const parts: RawBuilder<unknown>[] = [];
  if (title.n > 0)
    parts.push(sql`select * from (select ${id} as id, 1 as tier, ${plan.title.score} as score from ${from}
      where ${plan.title.where} and ${id} >= ${title.lo}) as t`);
  if (fill.n > 0)
    parts.push(sql`select * from (select ${id} as id, 0 as tier, ${plan.score} as score from ${from}
      where ${where} and ${id} >= ${fill.lo}) as f`);
  const rows = await sql<{ id: number }>`with u as materialized (${sql.join(parts, sql` union all `)})
    select id from u where tier = 1 or id not in (select id from u where tier = 1)
    order by tier desc, score, id desc limit ${limit} offset ${offset}`.execute(db);
  return { ids: rows.rows.map((r) => Number(r.id)), estimated: true };
}
