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
 * - A control character (< 0x20) becomes `_`; so does invalid UTF-8 (the parser decodes it to U+FFFD,
 *   which we turn into `_`; libtorrent counts the bad bytes its own way, so the number of `_` can
 *   differ for some malformed sequences, and a genuine U+FFFD also becomes `_` here).
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
 * - Invalid UTF-8 (above) and a single-file torrent whose name vanishes (libtorrent refuses it; we
 *   name it by its info hash, as for a folder).
 * Everything else (`:*?"<>|`, trailing dots and spaces) is kept, as libtorrent on Linux keeps it.
 */

import { unsafeComponentReason } from './paths.js';
import type { Metainfo, TorrentFile } from './types.js';

/** What `storagePaths` reads of a torrent (a `Metainfo` fits). */
export type StoragePathInput = Pick<Metainfo, 'multiFile' | 'infoHash' | 'infoHashV2' | 'version'> & {
  files: readonly Pick<TorrentFile, 'path' | 'length' | 'padding'>[];
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
 * nothing left after removing separators). An empty component is `_`.
 */
export function libtorrentComponent(element: string): string | undefined {
  if (element === '.' || element === '..') return undefined;
  if (element === '') return '_';
  if (PLAIN.test(element)) return element; // printable ASCII, no separator, short: kept as is
  const bytes = Buffer.from(element, 'utf8');
  const points = [...element].map((ch) => ch.codePointAt(0)!);
  const starts: number[] = [];
  for (let k = 0, at = 0; k < points.length; at += utf8Length(points[k]!), k++) starts.push(at);
  let out = '';
  let added = 0;
  let dots = 0;
  let foundExtension = false;
  for (let k = 0; k < points.length; k++) {
    const cp = points[k]!;
    if (BIDI.has(cp) || cp === 0x2f || cp === 0x5c) continue;
    if (cp < 0x20 || cp === 0xfffd) {
      out += '_';
      added += 1;
      continue;
    }
    out += String.fromCodePoint(cp);
    if (cp === 0x2e) dots += 1;
    added += utf8Length(cp);
    if (added >= CUT_AT && !foundExtension) {
      // A dot in the last 9 bytes, after what was written: jump to it and keep the extension.
      const at = starts[k]!;
      let dot = -1;
      for (let j = bytes.length - 1; j > Math.max(bytes.length - 10, at); j--) {
        if (bytes[j] === 0x2e) {
          dot = j;
          break;
        }
      }
      if (dot === -1) break;
      foundExtension = true;
      k = starts.indexOf(dot) - 1;
    }
  }
  if (added === dots && added <= 2) return undefined;
  return out;
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
export function libtorrentUrlPaths(meta: StoragePathInput): string[][] {
  return sanitisedPaths(meta, (c) => c);
}

function sanitisedPaths(meta: StoragePathInput, finish: (component: string) => string): string[][] {
  const fallbackName = meta.version === 'v2' ? (meta.infoHashV2 ?? meta.infoHash) : meta.infoHash;
  const names = new Map<string, string>();
  const nameOf = (given: string): string => {
    let name = names.get(given);
    if (name === undefined) {
      name = finish(libtorrentComponent(given) ?? fallbackName);
      names.set(given, name);
    }
    return name;
  };
  return meta.files.map((file): string[] => {
    const [first = '', ...rest] = file.path;
    if (!meta.multiFile) return [nameOf(first)];
    const inside = rest.map(libtorrentComponent).filter((c): c is string => c !== undefined);
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
    for (let n = 1; ; n++) {
      const suffix = `.${n}${ext}`;
      const renamed = [
        ...parts.slice(0, -1),
        cutBytes(base, MAX_COMPONENT_BYTES - byteLength(suffix)) + suffix,
      ];
      if (!taken.has(key(renamed))) {
        taken.set(key(renamed), index);
        return renamed;
      }
    }
  });
}

/** True when some file is stored under another path than the torrent names (see `storagePaths`). */
export function pathDiffers(file: Pick<TorrentFile, 'path' | 'storagePath'>): boolean {
  return file.path.length !== file.storagePath.length || file.path.some((c, i) => c !== file.storagePath[i]);
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
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
  const stored = storagePaths(meta);
  return { ...meta, files: meta.files.map((f, i) => ({ ...f, storagePath: stored[i]! })) };
}
