/**
 * Creates `.torrent` files (BEP 3, 12, 19, 27, 47, 52) for a file or a folder: v1, v2 or hybrid.
 *
 * v1 (BEP 3): files in mktorrent's order, one piece space, `pieces` of SHA-1 hashes; a single file
 * is `length`, a folder is `files` [{ `length`, `path` }]. With only the standard keys in `info`
 * (`files`|`length`, `name`, `piece length`, `pieces`, `private` when set) the v1 info hash equals
 * mktorrent's for the same content and piece length.
 *
 * v2 (BEP 52): `info` holds `file tree` (nested dictionaries by path component, each file a
 * dictionary under the empty key with `length` and, when not empty, `pieces root`), `meta version` 2,
 * `name` and `piece length`; the top-level `piece layers` maps each pieces root of a file larger than
 * one piece to its concatenated piece-layer hashes.
 *
 * Hybrid: both at once, files in the v2 tree's order, each non-empty file followed in the v1
 * `files` list by a BEP 47 padding file (`attr` "p", path [".pad", "<bytes>"]) that fills its last
 * piece, the last file included, as libtorrent 2.0 does; so v1 and v2 pieces coincide.
 *
 * Outside `info`: `announce` (the first tracker), `announce-list` (BEP 12, when there is more than
 * one tracker), `url-list` (BEP 19), `comment`, `created by`, `creation date`.
 */

import { createHash } from 'node:crypto';
import { type BDict, type BEncodable, type BValue, encode, textKey } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import type { HashPlan } from './hash-core.js';
import { type HashRunOptions, runHashPlan } from './hash-pool.js';

export { prestartHashWorkers } from './hash-pool.js';

import { HASH_SIZE, rootFromPieceLayer } from './merkle.js';
import { unsafeComponentReason } from './paths.js';
import { BLOCK_SIZE, checkPieceLength, choosePieceLength } from './piece-length.js';
import type { TorrentVersion } from './types.js';
import { listInput, type SkippedEntry, type SourceFile, sortFiles } from './walk.js';

export interface CreateOptions extends HashRunOptions {
  /** Default 'hybrid'. */
  version?: TorrentVersion;
  /** Bytes per piece; default chosen from the total size (see `piece-length.ts`). */
  pieceLength?: number;
  /** Tracker tiers in order (BEP 12); a plain string is a tier of its own. */
  announce?: (string | string[])[];
  /** BEP 19 web seeds. */
  urlList?: string[];
  /** BEP 27 private flag. */
  private?: boolean;
  comment?: string;
  /** Default "seedcast". */
  createdBy?: string;
  /** Seconds since the epoch; default now; `null` leaves it out (reproducible output). */
  creationDate?: number | null;
  /** The torrent's name instead of the file's or folder's own. */
  name?: string;
  /** Bytes each hashing thread reads at a time, rounded to whole pieces (default 1 MiB). */
  readSize?: number;
}

export interface CreatedTorrent {
  /** The `.torrent` file's bytes. */
  torrent: Buffer;
  /** v1 info hash, lower-case hex (v1 and hybrid). */
  infoHash?: string;
  /** v2 info hash (SHA-256), lower-case hex (v2 and hybrid). */
  infoHashV2?: string;
  version: TorrentVersion;
  name: string;
  pieceLength: number;
  pieceCount: number;
  /** Content bytes (padding excluded). */
  length: number;
  multiFile: boolean;
  /** Files in torrent order, paths inside the torrent's folder, padding excluded. */
  files: { path: string[]; length: number }[];
  /** Entries of the folder that were left out (symbolic links leading out, sockets...). */
  skipped: SkippedEntry[];
  /** Tracker tiers as written. */
  announce: string[][];
  urlList: string[];
}

const VERSIONS: readonly TorrentVersion[] = ['v1', 'v2', 'hybrid'];
/** Bytes each hashing thread reads at a time (rounded to whole pieces). */
const READ_SIZE = 1024 * 1024;

/** Hash `path` (a file or folder) and build its torrent. */
export async function createTorrent(path: string, options: CreateOptions = {}): Promise<CreatedTorrent> {
  const checked = checkCreateOptions(options);
  const { version } = checked;
  options.signal?.throwIfAborted();

  const listing = await listInput(path);
  const name = options.name ?? checkName(listing.name, 'CREATE_INPUT');
  const sorted = sortFiles(listing.files, version === 'v1' ? 'v1' : 'v2');
  if (sorted.length === 0) throw new SeedcastError('CREATE_INPUT', `${path}: the folder holds no files`);
  const files = listing.single ? [{ ...sorted[0]!, path: [name] }] : sorted;
  const length = files.reduce((sum, f) => sum + f.length, 0);
  if (length === 0) throw new SeedcastError('CREATE_INPUT', `${path}: nothing to hash (only empty files)`);

  const pieceLength = options.pieceLength ?? choosePieceLength(length);
  const plan = makePlan(files, version, pieceLength, !listing.single);
  if (options.readSize) plan.piecesPerJob = Math.max(1, Math.floor(options.readSize / pieceLength));
  const shared = await runHashPlan(plan, length, options);
  return assembleTorrent({
    checked,
    name,
    files,
    single: listing.single,
    pieceLength,
    pieceCount: plan.pieceCount,
    firstPiece: plan.firstPiece,
    sha1: new Uint8Array(shared.sha1),
    layers: new Uint8Array(shared.merkle),
    skipped: listing.skipped,
  });
}

