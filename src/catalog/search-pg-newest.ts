/**
 * The newest matches of a PostgreSQL search, read with bounded work (issue 22). A GIN index
 * cannot walk a word's matches newest first and stop, as FTS5's posting lists do: PostgreSQL
 * either walks the items by id (`(status, id)` or the primary key, newest first) testing each
 * row's `tsvector`, which stops early for a common word but reads nearly every item for a rare
 * one, or reads every match through GIN and sorts them, which is right for a rare word and reads a
 * third of the table for a common one. The planner picks between them by its estimate of the
 * word's frequency (the `tsvector` column's most common lexemes, `ANALYZE`), and picks badly in
 * between. So the text is read in id windows: the planner's own estimate of the matches gives the
 * share of the id range that should hold the newest `limit` of them; that window is read (GIN and
 * the id range intersected, or the id walk, whichever the planner prefers in so small a range),
 * and a window that held too few is followed by the next older one, sized by the density found.
 * Listings without text walk their btree indexes in id order and stop at the limit.
 */

import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/index.js';
import { SEARCH_DOC } from '../db/index.js';

/** A PostgreSQL search's conditions over `items i`. */
export interface PgWhere {
  /** `i.status = 'ready'` and the filters. */
  conditions: RawBuilder<unknown>[];
  /** There are filters besides the status. */
  filters: boolean;
  /** The text's tsquery against the indexed document (`SEARCH_DOC`), with text only. */
  doc?: RawBuilder<unknown>;
  /**
   * The same match on `i.search_vector`, for the planner's estimate of how many rows match: the
   * column has statistics of its lexemes (`ANALYZE`); the expression index's document has none
   * that the planner uses for `@@` (it assumes 0.5 %, wrong by 200 times for a common word).
   */
  estimate?: RawBuilder<unknown>;
  /** The share from which the ids are walked (default `WALK`): higher when `estimate` is high. */
  walkAt?: number;
}

/** The planner's estimate of the rows `where` matches (EXPLAIN, no execution). */
async function estimateRows(db: Database, where: RawBuilder<unknown>): Promise<number> {
  const r = await sql<{
    'QUERY PLAN': unknown;
  }>`explain (format json) select 1 from items i where ${where}`.execute(db);
  const plan = r.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: { 'Plan Rows': number } }[];
  return Math.max(1, Number(parsed[0]?.Plan['Plan Rows'] ?? 1));
}

/** Share of the items a text must match for its newest matches to be read by walking the ids
 * (at 5 %: at most about 20 times the limit rows walked, against a GIN bitmap of 50,000 or more). */
const WALK = 0.05;

/** Bucket sizes of the index's id terms (`~c` 2^12 ids ... `~i` 2^18): `migrations-search-pg.ts`. */
const LEVELS: [string, number][] = [
  ['i', 18],
  ['g', 16],
  ['e', 14],
  ['c', 12],
];

/**
 * The index's terms for "id in buckets covering `lo`..`hi`": the largest bucket size that covers
 * the range in at most four buckets (the window grows older by less than one bucket).
 */
export function bucketTerms(lo: number, hi: number): string | undefined {
  for (const [level, bits] of [...LEVELS].reverse()) {
    const n = (hi >> bits) - (lo >> bits) + 1;
    if (n <= 4) {
      const terms: string[] = [];
      for (let b = lo >> bits; b <= hi >> bits; b++) terms.push(`'~${level}${b}'`);
      return terms.join(' | ');
    }
  }
  return undefined;
}

/** The first id of the bucket that `bucketTerms(lo, hi)` starts with. */
function bucketStart(lo: number, hi: number): number {
  for (const [, bits] of [...LEVELS].reverse())
    if ((hi >> bits) - (lo >> bits) + 1 <= 4) return (lo >> bits) << bits;
  return lo;
}

/**
 * The newest `limit` rows (`columns` of `items i`) matching `where`, newest first. Ids must grow
 * with age (they do: an identity column). With text, `where.text` is the text's match and
 * `where.doc` its tsquery against the indexed document, which windows narrow to id buckets.
 */
export async function newestMatches<R>(
  db: Database,
  where: PgWhere,
  columns: RawBuilder<unknown>,
  limit: number,
): Promise<R[]> {
  const filters = sql.join(where.conditions, sql` and `);
  if (!where.doc) {
    return (
      await sql<R>`select ${columns} from items i where ${filters} order by i.id desc limit ${limit}`.execute(
        db,
      )
    ).rows;
  }
  const doc = where.doc;
  const read = async (buckets: string | undefined, hi: number, n: number) =>
    (
      await (buckets || !where.estimate
        ? sql<R>`select ${columns} from items i where ${filters}
            and ${sql.raw(SEARCH_DOC)} @@ ${buckets ? sql`(${doc} && ${buckets}::tsquery)` : doc}
            and i.id <= ${hi} order by i.id + 0 desc limit ${n}`
        : // The whole range (a rare text): every match through items_search, newest first.
          sql<R>`select ${columns} from items i where ${filters} and ${where.estimate}
            and i.id <= ${hi} order by i.id desc limit ${n}`
      ).execute(db)
    ).rows;
  const [estimate, bounds] = await Promise.all([
    estimateRows(db, sql`${filters} and ${where.estimate ?? sql`${sql.raw(SEARCH_DOC)} @@ ${doc}`}`),
    sql<{ lo: number | string | null; hi: number | string | null }>`
      select (select min(id) from items where status = 'ready') as lo,
        (select max(id) from items where status = 'ready') as hi`.execute(db),
  ]);
  const first = Number(bounds.rows[0]?.lo ?? 0);
  let hi = Number(bounds.rows[0]?.hi ?? 0);
  // Matches per id, as the planner expects them; a window aims at 1.5 times what is still needed.
  let density = estimate / Math.max(1, hi - first + 1);
  if ((density >= (where.walkAt ?? WALK) || where.filters) && where.estimate) {
    // A word in a twentieth of the items or more: walking the ids newest first, testing each row's
    // vector, stops after about limit / density rows, while GIN would read all its matches (a
    // prefix's matches are all read into a bitmap before any intersection). With filters the
    // planner chooses among the filters' btrees and `items_search` by its estimates: a plan that
    // did not use the windows' GIN index would compute the indexed document for every row it
    // tests (a word with a common tag took seconds that way).
    return (
      await sql<R>`select ${columns} from items i where ${filters} and ${where.estimate}
        order by i.id desc limit ${limit}`.execute(db)
    ).rows;
  }
  const rows: R[] = [];
  while (rows.length < limit && hi >= first) {
    const need = limit - rows.length;
    const lo = hi - Math.ceil((1.5 * need) / Math.max(density, 1e-9)) + 1;
    const terms = lo > first ? bucketTerms(lo, hi) : undefined;
    const found = await read(terms, hi, need);
    rows.push(...found);
    if (!terms) break;
    const start = bucketStart(lo, hi);
    // Older windows: the density found here (at least a quarter of the last, so it grows).
    density = Math.max(found.length / Math.max(1, hi - start + 1), density / 4);
    hi = start - 1;
  }
  return rows;
}
