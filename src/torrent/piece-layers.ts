/**
 * Merkle roots over BEP 52 piece layers, for readers of torrents (the parser checks each piece layer
 * against its file's `pieces root`; the engine checks v2 pieces). Built on `merkle.ts`, which the
 * creator uses too, so both sides hash trees the same way.
 */

import { HASH_SIZE, nextPowerOfTwo, padHash, reduceInPlace, rootFromPieceLayer } from './merkle.js';

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
