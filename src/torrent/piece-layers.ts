/**
 * Merkle roots over BEP 52 piece layers.
 *
 * A v2 file's tree has 16 KiB SHA-256 leaves, padded with 32 zero bytes to a power-of-two count. The
 * piece layer holds the roots of the piece-sized subtrees; above it, missing subtrees are the root of
 * an all-zero piece-sized subtree. `layerRoot` hashes a piece layer up to the file's `pieces root`.
 */

import { createHash } from 'node:crypto';

const BLOCK = 16 * 1024;

/** The root of a subtree of `2^levels` zero leaves (each leaf 32 zero bytes). */
export function zeroSubtreeRoot(levels: number): Buffer {
  let h = Buffer.alloc(32);
  for (let i = 0; i < levels; i++) h = createHash('sha256').update(h).update(h).digest();
  return h;
}

/**
 * Hash `nodes` (32 bytes each) pairwise up to one root, padding the bottom level with `pad` up to
 * `options.width` nodes (default: the next power of two of the node count).
 */
export function merkleRoot(
  nodes: readonly Uint8Array[],
  pad: Uint8Array,
  options: { width?: number } = {},
): Buffer {
  let width = 1;
  while (width < Math.max(nodes.length, options.width ?? 1)) width *= 2;
  if (nodes.length === 0) {
    let h = Buffer.from(pad);
    for (let w = width; w > 1; w /= 2) h = createHash('sha256').update(h).update(h).digest();
    return h;
  }
  let level: Uint8Array[] = nodes.slice();
  let padding: Uint8Array = pad;
  while (width > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < width; i += 2) {
      const left = level[i] ?? padding;
      const right = level[i + 1] ?? padding;
      if (i >= level.length) break;
      next.push(createHash('sha256').update(left).update(right).digest());
    }
    padding = createHash('sha256').update(padding).update(padding).digest();
    level = next;
    width /= 2;
  }
  return Buffer.from(level[0]!);
}

/** The pieces root of a file from its piece layer (concatenated 32-byte hashes). */
export function layerRoot(layer: Uint8Array, pieceLength: number): Buffer {
  const levels = Math.log2(pieceLength / BLOCK);
  const nodes: Uint8Array[] = [];
  for (let i = 0; i < layer.length; i += 32) nodes.push(layer.subarray(i, i + 32));
  return merkleRoot(nodes, zeroSubtreeRoot(levels));
}
