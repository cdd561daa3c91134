/**
 * The BEP 52 (v2) part of a metainfo file: the `file tree` inside `info` and the top-level
 * `piece layers`.
 *
 *   file tree   { "dir": { "file.ext": { "": { length, pieces root (32 bytes), attr } } } }
 *               a node holding the empty key "" is a file; every other node is a directory;
 *               keys are path components, so canonical bencode already sorts them by bytes.
 *   piece layers  { <pieces root>: <32-byte hash of each piece-sized subtree, concatenated> }
 *               present for every file larger than one piece; checked here against its root.
 */

import { type BDict, isDict, keyToText } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import { intField, invalid, optionalBytes, text } from './fields.js';
import { assertSafePath } from './paths.js';
import { layerRoot } from './piece-layers.js';

export interface V2File {
  /** Path inside the torrent's root folder (for a single-file torrent: the file name). */
  path: string[];
  length: number;
  attr: string;
  piecesRoot?: Uint8Array;
}

export interface V2Info {
  files: V2File[];
  multiFile: boolean;
  pieceLayers: Map<string, Uint8Array>;
}

const BLOCK = 16 * 1024;
const MAX_FILES = 1_000_000;

export function parseV2Info(
  root: BDict,
  info: BDict,
  context: { name: string; pieceLength: number; requirePieceLayers: boolean },
): V2Info {
  const { name, pieceLength } = context;
  if (pieceLength < BLOCK || (pieceLength & (pieceLength - 1)) !== 0) {
    throw invalid(`v2 "piece length" must be a power of two of at least 16 KiB, got ${pieceLength}`);
  }
  assertSafePath([name], 'torrent name');
  const tree = info.get('file tree');
  if (!isDict(tree) || tree.size === 0) throw invalid('info."file tree" must be a non-empty dictionary');

  const files: V2File[] = [];
  walk(tree, [], files);
  const first = files[0]!;
  const multiFile = !(files.length === 1 && first.path.length === 1);

  const layersValue = root.get('piece layers');
  const layers = isDict(layersValue) ? layersValue : new Map();
  if (layersValue !== undefined && !isDict(layersValue)) throw invalid('"piece layers" must be a dictionary');
  const pieceLayers = new Map<string, Uint8Array>();
  for (const file of files) {
    if (file.length <= pieceLength || !file.piecesRoot) continue;
    const key = Buffer.from(file.piecesRoot).toString('latin1');
    const layer = layers.get(key);
    const where = `"piece layers" for "${file.path.join('/')}"`;
    if (!(layer instanceof Uint8Array)) {
      if (!context.requirePieceLayers && layer === undefined) continue;
      throw invalid(`${where} is missing`);
    }
    const expected = Math.ceil(file.length / pieceLength) * 32;
    if (layer.length !== expected) throw invalid(`${where} has ${layer.length} bytes, expected ${expected}`);
    const rootHash = layerRoot(layer, pieceLength);
    if (!Buffer.from(rootHash).equals(Buffer.from(file.piecesRoot))) {
      throw new SeedcastError('TORRENT_HASH_MISMATCH', `${where} does not hash to the file's pieces root`);
    }
    pieceLayers.set(Buffer.from(file.piecesRoot).toString('hex'), layer);
  }
  return { files, multiFile, pieceLayers };
}

function walk(node: BDict, path: string[], out: V2File[]): void {
  const leaf = node.get('');
  if (leaf !== undefined) {
    if (node.size !== 1) throw invalid(`file tree node "${path.join('/')}" is both a file and a folder`);
    if (path.length === 0) throw invalid('file tree root cannot be a file');
    if (!isDict(leaf)) throw invalid(`file tree entry "${path.join('/')}" must be a dictionary`);
    assertSafePath(path);
    const where = `file tree "${path.join('/')}".`;
    const length = intField(leaf, 'length', where);
    const piecesRoot = optionalBytes(leaf, 'pieces root', where);
    if (length > 0) {
      if (!piecesRoot) throw invalid(`${where}"pieces root" is missing`);
      if (piecesRoot.length !== 32) throw invalid(`${where}"pieces root" must be 32 bytes`);
    }
    const attr = text(optionalBytes(leaf, 'attr', where) ?? new Uint8Array(0));
    const file: V2File = { path, length, attr };
    if (length > 0 && piecesRoot) file.piecesRoot = piecesRoot;
    if (out.length >= MAX_FILES) throw invalid(`more than ${MAX_FILES} files`);
    out.push(file);
    return;
  }
  if (node.size === 0) throw invalid(`file tree folder "${path.join('/')}" is empty`);
  for (const [key, child] of node) {
    if (!isDict(child))
      throw invalid(`file tree node "${[...path, keyToText(key)].join('/')}" must be a dictionary`);
    walk(child, [...path, keyToText(key)], out);
  }
}
