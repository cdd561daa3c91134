/**
 * The blob key scheme, the same for every store: `segment/segment/...`, each segment 1–128 characters
 * of `A-Z a-z 0-9 . _ -` starting with a letter or digit, at most 16 segments and 512 characters.
 *
 * So a key can never be absolute, climb out with `..`, name a hidden file (the local store keeps its
 * temporary files in `.tmp`), carry a backslash, NUL or control character, or differ from its S3
 * object name after URL encoding. Keys are made by the site from ids (`items/12/files/0`), never from
 * a user's file name; `safeSegment` exists for the rare name that must show through.
 */

import { SeedcastError } from '../errors.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_KEY = 512;
const MAX_SEGMENTS = 16;

/** The reason `key` is not a valid blob key, or undefined when it is. */
export function invalidKeyReason(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'not a string';
  if (key.length === 0) return 'empty';
  if (key.length > MAX_KEY) return `longer than ${MAX_KEY} characters`;
  const segments = key.split('/');
  if (segments.length > MAX_SEGMENTS) return `more than ${MAX_SEGMENTS} segments`;
  for (const segment of segments) {
    if (segment === '') return 'empty segment (leading, trailing or double "/")';
    if (!SEGMENT.test(segment)) return `bad segment "${printable(segment)}"`;
  }
  return undefined;
}

/** Throws STORAGE_KEY_INVALID unless `key` is a valid blob key; returns it. */
export function assertValidKey(key: string): string {
  const reason = invalidKeyReason(key);
  if (reason) throw new SeedcastError('STORAGE_KEY_INVALID', `${reason}: "${printable(String(key))}"`);
  return key;
}

/**
 * Throws unless `prefix` can start a valid key: empty, or whole segments followed by the start of
 * one (`items/12/`, `items/1`).
 */
export function assertValidPrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new SeedcastError('STORAGE_KEY_INVALID', 'prefix is not a string');
  if (prefix === '') return prefix;
  const probe = prefix.endsWith('/') ? `${prefix}x` : prefix;
  const reason = invalidKeyReason(probe);
  if (reason) throw new SeedcastError('STORAGE_KEY_INVALID', `prefix: ${reason}`);
  return prefix;
}

/** Joins segments into a key (numbers allowed), validating the result. */
export function blobKey(...segments: (string | number)[]): string {
  return assertValidKey(segments.map(String).join('/'));
}

/**
 * A valid segment derived from any text (for names that must show in a key): characters outside the
 * key alphabet become `_`, a leading dot or separator gets a letter in front, length is capped.
 */
export function safeSegment(text: string): string {
  let out = text.normalize('NFKC').replace(/[^A-Za-z0-9._-]/g, '_');
  if (!/^[A-Za-z0-9]/.test(out)) out = `x${out}`;
  return out.slice(0, 128);
}

/** The text quoted for a message, control characters escaped (JSON-style), cut at 80 characters. */
function printable(text: string): string {
  const shown = JSON.stringify(text.slice(0, 80)).slice(1, -1);
  return text.length > 80 ? `${shown}...` : shown;
}
