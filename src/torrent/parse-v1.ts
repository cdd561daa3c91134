/**
 * The BEP 3 (v1) file list of a metainfo `info` dictionary, read the way libtorrent 2.0.8 reads it,
 * and the check that a hybrid torrent's v1 and v2 views describe the same files (BEP 52).
 *
 *   single file   info.length (+ attr)                 the file is named by info.name
 *   multi file    info.files = [{ length, path, attr, symlink path }]   under the folder info.name
 *
 * Paths are kept as the torrent says them (`..`, separators, empty components included): storing
 * them safely is `storagePath`'s job. What libtorrent refuses is refused: a file without a usable
 * length (symlinks have none: they take no payload space, BEP 47), a non-padding entry without a
 * path, a path element that is not a string. BitComet's `_____padding_file_` names mark padding
 * files as libtorrent treats them, and a `l` attribute without a `symlink path` is a plain empty file.
 */

import { type BDict, type BValue, isDict, isList } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import { invalid, MAX_FILE_SIZE, MAX_TOTAL_SIZE, optionalAttr, pathList } from './fields.js';
import type { V2File } from './parse-v2.js';
import type { ParsedFile as TorrentFile } from './types.js';

export interface V1Files {
  files: TorrentFile[];
  multiFile: boolean;
}

/** The v1 view: a `files` list when it is a list (libtorrent ignores `length` then), else `length`. */
export function parseV1Files(info: BDict, name: string): V1Files {
  const list = info.get('files');
  if (isList(list)) {
    let offset = 0;
    const files = list.map((entry, i): TorrentFile => {
      const file = v1Entry(entry, i, name, offset);
      offset += file.length;
      if (offset > MAX_TOTAL_SIZE) throw invalid('total length is too large');
      return file;
    });
    return { files, multiFile: true };
  }
  const attr = optionalAttr(info);
  const symlink = attr.includes('l');
  const length = symlink ? 0 : sizeOf(info.get('length'), 'info."length"');
  return { files: [{ path: [name], length, offset: 0, attr, padding: false }], multiFile: false };
}

function sizeOf(v: BValue | undefined, where: string): number {
  if (typeof v !== 'number' || v < 0) throw invalid(`${where} must be a non-negative integer`);
  if (v > MAX_FILE_SIZE) throw invalid(`${where} ${v} is larger than a file can be (${MAX_FILE_SIZE})`);
  return v;
}

function v1Entry(entry: BValue, i: number, name: string, offset: number): TorrentFile {
  const where = `info.files[${i}]`;
  if (!isDict(entry)) throw invalid(`${where} must be a dictionary`);
  const attr = optionalAttr(entry);
  // BEP 47: a symlink takes no payload space, whatever `length` says (libtorrent reads it as 0).
  const symlink = attr.includes('l');
  const length = symlink ? 0 : sizeOf(entry.get('length'), `${where}."length"`);
  const utf8 = entry.get('path.utf-8');
  const pathValue = isList(utf8) ? utf8 : entry.get('path');
  let path: string[];
  let padding = attr.includes('p');
  if (isList(pathValue) && pathValue.length > 0) {
    path = pathList(pathValue, `${where}."path"`);
  } else if (padding) {
    path = ['.pad', String(length)];
  } else {
    throw invalid(`${where} has no "path"`);
  }
  const full = [name, ...path];
  // BitComet's padding files, named rather than flagged: libtorrent treats them as padding.
  if (!padding && full.some((c) => c.includes('_____padding_file_'))) padding = true;
  const file: TorrentFile = { path: full, length, offset, attr, padding };
  if (symlink) {
    const target = entry.get('symlink path');
    if (isList(target)) file.symlinkPath = pathList(target, `${where}."symlink path"`);
  }
  return file;
}

/** The v1 path of a v2 file: under the torrent's folder unless the torrent is a single file. */
export function v2PathOf(f: V2File, root: string | undefined): string[] {
  return root === undefined ? f.path : [root, ...f.path];
}

/**
 * Hybrid: libtorrent lays the v2 files out with a padding file after every file that does not end on
 * a piece boundary, and requires the v1 list to match it entry for entry (the last padding optional):
 * same count, and for each non-empty, non-padding file the same path, length and offset. Attach
 * each v2 file's pieces root to its v1 twin.
 */
export function attachV2(
  v1: TorrentFile[],
  v2Files: V2File[],
  pieceLength: number,
  root: string | undefined,
): void {
  const mismatch = (detail: string) =>
    new SeedcastError('TORRENT_HASH_MISMATCH', `hybrid torrent: ${detail}`);
  const layout: { file?: V2File; path: string[]; length: number; offset: number; padding: boolean }[] = [];
  let total = 0;
  for (const f of v2Files) {
    layout.push({ file: f, path: v2PathOf(f, root), length: f.length, offset: total, padding: false });
    total += f.length;
    const gap = (pieceLength - (total % pieceLength)) % pieceLength;
    if (gap > 0) {
      layout.push({ path: ['.pad', String(gap)], length: gap, offset: total, padding: true });
      total += gap;
    }
  }
  if (layout.length === v1.length + 1 && layout.at(-1)!.padding) total -= layout.pop()!.length;
  if (layout.length !== v1.length) {
    throw mismatch(`the v1 list has ${v1.length} entries, the v2 tree (with padding) ${layout.length}`);
  }
  const v1Total = v1.reduce((sum, f) => sum + f.length, 0);
  if (v1Total !== total) throw mismatch(`v1 totals ${v1Total} bytes, v2 ${total}`);
  for (let i = 0; i < v1.length; i++) {
    const a = v1[i]!;
    const b = layout[i]!;
    const relevantA = !a.padding && a.length > 0;
    const relevantB = !b.padding && b.length > 0;
    if (relevantA !== relevantB) throw mismatch(`entry ${i} is a file in one view and not in the other`);
    if (b.file?.piecesRoot && !a.padding) a.piecesRoot = b.file.piecesRoot;
    if (!relevantA) continue;
    if (a.path.join('/') !== b.path.join('/') || a.length !== b.length || a.offset !== b.offset) {
      throw mismatch(
        `file ${i} differs: v1 "${a.path.join('/')}" (${a.length} at ${a.offset}) vs v2 "${b.path.join('/')}" (${b.length} at ${b.offset})`,
      );
    }
  }
}