/** `CreateOptions` checked once, before any hashing. */
export interface CheckedCreateOptions {
  version: TorrentVersion;
  announce: string[][];
  urlList: string[];
  /** Seconds since the epoch, or null to leave it out. */
  date: number | null;
  options: CreateOptions;
}

/** Checks the options of `createTorrent` (CREATE_OPTIONS naming the bad one). */
export function checkCreateOptions(options: CreateOptions): CheckedCreateOptions {
  const version = options.version ?? 'hybrid';
  if (!VERSIONS.includes(version)) {
    throw new SeedcastError('CREATE_OPTIONS', `version must be v1, v2 or hybrid, got ${String(version)}`);
  }
  if (options.pieceLength !== undefined) checkPieceLength(options.pieceLength, version);
  const announce = checkTiers(options.announce ?? []);
  const urlList = (options.urlList ?? []).map((u) => checkUrl(u, 'web seed'));
  if (options.name !== undefined) checkName(options.name);
  const date = options.creationDate === undefined ? Math.floor(Date.now() / 1000) : options.creationDate;
  if (date !== null && (!Number.isSafeInteger(date) || date < 0)) {
    throw new SeedcastError('CREATE_OPTIONS', `creation date must be whole seconds since 1970, got ${date}`);
  }
  return { version, announce, urlList, date, options };
}

/** What `assembleTorrent` builds a torrent from: the files in torrent order and their piece hashes. */
export interface TorrentHashes {
  checked: CheckedCreateOptions;
  name: string;
  /** In torrent order (`sortFiles`); a single file's path is `[name]`. */
  files: readonly { path: string[]; length: number }[];
  single: boolean;
  pieceLength: number;
  pieceCount: number;
  /** Aligned layouts (v2, hybrid): index of each file's first piece (length `files.length + 1`). */
  firstPiece: readonly number[];
  /** pieceCount × 20-byte SHA-1 piece hashes (v1, hybrid; the BEP 47 padding hashed in for hybrid). */
  sha1: Uint8Array;
  /** pieceCount × 32-byte roots of each piece's merkle subtree (v2, hybrid). */
  layers: Uint8Array;
  skipped?: SkippedEntry[];
}

/**
 * A torrent whose `info` is built and hashed, not yet written: its facts (info hashes, files, piece
 * length) are known, so what goes outside `info` may depend on them (the site's web seed names the
 * item stored with those facts). `build` writes the `.torrent` once.
 */
export interface PreparedTorrent extends Omit<CreatedTorrent, 'torrent' | 'urlList'> {
  /** The `.torrent` with `urlList` as its BEP 19 web seeds (default: the options' own). */
  build(urlList?: readonly string[]): CreatedTorrent;
}

/** The `.torrent` and its facts from the hashes of its pieces (shared by every way of hashing). */
export function assembleTorrent(input: TorrentHashes): CreatedTorrent {
  return prepareTorrent(input).build();
}

/** `info` and its hashes from the hashes of the pieces; the rest is written by `build`. */
export function prepareTorrent(input: TorrentHashes): PreparedTorrent {
  const { checked, name, files, single, pieceLength, sha1, layers } = input;
  const { version, announce, date, options } = checked;
  const length = files.reduce((sum, f) => sum + f.length, 0);
  const info: BDict = new Map();
  info.set('name', Buffer.from(name, 'utf8'));
  info.set('piece length', pieceLength);
  if (options.private) info.set('private', 1);
  const top = new Map<string, BEncodable>();
  if (version !== 'v1') {
    const tree = buildV2(files, pieceLength, input.firstPiece, layers, single);
    info.set('file tree', tree.fileTree);
    info.set('meta version', 2);
    top.set('piece layers', tree.pieceLayers);
  }
  if (version !== 'v2') {
    info.set('pieces', Buffer.from(sha1.buffer, sha1.byteOffset, sha1.byteLength));
    if (single) info.set('length', length);
    else info.set('files', v1Files(files, version === 'hybrid' ? pieceLength : 0));
  }

  if (announce.length > 0) top.set('announce', announce[0]![0]!);
  if (announce.flat().length > 1) top.set('announce-list', announce);
  if (options.comment !== undefined) top.set('comment', options.comment);
  top.set('created by', options.createdBy ?? 'seedcast');
  if (date !== null) top.set('creation date', date);
  top.set('info', info);

  const infoBytes = encode(info);
  const facts = {
    infoHash: version === 'v2' ? undefined : createHash('sha1').update(infoBytes).digest('hex'),
    infoHashV2: version === 'v1' ? undefined : createHash('sha256').update(infoBytes).digest('hex'),
    version,
    name,
    pieceLength,
    pieceCount: input.pieceCount,
    length,
    multiFile: !single,
    files: files.map((f) => ({ path: f.path, length: f.length })),
    skipped: input.skipped ?? [],
    announce,
  };
  return {
    ...facts,
    build(given = checked.urlList) {
      const urlList = given.map((u) => checkUrl(u, 'web seed'));
      const out = new Map(top);
      if (urlList.length > 0) out.set('url-list', urlList);
      return { torrent: encode(out), ...facts, urlList };
    },
  };
}

