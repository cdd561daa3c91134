/**
 * Search inside transcripts (issue 18): the words of caption cues as the index stores them, and the
 * moment a search hit is spoken. Cue words are cut exactly as the search cuts what people type
 * (`searchWords`: NFKC, lower case, letters, digits and marks) and stored space-framed
 * (` hello world `), so "the first cue holding every word" is a few parameterised `LIKE`s over the
 * page's items only (the words hold no `%`, `_` or `\`). `items.caption_words` keeps each distinct
 * word once (capped), for the full-text index.
 */

import { sql } from 'kysely';
import type { Database } from '../db/index.js';

/** Characters of distinct caption words kept per item for the full-text index. */
export const MAX_CAPTION_WORDS = 64 * 1024;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** A cue's words as `caption_cues.words` holds them: ` w1 w2 ` (empty string when it has none). */
export function cueWords(text: string): string {
  const words = (text.normalize('NFKC').toLowerCase().match(WORD) ?? []).map((w) => w.slice(0, 64));
  return words.length > 0 ? ` ${words.join(' ')} ` : '';
}

/** The distinct words of many cues, space-separated, at most `MAX_CAPTION_WORDS` characters. */
export function distinctWords(cues: Iterable<string>): string {
  const seen = new Set<string>();
  let size = 0;
  for (const cue of cues) {
    for (const word of cue.split(' ')) {
      if (word === '' || seen.has(word)) continue;
      if (size + word.length + 1 > MAX_CAPTION_WORDS) return [...seen].join(' ');
      seen.add(word);
      size += word.length + 1;
    }
  }
  return [...seen].join(' ');
}

/**
 * For each of `itemIds`, the start (ms) of its first cue holding every one of `words` (the search's
 * words: `searchWords`; the last as a prefix when `prefix`); items without such a cue are absent.
 */
export async function captionMoments(
  db: Database,
  itemIds: readonly number[],
  query: { words: readonly string[]; prefix: boolean },
): Promise<Map<number, number>> {
  const moments = new Map<number, number>();
  const { words, prefix } = query;
  if (itemIds.length === 0 || words.length === 0) return moments;
  const conditions = words.map((w, i) =>
    prefix && i === words.length - 1 ? sql`words like ${`% ${w}%`}` : sql`words like ${`% ${w} %`}`,
  );
  const rows = await sql<{ item_id: number; start: number | string }>`
    select item_id, min(start_ms) as start from caption_cues
    where item_id in (${sql.join(itemIds.map((id) => sql`${id}`))}) and ${sql.join(conditions, sql` and `)}
    group by item_id`.execute(db);
  for (const row of rows.rows) moments.set(Number(row.item_id), Number(row.start));
  return moments;
}
