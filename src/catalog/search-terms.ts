/**
 * The query languages' text for a search (issue 22): user words cut and quoted for FTS5 and
 * tsquery, and SQLite's filter terms. User text never reaches a query language as syntax: it is
 * cut into words (letters, digits, marks) and each word is quoted, so FTS5 and tsquery operators
 * (`"`, `*`, `NEAR(`, `OR`, `&`, `!`...) are plain words; the last word matches as a prefix when
 * the text does not end in a space.
 *
 * Filter terms (SQLite, migration `0024_search_index`): each ready item's full-text row holds one
 * term per filter value in its `search_filters` column, each starting with U+E000 (private use),
 * which no word from `searchWords` holds: a search's filters are added to its FTS5 query as quoted
 * terms, and FTS5 intersects the posting lists itself, never reading `items`.
 */

import { FILTER_MARK } from '../db/index.js';

const MAX_WORDS = 16;
const MAX_WORD = 64;

/** The words of user text, lower-cased (at most 16, each at most 64 characters). */
export function searchWords(q: string): { words: string[]; prefix: boolean } {
  const normal = q.normalize('NFKC').toLowerCase();
  const words = (normal.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [])
    .slice(0, MAX_WORDS)
    .map((w) => w.slice(0, MAX_WORD));
  const last = words.at(-1);
  const prefix = last !== undefined && last.length >= 2 && /[\p{L}\p{N}\p{M}]$/u.test(normal);
  return { words, prefix };
}

/** An FTS5 query matching every word (each quoted; the last as a prefix when `prefix`). */
export function ftsQuery(words: readonly string[], prefix: boolean): string {
  return words.map((w, i) => `"${w}"${prefix && i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** A PostgreSQL tsquery text matching every word (each quoted; the last as a prefix when `prefix`). */
export function tsQuery(words: readonly string[], prefix: boolean, weight = ''): string {
  return words
    .map((w, i) => {
      const label = `${prefix && i === words.length - 1 ? '*' : ''}${weight}`;
      return `'${w}'${label ? `:${label}` : ''}`;
    })
    .join(' & ');
}

/** Kinds of filter terms: media type, licence, creator, channel id, owner id, tag id. */
export type FilterKind = 'type' | 'license' | 'creator' | 'channel' | 'owner' | 'tag';

const LETTER: Record<FilterKind, string> = {
  type: 't',
  license: 'l',
  creator: 'c',
  channel: 'h',
  owner: 'o',
  tag: 'g',
};

/**
 * The quoted FTS5 term of a filter value, as `search_filters` indexes it (text values as the hex
 * of their UTF-8, which FTS5 folds to lower case; `undefined` for a value no item can have).
 */
export function filterTerm(kind: FilterKind, value: string | number | undefined): string {
  if (value === undefined) return `"${FILTER_MARK}none"`;
  const text =
    kind === 'license' || kind === 'creator'
      ? Buffer.from(String(value), 'utf8').toString('hex')
      : String(value).toLowerCase();
  return `"${FILTER_MARK}${LETTER[kind]}${text}"`;
}
