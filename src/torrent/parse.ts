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
 * The info hashes are SHA-1 (v1) and SHA-256 (v2) of the exact `info` bytes as read, never re-encoded.
 * What is loaded and what is refused follows libtorrent 2.0.8 (issue 21; the corpus of
 * test/helpers/wild-torrents.ts checks it against the real libtorrent): the bencode is read leniently
 * (keys out of order, repeated keys, leading zeros, bytes after the end), except that a torrent with a
 * `meta version` must have a canonical `info`; paths are kept as written (storagePath makes them safe);
 * `piece layers` are optional. Refused as libtorrent refuses: a total length of 0, no files, a v2
 * padding file, a v2 file without pieces root, hybrid views that disagree. Stricter than libtorrent on
 * purpose: the 128 MiB piece-length cap, size and nesting limits, a piece layer that does not hash to
 * its root.
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
  dictField,
  intField,
  invalid,
  MAX_PIECES,
  optionalText,
  sanitizesToNothing,
  stringOrList,
  text,
} from './fields.js';
import { attachV2, parseV1Files, v2PathOf } from './parse-v1.js';
import { parseV2Info, type V2File } from './parse-v2.js';
import { MAX_PIECE_LENGTH } from './piece-length.js';
import { withStoragePaths } from './sanitize.js';
// The parser builds files without `storagePath`; `withStoragePaths` adds it at the end.
import type { Metainfo, ParsedFile as TorrentFile } from './types.js';

export interface ParseOptions {
  /** Largest `.torrent` accepted, in bytes (default 32 MiB). */
  maxSize?: number;
  /**
   * Require the v2 `piece layers` of every file larger than a piece (default false, as libtorrent:
   * the engine gets missing layers from peers). A layer that is present is always checked.
   */
  requirePieceLayers?: boolean;
}

/** Parse the bytes of a `.torrent` file. Throws a `SeedcastError` (TORRENT_*, BENCODE_*) on bad input. */
export function parseTorrent(bytes: Uint8Array, options: ParseOptions = {}): Metainfo {
  const decodeOptions: DecodeOptions = {
    maxSize: options.maxSize ?? 32 * 1024 * 1024,
    maxDepth: 100,
    lenient: true,
  };
  const { value: root, spans, nonCanonical } = decodeWithSpans(bytes, decodeOptions);
  if (!isDict(root)) throw invalid('a torrent must be a dictionary');
  const info = dictField(root, 'info', '');
  const span = spans.get('info')!;
  const infoBytes = bytes.subarray(span.start, span.end);

  // libtorrent: a `meta version` that is not an integer counts as absent; any positive one asks for a
  // canonical info dictionary (BEP 52 hashes are only well defined over canonical bencode).
  const versionValue = info.get('meta version');
  const metaVersion = typeof versionValue === 'number' ? versionValue : -1;
  const soft = nonCanonical.get('info');
  if (metaVersion > 0 && soft !== undefined) {
    throw new SeedcastError('BENCODE_NON_CANONICAL', `info of a torrent with "meta version": ${soft}`);
  }
  if (metaVersion > 2) throw invalid(`unsupported meta version ${metaVersion}`);
  const pieceLength = intField(info, 'piece length', 'info.');
  if (pieceLength === 0) throw invalid('info."piece length" must be positive');
  if (pieceLength > MAX_PIECE_LENGTH) {
    throw invalid(
      `info."piece length" ${pieceLength} is over the limit of ${MAX_PIECE_LENGTH} (128 MiB: Seedcast's cap, libtorrent's is 512 MiB)`,
    );
  }
  if (metaVersion > 1 && (pieceLength < 16 * 1024 || (pieceLength & (pieceLength - 1)) !== 0)) {
    throw invalid(`v2 "piece length" must be a power of two of at least 16 KiB, got ${pieceLength}`);
  }
  const nameBytes = isBytes(info.get('name.utf-8')) ? info.get('name.utf-8') : info.get('name');
  if (!isBytes(nameBytes)) throw invalid('info."name" is missing');
  const name = text(nameBytes);

  const hasV2 = metaVersion >= 2;
  if (!hasV2 && info.has('file tree')) throw invalid('info has a "file tree" but no "meta version" 2');
  const v2 = hasV2
    ? parseV2Info(root, info, {
        pieceLength,
        requirePieceLayers: options.requirePieceLayers ?? false,
        hasV1Files: isList(info.get('files')),
      })
    : undefined;
  // A v2 torrent has a v1 view (it is a hybrid) when it has a `files` list or a `length`.
  const hasV1 = !hasV2 || isList(info.get('files')) || info.has('length');
  const v1 = hasV1 ? parseV1Files(info, name) : undefined;
  if (v1 && !v1.multiFile && (name.length === 0 || sanitizesToNothing(name))) {
    throw invalid(
      `info."name" ${JSON.stringify(name)} leaves no file name once made safe (libtorrent refuses it)`,
    );
  }

  let files: TorrentFile[];
  let multiFile: boolean;
  let pieces: Uint8Array = new Uint8Array(0);
  if (v1) {
    files = v1.files;
    multiFile = v1.multiFile;
    if (v2) attachV2(files, v2.files, pieceLength, multiFile ? name : undefined);
  } else {
    files = layoutV2(v2!.files, pieceLength, v2!.multiFile ? name : undefined);
    multiFile = v2!.multiFile;
  }
  if (files.length === 0) throw invalid('the torrent has no files');
  const total = v1 ? files.reduce((sum, f) => sum + f.length, 0) : totalV2(files);
  if (total === 0) throw invalid('the total length of the torrent is 0 (libtorrent refuses it too)');
  const pieceCount = Math.ceil(total / pieceLength);
  if (pieceCount > MAX_PIECES)
    throw invalid(`${pieceCount} pieces, more than the ${MAX_PIECES} libtorrent loads`);
  const piecesValue = info.get('pieces');
  if (v1 && !isBytes(piecesValue)) throw invalid('info."pieces" must be a byte string');
  if (isBytes(piecesValue)) {
    if (piecesValue.length % 20 !== 0) {
      throw invalid(`info."pieces" is ${piecesValue.length} bytes, not a multiple of 20`);
    }
    if (piecesValue.length !== pieceCount * 20) {
      throw invalid(`info."pieces" has ${piecesValue.length / 20} hashes, the content needs ${pieceCount}`);
    }
    if (v1) pieces = piecesValue;
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
    private: typeof privateFlag === 'number' ? privateFlag !== 0 : typeof privateFlag === 'bigint',
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

/** v2-only: files in tree order, each starting at a piece boundary of the v2 piece space. */
function layoutV2(v2Files: V2File[], pieceLength: number, root: string | undefined): TorrentFile[] {
  let offset = 0;
  return v2Files.map((f): TorrentFile => {
    const file: TorrentFile = {
      path: v2PathOf(f, root),
      length: f.length,
      offset,
      attr: f.attr,
      padding: false,
    };
    if (f.piecesRoot) file.piecesRoot = f.piecesRoot;
    if (f.symlinkPath) file.symlinkPath = f.symlinkPath;
    offset += Math.ceil(f.length / pieceLength) * pieceLength;
    return file;
  });
}

/** v2-only: the size of the piece space (each file padded to a piece boundary but the last). */
function totalV2(files: TorrentFile[]): number {
  const last = files.at(-1)!;
  return last.length > 0 ? last.offset + last.length : last.offset;
}
