/**
 * Checking an item's fields before they reach the database: every refusal is ITEM_INVALID naming the
 * field. Text is trimmed and must be free of control characters (PostgreSQL cannot even store NUL);
 * tags are normalised (lower case, single spaces) and de-duplicated; file paths are checked component
 * by component with the torrent module's rules (no `..`, no separators, no control characters, no
 * drive letters); blob keys with the storage module's.
 */

import { type ItemStatus, MEDIA_TYPES, type MediaType } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { invalidKeyReason } from '../storage/index.js';
import { unsafeComponentReason } from '../torrent/index.js';
import type { ItemFieldInput } from './item-fields.js';

export interface ItemFileInput {
  /** Path inside the torrent's folder, as components or joined by `/`. */
  path: string | readonly string[];
  length: number;
  blobKey?: string | null;
  mimeType?: string | null;
  sha256?: string | null;
}

/**
 * The publisher's metadata: what `update` may change. The simple fields (title, description,
 * creator, date, language, series, episode...) are declared in `item-fields.ts`.
 */
export interface ItemMetadata extends ItemFieldInput {
  license?: string | null;
  tags?: readonly string[];
  channelId?: number | null;
}

/** What the site learns while publishing. */
export interface ItemFacts {
  status?: ItemStatus;
  mediaType?: MediaType;
  mimeType?: string | null;
  infoHash?: string | null;
  infoHashV2?: string | null;
  torrentKey?: string | null;
  pieceLength?: number | null;
  durationMs?: number | null;
  width?: number | null;
  height?: number | null;
  thumbnailKey?: string | null;
  /** When the media facts were read (epoch ms). */
  mediaCheckedAt?: number | null;
}

export interface NewItemInput extends ItemMetadata, ItemFacts {
  ownerId: number;
  title: string;
  torrentOnly?: boolean;
  files: readonly ItemFileInput[];
}

const MAX_TAGS = 20;
const MAX_FILES = 10_000;

export function invalid(field: string, why: string): never {
  throw new SeedcastError('ITEM_INVALID', `${field}: ${why}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Trimmed single-line text of 1..max characters (or 0.. when `optional`). */
export function text(
  field: string,
  value: unknown,
  max: number,
  options: { multiline?: boolean } = {},
): string {
  if (typeof value !== 'string') invalid(field, 'must be text');
  const trimmed = value.trim();
  if ([...trimmed].length > max) invalid(field, `at most ${max} characters`);
  if ((options.multiline ? CONTROL_BUT_LINES : CONTROL).test(trimmed)) invalid(field, 'control characters');
  return trimmed;
}

export function requiredText(field: string, value: unknown, max: number): string {
  const t = text(field, value, max);
  if (t === '') invalid(field, 'required');
  return t;
}

/** Null for null/undefined/empty, else checked text. */
export function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === null || value === undefined) return null;
  const t = text(field, value, max);
  return t === '' ? null : t;
}

export function checkTags(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalid('tags', 'a list');
  const out = new Set<string>();
  for (const raw of value) {
    const tag = text('tags', raw, 50).toLowerCase().replace(/\s+/g, ' ');
    if (tag === '') continue;
    if (tag.includes(',')) invalid('tags', 'a tag cannot contain ","');
    out.add(tag);
  }
  if (out.size > MAX_TAGS) invalid('tags', `at most ${MAX_TAGS}`);
  return [...out];
}

function hex(field: string, value: unknown, digits: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value))
    invalid(field, `${digits} hex digits`);
  return value.toLowerCase();
}

export const infoHashV1 = (v: unknown) => hex('infoHash', v, 40);
export const infoHashV2 = (v: unknown) => hex('infoHashV2', v, 64);
export const sha256Hex = (v: unknown) => hex('sha256', v, 64);

export function blobKeyOrNull(field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const reason = invalidKeyReason(value);
  if (reason) invalid(field, reason);
  return value as string;
}

export function count(field: string, value: unknown, options: { nullable: true }): number | null;
export function count(field: string, value: unknown): number;
export function count(field: string, value: unknown, options: { nullable?: boolean } = {}): number | null {
  if ((value === null || value === undefined) && options.nullable) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    invalid(field, 'a whole number, 0 or more');
  return value;
}

export function checkMediaType(value: unknown): MediaType | undefined {
  if (value === undefined) return undefined;
  if (!MEDIA_TYPES.includes(value as MediaType)) invalid('mediaType', `one of ${MEDIA_TYPES.join(', ')}`);
  return value as MediaType;
}

export interface CheckedFile {
  path: string;
  length: number;
  blobKey: string | null;
  mimeType: string | null;
  sha256: string | null;
}

export function checkFiles(value: unknown): CheckedFile[] {
  if (!Array.isArray(value) || value.length === 0) invalid('files', 'at least one file');
  if (value.length > MAX_FILES) invalid('files', `at most ${MAX_FILES}`);
  const seen = new Set<string>();
  return (value as ItemFileInput[]).map((f, i) => {
    const field = `files[${i}]`;
    const parts = typeof f?.path === 'string' ? f.path.split('/') : f?.path;
    if (!Array.isArray(parts) || parts.length === 0) invalid(`${field}.path`, 'required');
    for (const part of parts) {
      const reason = typeof part === 'string' ? unsafeComponentReason(part) : 'not text';
      if (reason) invalid(`${field}.path`, reason);
    }
    const path = parts.join('/');
    if (path.length > 4096) invalid(`${field}.path`, 'longer than 4096 characters');
    if (seen.has(path)) invalid(`${field}.path`, `"${path}" appears twice`);
    seen.add(path);
    return {
      path,
      length: count(`${field}.length`, f.length),
      blobKey: blobKeyOrNull(`${field}.blobKey`, f.blobKey),
      mimeType: optionalText(`${field}.mimeType`, f.mimeType, 255),
      sha256: hex(`${field}.sha256`, f.sha256, 64),
    };
  });
}
