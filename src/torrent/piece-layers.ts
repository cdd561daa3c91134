/**
 * Merkle roots over BEP 52 piece layers, for readers of torrents (the parser checks each piece layer
 * against its file's `pieces root`; the engine checks v2 pieces). Built on `merkle.ts`, which the
 * creator uses too, so both sides hash trees the same way.
 */

import { HASH_SIZE, nextPowerOfTwo, padHash, reduceInPlace, rootFromPieceLayer, sha256 } from './merkle.js';

const BLOCK = 16 * 1024;

/** The root of a subtree of `2^levels` zero leaves (each leaf 32 zero bytes). */
export function zeroSubtreeRoot(levels: number): Buffer {
  return Buffer.from(padHash(levels));
}

/**
 * Hash `nodes` (32 bytes each) pairwise up to one root. The bottom level is padded up to
 * `options.width` nodes (default: the next power of two of the node count) with the root of an
 * all-zero subtree of `options.padLevel` levels (default 0: the zero leaf itself).
 */
export function merkleRoot(
  nodes: readonly Uint8Array[],
  options: { width?: number; padLevel?: number } = {},
): Buffer {
  const width = nextPowerOfTwo(Math.max(nodes.length, options.width ?? 1));
  const buffer = Buffer.alloc(width * HASH_SIZE);
  nodes.forEach((node, i) => {
    buffer.set(node, i * HASH_SIZE);
  });
  return Buffer.from(reduceInPlace(buffer, nodes.length, width, options.padLevel ?? 0));
}

/** The pieces root of a file from its piece layer (concatenated 32-byte hashes). */
export function layerRoot(layer: Uint8Array, pieceLength: number): Buffer {
  return rootFromPieceLayer(layer, layer.length / HASH_SIZE, pieceLength / BLOCK);
}

/**
 * The shape of one file's tree (BEP 52): `height` layers above the 16 KiB block leaves
 * (log2 of nextpow2(blocks)); the piece layer is `pieceLevel` = log2(pieceLength / 16 KiB) layers up
 * and holds `pieces` real hashes in a layer of `layerWidth`.
 */
export interface FileTreeShape {
  height: number;
  pieceLevel: number;
  pieces: number;
  layerWidth: number;
}

export function fileTreeShape(fileLength: number, pieceLength: number): FileTreeShape {
  const blocks = Math.max(1, Math.ceil(fileLength / BLOCK));
  const height = Math.log2(nextPowerOfTwo(blocks));
  const pieceLevel = Math.log2(pieceLength / BLOCK);
  const pieces = Math.ceil(fileLength / pieceLength);
  return { height, pieceLevel, pieces, layerWidth: nextPowerOfTwo(pieces) };
}

/**
 * Every layer of a file's tree from its piece layer up: `levels[0]` is the piece layer padded to
 * `layerWidth` with the root of an all-zero piece subtree, the last level is the pieces root. Costs
 * 2 x layerWidth x 32 bytes; the tree a seeder answers `hash request`s from.
 */
export class LayerTree {
  readonly levels: Buffer[];

  constructor(
    layer: Uint8Array,
    readonly shape: FileTreeShape,
  ) {
    const { layerWidth, pieces, pieceLevel } = shape;
    if (layer.byteLength !== pieces * HASH_SIZE) {
      throw new RangeError(`piece layer of ${layer.byteLength} bytes for ${pieces} pieces`);
    }
    let level = Buffer.alloc(layerWidth * HASH_SIZE);
    level.set(layer);
    for (let i = pieces; i < layerWidth; i++) padHash(pieceLevel).copy(level, i * HASH_SIZE);
    this.levels = [level];
    while (level.length > HASH_SIZE) {
      const up = Buffer.alloc(level.length / 2);
      for (let i = 0; i < up.length / HASH_SIZE; i++) {
        sha256(level.subarray(2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE)).copy(up, i * HASH_SIZE);
      }
      this.levels.push(up);
      level = up;
    }
  }

  get root(): Buffer {
    return this.levels[this.levels.length - 1]!;
  }

  /**
   * The answer to a hash request over this tree: `length` hashes of layer `baseLayer` (counted from
   * the blocks, at least the piece layer) from `index`, then the uncle hashes for `proofLayers`
   * (bottom-up). Undefined when the request does not fit the tree (the caller sends `hash reject`).
   */
  answer(request: {
    baseLayer: number;
    index: number;
    length: number;
    proofLayers: number;
  }): { hashes: Buffer; uncles: Buffer } | undefined {
    const { baseLayer, index, length, proofLayers } = request;
    const { height, pieceLevel } = this.shape;
    if (!validRun(this.shape, request) || baseLayer < pieceLevel) return undefined;
    const level = this.levels[baseLayer - pieceLevel]!;
    const hashes = Buffer.from(level.subarray(index * HASH_SIZE, (index + length) * HASH_SIZE));
    const runLayers = Math.log2(length);
    const uncles: Buffer[] = [];
    let node = index >> runLayers;
    for (let l = baseLayer + runLayers; l < baseLayer + proofLayers + 1 && l < height; l++) {
      const at = this.levels[l - pieceLevel]!;
      const sibling = node ^ 1;
      uncles.push(at.subarray(sibling * HASH_SIZE, (sibling + 1) * HASH_SIZE));
      node >>= 1;
    }
    return { hashes, uncles: Buffer.concat(uncles) };
  }
}

/**
 * Whether a run fits a file's tree the way we accept it: `length` a power of two of at least 2 (a
 * run of one cannot prove itself), `index` a multiple of it, inside the layer, and proof layers that
 * stay below the root (libtorrent's `validate_hash_request`).
 */
export function validRun(
  shape: FileTreeShape,
  request: { baseLayer: number; index: number; length: number; proofLayers: number },
): boolean {
  const { baseLayer, index, length, proofLayers } = request;
  const { height } = shape;
  if (length < 2 || (length & (length - 1)) !== 0 || index % length !== 0) return false;
  if (baseLayer >= height) return false;
  const width = 2 ** (height - baseLayer);
  if (index + length > width) return false;
  return proofLayers < height - baseLayer;
}

/**
 * Check a `hashes` answer that proves up to the root: hash the run to its subtree root, then fold in
 * each uncle (bottom-up) and compare with the file's `pieces root`. True only when the proof reaches
 * the root exactly and matches.
 */
export function verifyHashRun(
  root: Uint8Array,
  shape: FileTreeShape,
  answer: {
    baseLayer: number;
    index: number;
    length: number;
    proofLayers: number;
    hashes: Uint8Array;
    uncles: Uint8Array;
  },
): boolean {
  const { baseLayer, index, length, hashes, uncles } = answer;
  if (!validRun(shape, answer) || hashes.byteLength !== length * HASH_SIZE) return false;
  const runLayers = Math.log2(length);
  if (baseLayer + runLayers + uncles.byteLength / HASH_SIZE !== shape.height) return false;
  const nodes = Buffer.from(hashes);
  let node: Buffer = Buffer.from(reduceInPlace(nodes, length, length));
  let position = index >> runLayers;
  const pair = Buffer.alloc(2 * HASH_SIZE);
  for (let at = 0; at < uncles.byteLength; at += HASH_SIZE) {
    const uncle = uncles.subarray(at, at + HASH_SIZE);
    if (position % 2 === 0) {
      node.copy(pair, 0);
      pair.set(uncle, HASH_SIZE);
    } else {
      pair.set(uncle, 0);
      node.copy(pair, HASH_SIZE);
    }
    node = sha256(pair);
    position >>= 1;
  }
  return node.equals(Buffer.from(root));
}
