/**
 * The tables of captions and chapters (issue 18, migration 0015_captions in
 * `migrations-captions.ts`): an item's caption files per language, their cues' words for search, and
 * its podcast JSON chapters. Part of `Schema` (`schema.ts`), re-exported by `src/db/index.ts`.
 */

import type { ColumnType, Generated } from 'kysely';

type Defaulted<T> = ColumnType<T, T | undefined, T>;

export type CaptionKindColumn = 'captions' | 'subtitles';

/** An item's caption file in one language (migration 0015_captions). */
export interface CaptionsTable {
  id: Generated<number>;
  item_id: number;
  /** BCP 47 tag, canonical case (`en`, `pt-BR`). */
  language: string;
  label: string;
  kind: Defaulted<CaptionKindColumn>;
  /** `items/<id>/captions/<language>.vtt`. */
  blob_key: string;
  cue_count: number;
  /** Size of the WebVTT file. */
  bytes: number;
  created_at: number;
}

/** A cue's start and words, for search hits inside transcripts (migration 0015_captions). */
export interface CaptionCuesTable {
  caption_id: number;
  seq: number;
  item_id: number;
  start_ms: number;
  /** Lower-case words without accents, space-separated, with a space before and after. */
  words: string;
}

/** An item's podcast JSON chapters (migration 0015_captions). */
export interface ItemChaptersTable {
  item_id: number;
  /** The JSON document, as served. */
  body: string;
  chapter_count: number;
  updated_at: number;
}
