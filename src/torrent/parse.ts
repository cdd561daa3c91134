/**
 * Parse `.torrent` files into a `Metainfo` (BEP 3 v1, BEP 52 v2 and hybrid).
 *
 * Layout of a metainfo file (a bencoded dictionary):
 *   announce        tracker URL (BEP 3); announce-list: tiers of URLs (BEP 12)
 *   url-list        web seed URL or list of them (BEP 19)
 *   comment, created by, creation date
 *   piece layers    (v2) pieces root -> concatenated piece-level SHA-256 hashes (BEP 52)
 *   info            name, piece length, and
 *                   v1: pieces (20-byte SHA-1 per piece) + length | files [{ length, path, attr }]
 *                   v2: meta version = 2, file tree; hybrid torrents carry both
 *                   private = 1 (BEP 27)
 *
 * The piece length is capped at `MAX_PIECE_LENGTH` (128 MiB, libtorrent's bound): a peer holds
 * at most one piece's worth of state per piece in flight, and a hostile torrent with gigabyte pieces
 * must be refused here (TORRENT_INVALID), not discovered when its first block arrives.
 *
 * The info hashes are SHA-1 (v1) and SHA-256 (v2) of the exact `info` bytes as read. Every file path
 * is checked to be safe (`paths.ts`); for hybrid torrents the v1 and v2 views must describe the same
 * files, with BEP 47 padding files aligning each file to a piece boundary.
 */

import { createHash } from 'node:crypto';
import {
  type BDict,
  type DecodeOptions,
  decodeWithSpans,
  isBytes,
  isDict,
  isList,
} from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import {
  bytesField,
  dictField,
  intField,
  invalid,
  listField,
  optionalBytes,
  optionalInt,
  optionalText,
  pathList,
  stringOrList,
  text,
} from './fields.js';
import { parseV2Info, type V2File } from './parse-v2.js';
import { assertSafePath } from './paths.js';
import { MAX_PIECE_LENGTH } from './piece-length.js';
import { withStoragePaths } from './sanitize.js';
// The parser builds files without `storagePath`; `withStoragePaths` adds it at the end.
import type { Metainfo, ParsedFile as TorrentFile } from './types.js';

export interface ParseOptions {
  /** Largest `.torrent` accepted, in bytes (default 32 MiB). */
  maxSize?: number;
  /**
   * Require the v2 `piece layers` of every file larger than a piece (default true). Metadata fetched
   * from peers (BEP 9) is the info dictionary alone, without them: a hybrid torrent is still fully
   * verifiable through its v1 hashes.
   */
  requirePieceLayers?: boolean;
}

/** Parse the bytes of a `.torrent` file. Throws a `SeedcastError` (TORRENT_*, BENCODE_*) on bad input. */
export function parseTorrent(bytes: Uint8Array, options: ParseOptions = {}): Metainfo {
  const decodeOptions: DecodeOptions = { maxSize: options.maxSize ?? 32 * 1024 * 1024, maxDepth: 48 };
  const { value: root, spans } = decodeWithSpans(bytes, decodeOptions);
  if (!isDict(root)) throw invalid('a torrent must be a dictionary');
  const info = dictField(root, 'info', '');
  const span = spans.get('info')!;
  const infoBytes = bytes.subarray(span.start, span.end);

  const name = text(optionalBytes(info, 'name.utf-8', 'info.') ?? bytesField(info, 'name', 'info.'));
  const pieceLength = intField(info, 'piece length', 'info.');
  if (pieceLength === 0) throw invalid('info."piece length" must be positive');
  if (pieceLength > MAX_PIECE_LENGTH) {
    throw invalid(
      `info."piece length" ${pieceLength} is over the limit of ${MAX_PIECE_LENGTH} (128 MiB, as libtorrent)`,
    );
  }
  const metaVersion = optionalInt(info, 'meta version', 'info.');
  if (metaVersion !== undefined && metaVersion !== 1 && metaVersion !== 2) {
    throw invalid(`unsupported meta version ${metaVersion}`);
  }
  const hasV1 = info.has('pieces');
  const hasV2 = metaVersion === 2;
  if (!hasV1 && !hasV2) throw invalid('info has neither "pieces" (v1) nor "meta version" 2 (v2)');

  const v1 = hasV1 ? parseV1Files(info, name) : undefined;
  const v2 = hasV2
    ? parseV2Info(root, info, { name, pieceLength, requirePieceLayers: options.requirePieceLayers ?? true })
    : undefined;

  let files: TorrentFile[];
  let multiFile: boolean;
  let pieces: Uint8Array = new Uint8Array(0);
  let pieceCount: number;
  if (v1) {
    pieces = bytesField(info, 'pieces', 'info.');
    if (pieces.length % 20 !== 0) throw invalid('info."pieces" length is not a multiple of 20');
    const total = v1.files.reduce((sum, f) => sum + f.length, 0);
    pieceCount = Math.ceil(total / pieceLength);
    if (pieces.length / 20 !== pieceCount) {
      throw invalid(`info."pieces" has ${pieces.length / 20} hashes, the content needs ${pieceCount}`);
    }
    files = v1.files;
    multiFile = v1.multiFile;
    if (v2) attachV2(files, v2.files, pieceLength, multiFile ? name : undefined);
  } else {
    const layout = layoutV2(v2!.files, pieceLength, v2!.multiFile ? name : undefined);
    files = layout.files;
    pieceCount = layout.pieceCount;
    multiFile = v2!.multiFile;
  }

  const sha1 = createHash('sha1').update(infoBytes).digest('hex');
  const sha256 = hasV2 ? createHash('sha256').update(infoBytes).digest('hex') : undefined;
  const privateFlag = info.get('private');
  return withStoragePaths({
    version: v1 && v2 ? 'hybrid' : v2 ? 'v2' : 'v1',
    infoHash: v1 ? sha1 : sha256!.slice(0, 40),
    ...(sha256 ? { infoHashV2: sha256 } : {}),
    name,
    pieceLength,
    length: files.reduce((sum, f) => (f.padding ? sum : sum + f.length), 0),
    pieceCount,
    pieces,
    files,
    multiFile,
    private: privateFlag === 1,
    announce: announceTiers(root),
    urlList: stringOrList(root.get('url-list')),
    ...optionalMeta(root),
    pieceLayers: v2?.pieceLayers ?? new Map(),
    infoBytes,
  });
}

