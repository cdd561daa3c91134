/**
 * The BEP 52 (v2) part of a metainfo file: the `file tree` inside `info` and the top-level
 * `piece layers`, read as libtorrent 2.0.8 reads them.
 *
 *   file tree   { "dir": { "file.ext": { "": { length, pieces root (32 bytes), attr } } } }
 *               a node whose only key is "" is a file; every other node is a folder (an empty one
 *               holds no files); keys are path components, kept as they are (storagePath sanitises).
 *               Refused as libtorrent refuses them: an empty key, a node that is not a dictionary,
 *               a padding file (`attr` p), a non-empty file without a 32-byte, non-zero pieces root.
 *               A symlink (`attr` l) takes no payload space.
 *   piece layers  { <pieces root>: <32-byte hash of each piece-sized subtree, concatenated> }
 *               optional (the engine gets missing layers from peers, BEP 52 hash requests). When
 *               present (a dictionary: anything else is ignored) each key must be 32 bytes and each
 *               value a whole number of 32-byte hashes, the layer of a file exactly one hash per
 *               piece of that file (else libtorrent refuses the torrent); keys that are no file's
 *               root are ignored, as libtorrent 2.0.8 does. A layer that does not hash to its root makes libtorrent fail
 *               the torrent when it is added; we refuse it here (TORRENT_HASH_MISMATCH).
 */

import { type BDict, type BValue, isBytes, isDict, isList, keyToText } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import { invalid, MAX_FILE_SIZE, optionalAttr, pathList } from './fields.js';
import { layerRoot } from './piece-layers.js';

export interface V2File {
  /** Path inside the torrent's root folder (for a single-file torrent: the file name). */
  path: string[];
  length: number;
  attr: string;
  piecesRoot?: Uint8Array;
  /** BEP 47 symlink target. */
  symlinkPath?: string[];
}

export interface V2Info {
  files: V2File[];
  multiFile: boolean;
  pieceLayers: Map<string, Uint8Array>;
}

const MAX_FILES = 1_000_000;
/** libtorrent refuses file trees deeper than this. */
const MAX_TREE_DEPTH = 100;

export function parseV2Info(
  root: BDict,
  info: BDict,
  context: { pieceLength: number; requirePieceLayers: boolean; hasV1Files: boolean },
): V2Info {
  const tree = info.get('file tree');
  if (!isDict(tree)) throw invalid('info."file tree" must be a dictionary');

  const files: V2File[] = [];
  walk(tree, [], files, 0);
  // libtorrent: one file at the top of the tree, and no v1 `files` list, is a single-file torrent.
  const top = [...tree.values()][0];
  const singleFile = tree.size === 1 && isLeaf(top) && !context.hasV1Files;
  return { files, multiFile: !singleFile, pieceLayers: pieceLayers(root, files, context) };
}

function isLeaf(node: BValue | undefined): node is BDict {
  return isDict(node) && node.size === 1 && node.has('');
}

function pieceLayers(
  root: BDict,
  files: V2File[],
  context: { pieceLength: number; requirePieceLayers: boolean },
): Map<string, Uint8Array> {
  const { pieceLength } = context;
  const out = new Map<string, Uint8Array>();
  const value = root.get('piece layers');
  // libtorrent looks for a dictionary and ignores anything else under that key.
  const layers: BDict = isDict(value) ? value : new Map();
  const big = new Map<string, V2File>();
  for (const f of files) {
    if (f.length > pieceLength && f.piecesRoot) big.set(Buffer.from(f.piecesRoot).toString('latin1'), f);
  }
  // libtorrent 2.0.8 refuses an entry that cannot be a layer and ignores one of no file of this torrent.
  for (const [key, layer] of layers) {
    if (key.length !== 32 || !isBytes(layer) || layer.length % 32 !== 0) {
      throw invalid('"piece layers" has an entry that is not a 32-byte root and a list of 32-byte hashes');
    }
  }
  for (const [key, file] of big) {
    const layer = layers.get(key) as Uint8Array | undefined;
    const where = `"piece layers" for "${file.path.join('/')}"`;
    if (layer === undefined) {
      if (context.requirePieceLayers) throw invalid(`${where} is missing`);
      continue;
    }
    const expected = Math.ceil(file.length / pieceLength) * 32;
    if (layer.length !== expected) throw invalid(`${where} has ${layer.length} bytes, expected ${expected}`);
    if (!Buffer.from(layerRoot(layer, pieceLength)).equals(Buffer.from(file.piecesRoot!))) {
      throw new SeedcastError('TORRENT_HASH_MISMATCH', `${where} does not hash to the file's pieces root`);
    }
    out.set(Buffer.from(file.piecesRoot!).toString('hex'), layer);
  }
  return out;
}

function walk(node: BDict, path: string[], out: V2File[], depth: number): void {
  if (depth > MAX_TREE_DEPTH) throw invalid(`file tree deeper than ${MAX_TREE_DEPTH} folders`);
  for (const [key, child] of node) {
    const childPath = [...path, keyToText(key)];
    if (key === '' || !isDict(child)) {
      throw invalid(`file tree node "${childPath.join('/')}" must be a dictionary with a non-empty name`);
    }
    if (isLeaf(child)) leaf(child.get('')!, childPath, out);
    else walk(child, childPath, out, depth + 1);
  }
}

function leaf(value: BValue, path: string[], out: V2File[]): void {
  const where = `file tree "${path.join('/')}".`;
  if (!isDict(value)) throw invalid(`${where}"" must be a dictionary`);
  const attr = optionalAttr(value);
  if (attr.includes('p')) throw invalid(`${where}: a v2 file cannot be a padding file (attr "p")`);
  const symlink = attr.includes('l');
  const lengthValue = value.get('length');
  const length = symlink ? 0 : typeof lengthValue === 'number' ? lengthValue : -1;
  if (length < 0 || length > MAX_FILE_SIZE) throw invalid(`${where}"length" must be a non-negative integer`);
  const file: V2File = { path, length, attr };
  const target = value.get('symlink path');
  if (symlink && isList(target)) file.symlinkPath = pathList(target, `${where}"symlink path"`);
  if (length > 0) {
    const piecesRoot = value.get('pieces root');
    if (!isBytes(piecesRoot) || piecesRoot.length !== 32 || piecesRoot.every((b) => b === 0)) {
      throw invalid(`${where}"pieces root" is missing (a non-empty v2 file needs a 32-byte root)`);
    }
    file.piecesRoot = piecesRoot;
  }
  if (out.length >= MAX_FILES) throw invalid(`more than ${MAX_FILES} files`);
  out.push(file);
}
