/**
 * The formats of the torrents a site makes for its uploads: `v1` (BEP 3, the default: every client
 * loads it and computes the same info hash) or `hybrid` (BEP 52 v1+v2 with BEP 47 padding; aria2 1.36
 * computes another v1 hash for it and Transmission 3.00 refuses it). See docs/interop.md.
 */

import { type ErrorCode, SeedcastError } from '../errors.js';

export type TorrentFormat = 'v1' | 'hybrid';

export const TORRENT_FORMATS: readonly TorrentFormat[] = ['v1', 'hybrid'];

/** `v1` or `hybrid` (any case, trimmed); anything else is `code` naming `name`. */
export function parseTorrentFormat(value: string, name: string, code: ErrorCode = 'USAGE'): TorrentFormat {
  const v = value.trim().toLowerCase();
  if ((TORRENT_FORMATS as readonly string[]).includes(v)) return v as TorrentFormat;
  throw new SeedcastError(code, `${name} must be v1 or hybrid, got "${value.slice(0, 40)}"`);
}