function optionalMeta(root: BDict): Pick<Metainfo, 'comment' | 'createdBy' | 'creationDate'> {
  const out: Pick<Metainfo, 'comment' | 'createdBy' | 'creationDate'> = {};
  const comment = optionalText(root, 'comment.utf-8') ?? optionalText(root, 'comment');
  if (comment !== undefined) out.comment = comment;
  const createdBy = optionalText(root, 'created by');
  if (createdBy !== undefined) out.createdBy = createdBy;
  const date = root.get('creation date');
  if (typeof date === 'number') out.creationDate = date;
  return out;
}

/** BEP 12: `announce-list` tiers when present, else the lone `announce`. Empty entries are dropped. */
function announceTiers(root: BDict): string[][] {
  const list = root.get('announce-list');
  if (isList(list)) {
    const tiers = list
      .map((tier) => (isList(tier) ? tier.filter(isBytes).map(text) : isBytes(tier) ? [text(tier)] : []))
      .map((tier) => tier.filter((url) => url.length > 0))
      .filter((tier) => tier.length > 0);
    if (tiers.length > 0) return tiers;
  }
  const announce = root.get('announce');
  return isBytes(announce) && announce.length > 0 ? [[text(announce)]] : [];
}

function parseV1Files(info: BDict, name: string): { files: TorrentFile[]; multiFile: boolean } {
  assertSafePath([name], 'torrent name');
  if (info.has('files')) {
    if (info.has('length')) throw invalid('info has both "length" and "files"');
    const list = listField(info, 'files', 'info.');
    if (list.length === 0) throw invalid('info."files" is empty');
    let offset = 0;
    const files = list.map((entry, i): TorrentFile => {
      const where = `info.files[${i}].`;
      if (!isDict(entry)) throw invalid(`info.files[${i}] must be a dictionary`);
      const length = intField(entry, 'length', where);
      const path = pathList(entry.get('path.utf-8') ?? entry.get('path'), `${where}"path"`);
      const attr = text(optionalBytes(entry, 'attr', where) ?? new Uint8Array(0));
      const padding = attr.includes('p');
      // Padding files (BEP 47) are never written, but clients name them `.pad/N`: check them too.
      assertSafePath(path, `file path`);
      const file: TorrentFile = { path: [name, ...path], length, offset, attr, padding };
      if (attr.includes('l') && entry.has('symlink path')) {
        file.symlinkPath = pathList(entry.get('symlink path'), `${where}"symlink path"`);
        assertSafePath(file.symlinkPath, 'symlink target');
      }
      offset += length;
      if (!Number.isSafeInteger(offset)) throw invalid('total length is too large');
      return file;
    });
    return { files, multiFile: true };
  }
  const length = intField(info, 'length', 'info.');
  const attr = text(optionalBytes(info, 'attr', 'info.') ?? new Uint8Array(0));
  return { files: [{ path: [name], length, offset: 0, attr, padding: false }], multiFile: false };
}

/** Hybrid: check the v1 file list describes exactly the v2 files, and attach their pieces roots. */
function attachV2(
  files: TorrentFile[],
  v2Files: V2File[],
  pieceLength: number,
  root: string | undefined,
): void {
  const real = files.filter((f) => !f.padding);
  const mismatch = (detail: string) =>
    new SeedcastError('TORRENT_HASH_MISMATCH', `hybrid torrent: ${detail}`);
  if (real.length !== v2Files.length) {
    throw mismatch(`v1 lists ${real.length} files, v2 ${v2Files.length}`);
  }
  for (let i = 0; i < real.length; i++) {
    const a = real[i]!;
    const b = v2Files[i]!;
    const v2Path = root === undefined ? b.path : [root, ...b.path];
    if (a.path.join('/') !== v2Path.join('/') || a.length !== b.length) {
      throw mismatch(
        `file ${i} differs: v1 "${a.path.join('/')}" (${a.length}) vs v2 "${v2Path.join('/')}" (${b.length})`,
      );
    }
    if (a.offset % pieceLength !== 0 && a.length > 0) {
      throw mismatch(`file "${a.path.join('/')}" does not start at a piece boundary`);
    }
    if (b.piecesRoot) a.piecesRoot = b.piecesRoot;
  }
}

/** v2-only: files in tree order, each starting at a piece boundary of the v2 piece space. */
function layoutV2(v2Files: V2File[], pieceLength: number, root: string | undefined) {
  let offset = 0;
  let pieceCount = 0;
  const files = v2Files.map((f): TorrentFile => {
    const file: TorrentFile = {
      path: root === undefined ? f.path : [root, ...f.path],
      length: f.length,
      offset,
      attr: f.attr,
      padding: false,
    };
    if (f.piecesRoot) file.piecesRoot = f.piecesRoot;
    const n = Math.ceil(f.length / pieceLength);
    pieceCount += n;
    offset += n * pieceLength;
    return file;
  });
  return { files, pieceCount };
}
