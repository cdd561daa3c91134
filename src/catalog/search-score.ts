/**
 * FTS5's bm25, computed here for a bounded set of candidates (issue 22). SQLite's own `bm25()`
 * first counts, for every word of the query, how many rows hold it by walking that word's whole
 * posting list (`xQueryPhrase`), once per statement: for a word in most of a million items that
 * costs far more than ranking the candidates, even when only a few rows are ranked. Here the same
 * formula (k1 1.2, b 0.75, the same column weights, FTS5's own token counts per row from
 * `items_fts_docsize` and its totals from the averages record) runs over the candidates' text,
 * and each word's document count comes from its newest matches: exact up to `dfBound`, estimated
 * past it from the id range they span (a word in that many rows weighs almost nothing: bm25 floors
 * its IDF). With one word the IDF is a constant factor and is not needed at all. Matching stays
 * FTS5's; only term frequencies are counted here, with a tokenizer that mirrors `unicode61
 * remove_diacritics 2` (letters, digits and private-use characters; diacritics folded; lower case).
 * This is the path without the search extension: with it, FTS5 itself gives the term frequencies
 * to `seedcast_bm25` in the candidate walk (`search-bound.ts`), and only `bm25Inputs` is used here.
 */

import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import type { FacetRow } from './search-facets.js';

/** The full-text index's columns, in order, with their bm25 weights (as `bm25(items_fts, ...)`). */
export const FTS_COLUMNS = ['title', 'creator', 'tag_names', 'description', 'caption_words'] as const;
export const FTS_WEIGHTS = [10, 5, 5, 1, 0.5] as const;

const K1 = 1.2;
const B = 0.75;
/** Document counts past the bound are estimates; kept this long (ms). */
const DF_TTL = 60_000;
const DF_CACHE = 2_000;

/** Reads SQLite 4-style FTS5 varints (SQLite's record varint: 7 bits a byte, the 9th byte whole). */
function varints(buf: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < buf.length) {
    let v = 0;
    let k = 0;
    for (; k < 8 && i < buf.length; k++) {
      const b = buf[i++]!;
      v = v * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (k === 8 && i < buf.length) v = v * 256 + buf[i++]!;
    out.push(v);
  }
  return out;
}

/** Words folded as `unicode61 remove_diacritics 2` folds them (diacritics off, lower case). */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

/** How often each word occurs among the tokens of `text` (the last as a prefix when `prefix`). */
function frequencies(
  text: string,
  words: readonly string[],
  prefix: boolean,
  into: number[],
  weight: number,
) {
  if (text === '') return;
  const folded = /[^\p{ASCII}]/u.test(text) ? fold(text) : text.toLowerCase();
  // Cheap test first: a column holding none of the words (most of them) is not tokenised.
  if (!words.some((w) => folded.includes(w))) return;
  const last = words.length - 1;
  for (const token of folded.match(TOKEN) ?? []) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (token === w || (prefix && i === last && token.startsWith(w))) into[i]! += weight;
    }
  }
}

interface Cached {
  n: number;
  at: number;
}

export interface ScoreContext {
  db: Database;
  /** The query's words, as `searchWords` gives them. */
  words: readonly string[];
  prefix: boolean;
  /** Document counts are exact up to this many rows per word. */
  dfBound: number;
  cache: Map<string, Cached>;
  /** The SQLite connection has the search extension: the walks score (`search-bound.ts`). */
  native?: boolean;
}

/** Rows of the index and its tokens per row on average (FTS5's averages record). */
async function averages(db: Database): Promise<{ rows: number; avgdl: number }> {
  const r = await sql<{ block: Uint8Array }>`select block from items_fts_data where id = 1`.execute(db);
  const block = r.rows[0]?.block;
  if (!block) return { rows: 0, avgdl: 1 };
  const [rows = 0, ...sizes] = varints(block);
  const tokens = sizes.reduce((a, b) => a + b, 0);
  return { rows, avgdl: rows > 0 ? tokens / rows : 1 };
}