function makePlan(
  files: SourceFile[],
  version: TorrentVersion,
  pieceLength: number,
  multiFile: boolean,
): HashPlan {
  const offsets: number[] = [];
  const firstPiece: number[] = [];
  let offset = 0;
  let piece = 0;
  for (const f of files) {
    offsets.push(offset);
    firstPiece.push(piece);
    offset += f.length;
    piece += Math.ceil(f.length / pieceLength);
  }
  firstPiece.push(piece);
  const pieceCount = version === 'v1' ? Math.ceil(offset / pieceLength) : piece;
  if (pieceCount >= 2 ** 31) {
    throw new SeedcastError(
      'CREATE_OPTIONS',
      `${pieceCount} pieces are too many: choose a larger piece length`,
    );
  }
  return {
    layout: version === 'v1' ? 'v1' : 'aligned',
    sha1: version !== 'v2',
    merkle: version !== 'v1',
    padLastPieces: version === 'hybrid' && multiFile,
    pieceLength,
    pieceCount,
    piecesPerJob: Math.max(1, Math.floor(READ_SIZE / pieceLength)),
    paths: files.map((f) => f.absPath),
    lengths: files.map((f) => f.length),
    offsets,
    firstPiece,
  };
}

/** The v1 `files` list; with `alignTo` > 0, a BEP 47 padding file after each file that needs one. */
function v1Files(files: readonly { path: string[]; length: number }[], alignTo: number): BValue[] {
  const list: BValue[] = [];
  for (const f of files) {
    const entry: BDict = new Map();
    entry.set('length', f.length);
    entry.set(
      'path',
      f.path.map((c) => Buffer.from(c, 'utf8')),
    );
    list.push(entry);
    const rest = alignTo > 0 ? f.length % alignTo : 0;
    if (rest !== 0) {
      const pad: BDict = new Map();
      pad.set('attr', Buffer.from('p'));
      pad.set('length', alignTo - rest);
      pad.set('path', [Buffer.from('.pad'), Buffer.from(String(alignTo - rest))]);
      list.push(pad);
    }
  }
  return list;
}

/** The v2 `file tree` and `piece layers` from the per-piece subtree roots. */
function buildV2(
  files: readonly { path: string[]; length: number }[],
  pieceLength: number,
  firstPiece: readonly number[],
  layers: Uint8Array,
  single: boolean,
): { fileTree: BDict; pieceLayers: BDict } {
  const fileTree: BDict = new Map();
  const pieceLayers: BDict = new Map();
  const blocksPerPiece = pieceLength / BLOCK_SIZE;
  files.forEach((f, i) => {
    const entry: BDict = new Map();
    entry.set('length', f.length);
    const first = firstPiece[i]!;
    const count = firstPiece[i + 1]! - first;
    if (count > 0) {
      const layer = layers.subarray(first * HASH_SIZE, (first + count) * HASH_SIZE);
      const root = count === 1 ? Buffer.from(layer) : rootFromPieceLayer(layer, count, blocksPerPiece);
      entry.set('pieces root', root);
      if (count > 1) pieceLayers.set(root.toString('latin1'), layer); // a view of the shared results, not a copy
    }
    let node = fileTree;
    const path = single ? f.path.slice(-1) : f.path;
    for (const component of path) {
      const key = textKey(component);
      let child = node.get(key) as BDict | undefined;
      if (!child) {
        child = new Map();
        node.set(key, child);
      }
      node = child;
    }
    node.set('', entry);
  });
  return { fileTree, pieceLayers };
}

function checkTiers(tiers: (string | string[])[]): string[][] {
  if (!Array.isArray(tiers)) throw new SeedcastError('CREATE_OPTIONS', 'announce must be a list of tiers');
  return tiers
    .map((tier) => (Array.isArray(tier) ? tier : [tier]).map((u) => checkUrl(u, 'tracker')))
    .filter((tier) => tier.length > 0);
}

function checkUrl(url: unknown, what: string): string {
  if (typeof url !== 'string' || !URL.canParse(url) || /\s/.test(url)) {
    throw new SeedcastError('CREATE_OPTIONS', `${what} URL is not a valid URL: ${JSON.stringify(url)}`);
  }
  return url;
}

function checkName(name: unknown, code: 'CREATE_OPTIONS' | 'CREATE_INPUT' = 'CREATE_OPTIONS'): string {
  const why = typeof name === 'string' ? unsafeComponentReason(name) : 'not text';
  if (why)
    throw new SeedcastError(code, `the name ${JSON.stringify(name)} cannot be a torrent's name (${why})`);
  return name as string;
}
