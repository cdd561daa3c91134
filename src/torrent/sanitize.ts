/**
 * Where each file of a torrent is stored: `storagePaths` turns the torrent's own path components
 * (`TorrentFile.path`, BEP 3 `path` / BEP 52 `file tree`, the name first for multi-file torrents) into
 * safe, collision-free relative paths, the way libtorrent 2.0.8 does on Linux, plus our own stricter
 * rules, so every file lands inside its target folder (or blob prefix) under a safe name. The
 * original components stay in `TorrentFile.path`: they go on the wire and into BEP 19 URLs.
 *
 * Per component (libtorrent's `sanitize_append_path_element`, asked on each case, see sanitize.test.ts):
 * - `.` is dropped; `..`, and anything that is only dots (at most two) once `/` and `\` are removed,
 *   is dropped; an empty component becomes `_`; a file whose components all vanish (`[".."]`) is
 *   stored as `_` in the torrent's folder.
 * - `/` and `\` inside a component are removed, and so are the bidi controls U+202A–U+202E,
 *   U+200E, U+200F (they disguise extensions).
 * - A control character (< 0x20) becomes `_`; so does each invalid UTF-8 sequence, read from the
 *   torrent's bytes as libtorrent reads them (a bad sequence takes as many bytes as its lead byte
 *   announces, so `C3 61` is one `_`: the parser's text has U+FFFD there, so `withStoragePaths`
 *   reads those paths' bytes again; v2-only torrents keep the text).
 * - Over-long components are cut once 240 bytes are written, keeping an extension found in the
 *   component's last 9 bytes (`<240 bytes>.mkv`); without one the name is cut at 240 bytes.
 * - A multi-file torrent's name that vanishes (`..`, `.`) becomes the info hash in hex (v1, or the
 *   full v2 hash for v2-only torrents); an empty name becomes `_`.
 *
 * Collisions (libtorrent's `resolve_duplicate_filenames`): every folder of every file is taken first,
 * then files in torrent order; a file whose path equals, ignoring ASCII case, a folder or an earlier
 * file is renamed `<base>.<n><ext>` with the smallest n that is free (`x.txt`, `x.1.txt`, `x.2.txt`;
 * a file `a` beside a folder `a` becomes `a.1`). Padding files of the same size may share a path.
 *
 * Where we deliberately differ (never an unsafe component for `unsafeComponentReason`):
 * - DEL (0x7f) becomes `_` (libtorrent keeps it); a leading drive letter `C:` becomes `C_`; a Windows
 *   device name (`CON`, `nul.txt`, `COM1`...) gets a `_` prefix (`_CON`, `_nul.txt`); a component
 *   is never over 255 bytes, even after a `.n` suffix.
 * - A single-file torrent whose name vanishes (libtorrent refuses it, and so does the parser): named
 *   by its info hash, as a folder would be.
 * Everything else (`:*?"<>|`, trailing dots and spaces) is kept, as libtorrent on Linux keeps it.
 */

import { decode, isBytes, isDict, isList } from '../bencode/index.js';
import { unsafeComponentReason } from './paths.js';
import type { Metainfo, TorrentFile } from './types.js';

/** What `storagePaths` reads of a torrent (a `Metainfo` fits). */
export type StoragePathInput = Pick<Metainfo, 'multiFile' | 'infoHash' | 'infoHashV2' | 'version'> & {
  files: readonly Pick<TorrentFile, 'path' | 'length' | 'padding'>[];
  /** Each file's path as raw bytes (name first), where known: invalid UTF-8 is then read as libtorrent does. */
  raw?: readonly (readonly Uint8Array[] | undefined)[];
};

/** The characters that change writing direction (used to disguise `exe` as `avi`). */
const BIDI = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x200e, 0x200f]);
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
/** libtorrent cuts a component once this many bytes are written (then adds the extension). */
const CUT_AT = 240;
const MAX_COMPONENT_BYTES = 255;
/** Printable ASCII without separators, under the cut: what sanitising leaves alone (`.`/`..` aside). */
const PLAIN = /^[\x20-\x2e\x30-\x5b\x5d-\x7e]{1,239}$/;

/**
 * One component as libtorrent 2.0.8 writes it on Linux, or undefined when it drops it (`.`, `..`,
 * nothing left after removing separators). An empty component is `_`. Given the raw bytes, invalid
 * UTF-8 is read exactly as libtorrent reads it (a bad sequence, as long as its lead byte says, is one
 * `_`); given text, it is the text's UTF-8 (where the parser's decoder already put U+FFFD).
 */
