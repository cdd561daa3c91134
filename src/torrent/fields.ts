/**
 * Typed access to the fields of a decoded metainfo dictionary, each failure a `TORRENT_INVALID`
 * error that names the field. Text fields are UTF-8; invalid sequences become U+FFFD rather than
 * being guessed at (the bytes themselves are never altered: hashes are computed over the original).
 */

import { type BDict, type BValue, isBytes, isDict, isInt, isList } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function invalid(detail: string): SeedcastError {
  return new SeedcastError('TORRENT_INVALID', detail);
}

export function text(bytes: Uint8Array): string {
  // Most names and path components are short ASCII: build those by hand, the decoder does the rest.
  if (bytes.length <= 64) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return utf8.decode(bytes);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(bytes);
}

export function dictField(d: BDict, key: string, where: string): BDict {
  const v = d.get(key);
  if (!isDict(v)) throw invalid(`${where}"${key}" must be a dictionary`);
  return v;
}

export function bytesField(d: BDict, key: string, where: string): Uint8Array {
  const v = d.get(key);
  if (!isBytes(v)) throw invalid(`${where}"${key}" must be a byte string`);
  return v;
}

export function optionalBytes(d: BDict, key: string, where: string): Uint8Array | undefined {
  return d.has(key) ? bytesField(d, key, where) : undefined;
}

export function optionalText(d: BDict, key: string): string | undefined {
  const v = d.get(key);
  return isBytes(v) ? text(v) : undefined;
}

/** A non-negative safe integer field. */
export function intField(d: BDict, key: string, where: string): number {
  const v = d.get(key);
  if (!isInt(v)) throw invalid(`${where}"${key}" must be an integer`);
  if (typeof v === 'bigint' || v < 0) throw invalid(`${where}"${key}" is out of range: ${v}`);
  return v;
}

export function optionalInt(d: BDict, key: string, where: string): number | undefined {
  return d.has(key) ? intField(d, key, where) : undefined;
}

export function listField(d: BDict, key: string, where: string): BValue[] {
  const v = d.get(key);
  if (!isList(v)) throw invalid(`${where}"${key}" must be a list`);
  return v;
}

/** A path given as a list of byte strings, decoded to text components. */
export function pathList(v: BValue | undefined, where: string): string[] {
  if (!isList(v)) throw invalid(`${where} must be a list of strings`);
  return v.map((c) => {
    if (!isBytes(c)) throw invalid(`${where} must be a list of strings`);
    return text(c);
  });
}

/** A URL list that may be one string or a list of strings (BEP 19 `url-list`), empty strings dropped. */
export function stringOrList(v: BValue | undefined): string[] {
  if (isBytes(v)) return v.length > 0 ? [text(v)] : [];
  if (isList(v))
    return v
      .filter(isBytes)
      .map(text)
      .filter((s) => s.length > 0);
  return [];
}

/** libtorrent's largest file: its merkle trees index blocks with an `int` (about 16 TiB). */
export const MAX_FILE_SIZE = Math.floor((2 ** 31 - 1) / 2) * 16 * 1024;
/** libtorrent's largest offset into a torrent's payload (2^48 - 1). */
export const MAX_TOTAL_SIZE = 2 ** 48 - 1;
/** libtorrent's default limit on the number of pieces of a torrent (`load_torrent_limits.max_pieces`). */
export const MAX_PIECES = 0x200000;

/** BEP 47 `attr` as text; a value that is not a string is ignored, as libtorrent does. */
export function optionalAttr(d: BDict): string {
  const v = d.get('attr');
  return isBytes(v) ? text(v) : '';
}

/**
 * True when libtorrent's sanitising leaves nothing of a name: once `/`, `\` and the Unicode
 * direction marks are dropped, it is empty, `.` or `..`. libtorrent then names a multi-file
 * torrent's folder after its info hash and refuses a single-file torrent ("missing name").
 */
export function sanitizesToNothing(name: string): boolean {
  const kept = name.replace(/[/\\\u202a-\u202e\u200e\u200f]/g, '');
  return kept === '' || kept === '.' || kept === '..';
}