/** How many indexed rows hold `word`: exact up to `dfBound`, then estimated (cached a minute). */
async function documentCount(
  ctx: ScoreContext,
  word: string,
  prefix: boolean,
  rows: number,
): Promise<number> {
  const key = `${prefix ? '*' : ''}${word}`;
  const hit = ctx.cache.get(key);
  if (hit && Date.now() - hit.at < DF_TTL) return hit.n;
  const r = await sql<{ n: number | string; lo: number | string | null; hi: number | string | null }>`
    select count(*) as n, min(id) as lo, (select max(id) from items where status = 'ready') as hi from (
      select rowid as id from items_fts where items_fts match ${`"${word}"${prefix ? '*' : ''}`}
      order by rowid desc limit ${ctx.dfBound + 1}) as m`.execute(ctx.db);
  const n = Number(r.rows[0]?.n ?? 0);
  if (n <= ctx.dfBound) return n;
  const first = await sql<{
    lo: number | string | null;
  }>`select min(id) as lo from items where status = 'ready'`.execute(ctx.db);
  const lo = Number(r.rows[0]!.lo);
  const hi = Number(r.rows[0]!.hi);
  const start = Number(first.rows[0]?.lo ?? lo);
  const estimate = Math.min(rows, Math.round((n * (hi - start + 1)) / Math.max(1, hi - lo + 1)));
  if (ctx.cache.size >= DF_CACHE) ctx.cache.clear();
  ctx.cache.set(key, { n: estimate, at: Date.now() });
  return estimate;
}

/**
 * The average row length and each word's IDF (as FTS5's bm25 floors it). One word: its IDF is a
 * positive constant factor (the order does not depend on it), 1.
 */
export async function bm25Inputs(ctx: ScoreContext): Promise<{ avgdl: number; idf: number[] }> {
  const words = ctx.words.map(fold);
  const { rows, avgdl } = await averages(ctx.db);
  const idf =
    words.length === 1
      ? [1]
      : await Promise.all(
          words.map(async (w, i) => {
            const n = await documentCount(ctx, w, ctx.prefix && i === words.length - 1, rows);
            const v = Math.log((rows - n + 0.5) / (n + 0.5));
            return v <= 0 ? 1e-6 : v;
          }),
        );
  return { avgdl, idf };
}

/**
 * bm25 of each candidate (higher is better; FTS5's `bm25()` is this value negated), keyed by id.
 * Candidates missing from the index (taken down meanwhile) are left out. With `read`, each scored
 * row's facet columns are kept there too (the facets then need not read it again).
 */
export async function bm25Scores(
  ctx: ScoreContext,
  ids: readonly number[],
  read?: Map<number, FacetRow>,
): Promise<Map<number, number>> {
  const scores = new Map<number, number>();
  if (ids.length === 0) return scores;
  const words = ctx.words.map(fold);
  const { avgdl, idf } = await bm25Inputs(ctx);
  const found = await sql<{
    id: number;
    sz: Uint8Array;
    title: string;
    creator: string;
    tag_names: string;
    description: string;
    caption_words: string;
    media_type: string;
    license: string | null;
    tag_terms: string;
  }>`select i.id, d.sz, i.title, i.creator, i.tag_names, i.description, i.caption_words,
      i.media_type, i.license, i.tag_terms
    from json_each(${JSON.stringify([...ids].sort((a, b) => a - b))}) as j
    join items i on i.id = j.value join items_fts_docsize d on d.id = i.id`.execute(ctx.db);
  for (const row of found.rows) {
    const f = words.map(() => 0);
    FTS_COLUMNS.forEach((column, c) => {
      frequencies(row[column] ?? '', words, ctx.prefix, f, FTS_WEIGHTS[c]!);
    });
    const length = varints(row.sz).reduce((a, b) => a + b, 0);
    const norm = K1 * (1 - B + (B * length) / avgdl);
    let score = 0;
    for (let i = 0; i < words.length; i++) score += idf[i]! * ((f[i]! * (K1 + 1)) / (f[i]! + norm));
    scores.set(Number(row.id), score);
    read?.set(Number(row.id), row);
  }
  return scores;
}
