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

/** A PostgreSQL search's conditions over `items i`. */
export interface PgWhere {
  /** `i.status = 'ready'` and the filters. */
  conditions: RawBuilder<unknown>[];
  /** There are filters besides the status. */
  filters: boolean;
  /** The text's match, with text only. */
  text?: RawBuilder<unknown>;
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

/**
 * The newest `limit` rows (`columns` of `items i`) matching `where`, newest first. Ids must grow
 * with age (they do: `generated` identity / rowid).
 */
export async function newestMatches<R>(
  db: Database,
  where: PgWhere,
  columns: RawBuilder<unknown>,
  limit: number,
): Promise<R[]> {
  const all = sql.join([...where.conditions, ...(where.text ? [where.text] : [])], sql` and `);
  const read = async (range: RawBuilder<unknown> | undefined, n: number) =>
    (
      await sql<R>`select ${columns} from items i where ${all} ${range ? sql`and ${range}` : sql``}
        order by i.id desc limit ${n}`.execute(db)
    ).rows;
  if (!where.text) return read(undefined, limit);
  const [estimate, bounds] = await Promise.all([
    estimateRows(db, all),
    sql<{ lo: number | string | null; hi: number | string | null }>`
      select (select min(id) from items where status = 'ready') as lo,
        (select max(id) from items where status = 'ready') as hi`.execute(db),
  ]);
  const first = Number(bounds.rows[0]?.lo ?? 0);
  let hi = Number(bounds.rows[0]?.hi ?? 0);
  const ids = hi - first + 1;
  // Matches per id, as the planner expects them; the first window aims at 1.5 times the limit.
  let density = estimate / Math.max(1, ids);
  const rows: R[] = [];
  for (let round = 0; rows.length < limit && hi >= first; round++) {
    const need = limit - rows.length;
    const span = Math.ceil((1.5 * need) / Math.max(density, 1e-9));
    if (span >= hi - first + 1 || round >= 4) {
      rows.push(...(await read(sql`i.id <= ${hi}`, need)));
      break;
    }
    const lo = hi - span + 1;
    const found = await read(sql`i.id between ${lo} and ${hi}`, need);
    rows.push(...found);
    // Past this window: the density found here (at least a quarter of the expected, so a window
    // that found nothing still grows fourfold).
    density = Math.max(found.length / span, density / 4);
    hi = lo - 1;
  }
  return rows;
}