export function libtorrentComponent(element: string | Uint8Array): string | undefined {
  if (typeof element === 'string') {
    if (element === '.' || element === '..') return undefined;
    if (element === '') return '_';
    if (PLAIN.test(element)) return element; // printable ASCII, no separator, short: kept as is
  }
  const bytes = typeof element === 'string' ? Buffer.from(element, 'utf8') : element;
  if (bytes.length === 1 && bytes[0] === 0x2e) return undefined;
  if (bytes.length === 0) return '_';
  const out: number[] = [];
  let added = 0;
  let dots = 0;
  let foundExtension = false;
  for (let i = 0; i < bytes.length; ) {
    const [cp, len] = codePointAt(bytes, i);
    if (cp >= 0 && (BIDI.has(cp) || cp === 0x2f || cp === 0x5c)) {
      i += len;
      continue;
    }
    if (cp < 0x20) {
      // Invalid UTF-8 (-1) or a control character.
      out.push(0x5f);
      added += 1;
      i += len;
      continue;
    }
    for (let k = i; k < i + len; k++) out.push(bytes[k]!);
    if (cp === 0x2e) dots += 1;
    added += len;
    if (added >= CUT_AT && !foundExtension) {
      // A dot in the last 9 bytes, after what was written: jump to it and keep the extension.
      let dot = -1;
      for (let j = bytes.length - 1; j > Math.max(bytes.length - 10, i); j--) {
        if (bytes[j] === 0x2e) {
          dot = j;
          break;
        }
      }
      if (dot === -1) break;
      foundExtension = true;
      i = dot;
      continue;
    }
    i += len;
  }
  if (added === dots && added <= 2) return undefined;
  return Buffer.from(out).toString('utf8');
}

/**
 * The code point at `i` and how many bytes it takes, as libtorrent reads UTF-8: -1 for an invalid
 * sequence, which still takes as many bytes as its lead byte announces (1 for a bad lead byte, at
 * most what is left).
 */
