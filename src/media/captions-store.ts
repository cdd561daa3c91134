/**
 * An item's captions and chapters, kept: each caption file (one per item and language, replaced by
 * a new upload of the same language) is stored as the canonical WebVTT blob
 * `items/<id>/captions/<language>.vtt`, with its row and its cues' words (for search hits inside
 * transcripts) kept by the catalog's `CaptionRepository`, which also keeps the chapters' JSON
 * document. This module checks and parses what is uploaded, keeps the blobs and implements
 * `CaptionViews` (what pages, the player and feeds read).
 */

import { createHash } from 'node:crypto';
import type { CaptionRepository, SiteLinks } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';
import type { BlobStore } from '../storage/index.js';
import { type Chapters, checkChapters } from './captions-chapters.js';
import { type CaptionFormat, cuePlainText, parseCaptions } from './captions-format.js';
import type { CaptionKind, CaptionView, CaptionViews } from './view.js';

/** Caption languages one item may have. */
export const MAX_CAPTION_LANGUAGES = 50;

export interface CaptionRecord extends CaptionView {
  cues: number;
  bytes: number;
  blobKey: string;
  createdAt: number;
}

export interface CaptionUpload {
  language: string;
  label?: string;
  kind?: string;
  /** The file's bytes (WebVTT or SRT). */
  bytes: Uint8Array;
  /** The uploaded file's name: `.srt` or `.vtt` decides the format when given. */
  filename?: string;
}

/** A BCP 47 tag in its canonical form (`pt-br` becomes `pt-BR`); CAPTION_INVALID when it is none. */
export function canonicalLanguage(tag: string): string {
  const t = tag.trim();
  const bad = () => new SeedcastError('CAPTION_INVALID', 'language: a BCP 47 tag such as en, fr or pt-BR');
  if (t.length < 2 || t.length > 35 || !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(t)) throw bad();
  try {
    const [canonical] = Intl.getCanonicalLocales(t);
    if (!canonical || canonical.length > 35) throw bad();
    return canonical;
  } catch {
    throw bad();
  }
}

/** The language's English name (`pt-BR`: "Brazilian Portuguese"), else the tag. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export class Captions implements CaptionViews {
  constructor(private readonly deps: { captions: CaptionRepository; blobs: BlobStore; links: SiteLinks }) {}

  /** `/items/:id/captions/<language>.vtt`, absolute. */
  fileUrl(itemId: number, language: string): string {
    return `${this.deps.links.root}/items/${itemId}/captions/${encodeURIComponent(language)}.vtt`;
  }

  async list(itemId: number): Promise<CaptionRecord[]> {
    const rows = await this.deps.captions.list(itemId);
    return rows.map((r) => ({
      language: r.language,
      label: r.label,
      kind: r.kind,
      url: this.fileUrl(itemId, r.language),
      cues: r.cues,
      bytes: r.bytes,
      blobKey: r.blobKey,
      createdAt: r.createdAt,
    }));
  }

  async captions(itemId: number): Promise<CaptionView[]> {
    return (await this.list(itemId)).map(({ language, label, kind, url }) => ({
      language,
      label,
      kind,
      url,
    }));
  }

  /** The caption of `language` (any case), or undefined. */
  async get(itemId: number, language: string): Promise<CaptionRecord | undefined> {
    let tag: string;
    try {
      tag = canonicalLanguage(language);
    } catch {
      return undefined;
    }
    return (await this.list(itemId)).find((c) => c.language === tag);
  }

  /** Stores a caption file for `itemId`, replacing the one of the same language. */
  async put(itemId: number, upload: CaptionUpload): Promise<CaptionRecord> {
    const language = canonicalLanguage(upload.language);
    const kind = (upload.kind ?? 'captions').trim() || 'captions';
    if (kind !== 'captions' && kind !== 'subtitles')
      throw new SeedcastError('CAPTION_INVALID', 'kind: captions or subtitles');
    const label = (upload.label ?? '').trim().replace(/\s+/g, ' ') || languageName(language);
    if (label.length > 100) throw new SeedcastError('CAPTION_INVALID', 'label: at most 100 characters');
    const ext = /\.(srt|vtt)$/i.exec(upload.filename ?? '')?.[1]?.toLowerCase() as CaptionFormat | undefined;
    const parsed = parseCaptions(upload.bytes, ext ? { format: ext } : {});
    const existing = await this.list(itemId);
    if (!existing.some((c) => c.language === language) && existing.length >= MAX_CAPTION_LANGUAGES)
      throw new SeedcastError(
        'CAPTION_INVALID',
        `at most ${MAX_CAPTION_LANGUAGES} caption languages per item`,
      );
    const blobKey = `items/${itemId}/captions/${language}.vtt`;
    const body = Buffer.from(parsed.vtt, 'utf8');
    await this.deps.blobs.put(blobKey, body);
    await this.deps.captions.replace(
      { itemId, language, label, kind: kind as CaptionKind, blobKey, bytes: body.length },
      parsed.cues.map((c) => ({ start: c.start, text: cuePlainText(c) })),
    );
    return (await this.get(itemId, language))!;
  }

  /** Removes the caption of `language`; false when there was none. */
  async delete(itemId: number, language: string): Promise<boolean> {
    const found = await this.get(itemId, language);
    if (!found) return false;
    await this.deps.captions.delete(itemId, found.language);
    await this.deps.blobs.delete(found.blobKey).catch(() => undefined);
    return true;
  }

  /** The WebVTT file's text and a strong validator. */
  async file(itemId: number, language: string): Promise<{ body: Buffer; etag: string } | undefined> {
    const found = await this.get(itemId, language);
    if (!found) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.deps.blobs.get(found.blobKey)) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
  }

  /** Removes every caption blob of an item (its rows go with the item's). */
  async forget(itemId: number): Promise<void> {
    for await (const blob of this.deps.blobs.list(`items/${itemId}/captions/`))
      await this.deps.blobs.delete(blob.key).catch(() => undefined);
  }

  async chapters(itemId: number): Promise<Chapters | null> {
    const body = await this.deps.captions.chapters(itemId);
    return body !== null ? (JSON.parse(body) as Chapters) : null;
  }

  async chaptersUrl(itemId: number): Promise<string | null> {
    return (await this.deps.captions.hasChapters(itemId))
      ? `${this.deps.links.root}/items/${itemId}/chapters.json`
      : null;
  }

  /** Checks and stores chapters (no chapters: removes them); the stored document, or null. */
  async putChapters(itemId: number, input: unknown): Promise<Chapters | null> {
    const chapters = checkChapters(input);
    await this.deps.captions.replaceChapters(
      itemId,
      chapters.chapters.length > 0
        ? { body: JSON.stringify(chapters), count: chapters.chapters.length }
        : null,
    );
    return chapters.chapters.length > 0 ? chapters : null;
  }
}
