/**
 * Captions and chapters in the database (issue 18): an item's caption rows (one per item and
 * language; a new one of the same language replaces it), each caption's cue words (for search hits
 * inside transcripts, cut as `search-moments.ts` says) and the item's chapters document. A change
 * renews the item's `caption_words` (the full-text index follows through the database) and its
 * `updated_at` (feeds notice). Parsing, blobs and what pages read stay in `media` (`Captions`).
 * Tested on SQLite and PostgreSQL.
 */

import type { Database } from '../db/index.js';
import { cueWords, distinctWords } from './search-moments.js';

const CUE_BATCH = 500;

/** A stored caption file of an item. */
export interface CaptionRow {
  itemId: number;
  /** BCP 47 tag, canonical case (`en`, `pt-BR`). */
  language: string;
  label: string;
  kind: 'captions' | 'subtitles';
  /** `items/<id>/captions/<language>.vtt`. */
  blobKey: string;
  /** How many cues the file has. */
  cues: number;
  /** Size of the WebVTT file. */
  bytes: number;
  createdAt: number;
}

export type NewCaption = Omit<CaptionRow, 'cues' | 'createdAt'>;

/** A cue's start (ms) and its plain text; the repository keeps its words. */
export interface CaptionCueText {
  start: number;
  text: string;
}

/** An item's chapters as stored: the JSON document (as served) and how many chapters it has. */
export interface ChaptersDocument {
  body: string;
  count: number;
}

export class CaptionRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The item's captions, by language. */
  async list(itemId: number): Promise<CaptionRow[]> {
    const rows = await this.db
      .selectFrom('captions')
      .selectAll()
      .where('item_id', '=', itemId)
      .orderBy('language')
      .execute();
    return rows.map((r) => ({
      itemId: Number(r.item_id),
      language: r.language,
      label: r.label,
      kind: r.kind,
      blobKey: r.blob_key,
      cues: Number(r.cue_count),
      bytes: Number(r.bytes),
      createdAt: Number(r.created_at),
    }));
  }

  /**
   * Records a caption (replacing the one of the same item and language) with its cues' words (all
   * `cues` count; those without words are not kept for search), and renews the item's words.
   */
  async replace(caption: NewCaption, cues: readonly CaptionCueText[]): Promise<void> {
    const { itemId, language } = caption;
    const now = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('captions')
        .where('item_id', '=', itemId)
        .where('language', '=', language)
        .execute();
      const row = await tx
        .insertInto('captions')
        .values({
          item_id: itemId,
          language,
          label: caption.label,
          kind: caption.kind,
          blob_key: caption.blobKey,
          cue_count: cues.length,
          bytes: caption.bytes,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const kept = cues
        .map((c) => ({ start: c.start, words: cueWords(c.text) }))
        .filter((c) => c.words !== '');
      for (let i = 0; i < kept.length; i += CUE_BATCH) {
        await tx
          .insertInto('caption_cues')
          .values(
            kept.slice(i, i + CUE_BATCH).map((c, j) => ({
              caption_id: row.id,
              seq: i + j,
              item_id: itemId,
              start_ms: c.start,
              words: c.words,
            })),
          )
          .execute();
      }
      await renewWords(tx, itemId, now);
    });
  }

  /** Removes the caption of `language` (its canonical tag) with its cues, and renews the item's words. */
  async delete(itemId: number, language: string): Promise<void> {
    const now = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('captions')
        .where('item_id', '=', itemId)
        .where('language', '=', language)
        .execute();
      await renewWords(tx, itemId, now);
    });
  }

  /** The item's chapters document (JSON text), or null. */
  async chapters(itemId: number): Promise<string | null> {
    const row = await this.db
      .selectFrom('item_chapters')
      .select('body')
      .where('item_id', '=', itemId)
      .executeTakeFirst();
    return row ? row.body : null;
  }

  async hasChapters(itemId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('item_chapters')
      .select('item_id')
      .where('item_id', '=', itemId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Stores the item's chapters (null: removes them) and renews its `updated_at`. */
  async replaceChapters(itemId: number, chapters: ChaptersDocument | null): Promise<void> {
    const now = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('item_chapters').where('item_id', '=', itemId).execute();
      if (chapters)
        await tx
          .insertInto('item_chapters')
          .values({ item_id: itemId, body: chapters.body, chapter_count: chapters.count, updated_at: now })
          .execute();
      await tx.updateTable('items').set({ updated_at: now }).where('id', '=', itemId).execute();
    });
  }
}

/** The item's distinct caption words for the index, and its change time. */
async function renewWords(tx: Database, itemId: number, now: number): Promise<void> {
  const rows = await tx.selectFrom('caption_cues').select('words').where('item_id', '=', itemId).execute();
  await tx
    .updateTable('items')
    .set({ caption_words: distinctWords(rows.map((r) => r.words)), updated_at: now })
    .where('id', '=', itemId)
    .execute();
}