function codePointAt(bytes: Uint8Array, i: number): [number, number] {
  const lead = bytes[i]!;
  const len =
    lead < 0x80
      ? 1
      : lead >> 5 === 6
        ? 2
        : lead >> 4 === 14
          ? 3
          : lead >> 3 === 30
            ? 4
            : lead >> 2 === 62
              ? 5
              : 0;
  if (len === 1) return [lead, 1];
  if (len === 0) return [-1, 1];
  if (len > 4) return [-1, len];
  if (len > bytes.length - i) return [-1, bytes.length - i];
  let cp = lead & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
  for (let k = 1; k < len; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return [-1, len];
    cp = (cp << 6) | (b & 0x3f);
  }
  const overlong = (len === 2 && cp < 0x80) || (len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [-1, len];
  return [cp, len];
}

/** Our stricter rules on top of libtorrent's: never a component `unsafeComponentReason` refuses. */
function strict(component: string): string {
  if (PLAIN.test(component) && !/^[A-Za-z]:/.test(component) && !RESERVED.test(component)) return component;
  let out = component.replace(/\u007f/g, '_');
  if (/^[A-Za-z]:/.test(out)) out = `${out[0]}_${out.slice(2)}`;
  if (RESERVED.test(out)) out = `_${out}`;
  out = cutBytes(out, MAX_COMPONENT_BYTES);
  return unsafeComponentReason(out) === undefined ? out : '_';
}

/**
 * The sanitised, collision-free relative path of every file of `meta` (same order as `meta.files`;
 * the name first for multi-file torrents), every component safe. See the module comment.
 */
export function storagePaths(meta: StoragePathInput): string[][] {
  return resolveDuplicates(sanitisedPaths(meta, strict), meta.files);
}

/**
 * The paths libtorrent 2.0.8 builds BEP 19 web-seed URLs from: its sanitised names before duplicates
 * are renamed (its `orig_files()`), without our stricter rules. The site's web seed answers them too.
 */
export function libtorrentUrlPaths(meta: StoragePathInput & { infoBytes?: Uint8Array }): string[][] {
  return sanitisedPaths(withRaw(meta), (c) => c);
}

/** `meta` with the raw bytes of its paths when its text holds U+FFFD (invalid UTF-8) and `info` is known. */
function withRaw<T extends StoragePathInput & { infoBytes?: Uint8Array }>(meta: T): T {
  const invalid =
    meta.raw === undefined &&
    meta.infoBytes !== undefined &&
    meta.version !== 'v2' &&
    meta.files.some((f) => f.path.some((c) => c.includes('\ufffd')));
  return invalid ? { ...meta, raw: rawPaths(meta.infoBytes!, meta.files.length) } : meta;
}

function sanitisedPaths(meta: StoragePathInput, finish: (component: string) => string): string[][] {
  const fallbackName = meta.version === 'v2' ? (meta.infoHashV2 ?? meta.infoHash) : meta.infoHash;
  const names = new Map<string, string>();
  const nameOf = (given: string | Uint8Array): string => {
    const key = typeof given === 'string' ? given : Buffer.from(given).toString('latin1');
    let name = names.get(key);
    if (name === undefined) {
      name = finish(libtorrentComponent(given) ?? fallbackName);
      names.set(key, name);
    }
    return name;
  };
  // The name's bytes, when known for any file, name the folder of every file.
  const rawName = meta.raw?.find((r) => r !== undefined)?.[0];
  return meta.files.map((file, i): string[] => {
    const [given = '', ...rest] = meta.raw?.[i] ?? file.path;
    const first = rawName ?? given;
    if (!meta.multiFile) return [nameOf(first)];
    const inside = rest.map((c) => libtorrentComponent(c)).filter((c): c is string => c !== undefined);
    return [nameOf(first), ...(inside.length > 0 ? inside : ['_']).map(finish)];
  });
}

/** libtorrent's rule for names that collide (ASCII case ignored): see the module comment. */
function resolveDuplicates(
  paths: string[][],
  files: readonly Pick<TorrentFile, 'length' | 'padding'>[],
): string[][] {
  const key = (parts: readonly string[]) => parts.join('/').replace(/[A-Z]+/g, (s) => s.toLowerCase());
  /** Taken paths: -1 for a folder, else the index of the file that holds it. */
  const taken = new Map<string, number>();
  /** Per folder, base and extension (case ignored): the first `n` that may still be free. */
  const next = new Map<string, number>();
  for (const parts of paths) {
    let folder = '';
    for (let n = 0; n < parts.length - 1; n++) {
      folder = n === 0 ? key([parts[0]!]) : `${folder}/${key([parts[n]!])}`;
      taken.set(folder, -1);
    }
  }
  return paths.map((parts, index) => {
    const holder = taken.get(key(parts));
    if (holder === undefined) {
      taken.set(key(parts), index);
      return parts;
    }
    const other = holder >= 0 ? files[holder]! : undefined;
    if (other?.padding && files[index]!.padding && other.length === files[index]!.length) return parts;
    const last = parts.at(-1)!;
    const dot = last.lastIndexOf('.');
    const ext = dot < 0 ? '' : last.slice(dot);
    const base = dot < 0 ? last : last.slice(0, dot);
    // libtorrent tries n = 1, 2, ... each time; names are never freed, so the next free n for the
    // same base is past the last one found: starting there gives the same names in linear time (a
    // torrent of 100,000 files of one name would otherwise take billions of tries).
    const family = `${key(parts.slice(0, -1))}/${key([base])}\u0000${key([ext])}`;
    for (let n = next.get(family) ?? 1; ; n++) {
      const suffix = `.${n}${ext}`;
      const renamed = [
        ...parts.slice(0, -1),
        cutBytes(base, MAX_COMPONENT_BYTES - byteLength(suffix)) + suffix,
      ];
      if (!taken.has(key(renamed))) {
        taken.set(key(renamed), index);
        next.set(family, n + 1);
        return renamed;
      }
    }
  });
}

/** True when some file is stored under another path than the torrent names (see `storagePaths`). */
export function pathDiffers(file: Pick<TorrentFile, 'path' | 'storagePath'>): boolean {
  return file.path.length !== file.storagePath.length || file.path.some((c, i) => c !== file.storagePath[i]);
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` of at most `max` UTF-8 bytes (never splitting a character). */
function cutBytes(text: string, max: number): string {
  if (byteLength(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (byteLength(out) + byteLength(ch) > max) break;
    out += ch;
  }
  return out;
}

/** The parsed torrent with every file's `storagePath` filled in (the last step of `parseTorrent`). */
export function withStoragePaths(
  meta: Omit<Metainfo, 'files'> & { files: Omit<TorrentFile, 'storagePath'>[] },
): Metainfo {
  // Text with U+FFFD came from invalid UTF-8: read those paths' bytes again, to sanitise as libtorrent.
  const stored = storagePaths(withRaw(meta));
  return { ...meta, files: meta.files.map((f, i) => ({ ...f, storagePath: stored[i]! })) };
}

/**
 * The raw bytes of each file's path (name first) of a v1 or hybrid `info` dictionary, in the parser's
 * order (`name.utf-8` before `name`, `path.utf-8` before `path`); undefined where there is none (a
 * padding file without a path, a v2-only torrent: those keep their decoded text).
 */
function rawPaths(infoBytes: Uint8Array, count: number): (Uint8Array[] | undefined)[] | undefined {
  try {
    const info = decode(infoBytes, { lenient: true, maxDepth: 110, maxSize: infoBytes.length });
    if (!isDict(info)) return undefined;
    const utf8Name = info.get('name.utf-8');
    const name = isBytes(utf8Name) ? utf8Name : info.get('name');
    if (!isBytes(name)) return undefined;
    const list = info.get('files');
    if (!isList(list)) return count === 1 ? [[name]] : undefined;
    if (list.length !== count) return undefined;
    return list.map((entry) => {
      if (!isDict(entry)) return undefined;
      const utf8 = entry.get('path.utf-8');
      const path = isList(utf8) ? utf8 : entry.get('path');
      return isList(path) && path.length > 0 && path.every(isBytes) ? [name, ...path] : undefined;
    });
  } catch {
    return undefined;
  }
}
