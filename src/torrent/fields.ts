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
