/**
 * SHA-256 merkle trees of BEP 52 (BitTorrent v2).
 *
 * A file's tree has one leaf per 16 KiB block: the SHA-256 of the block (the last block of the file
 * may be shorter and is hashed as it is). The tree is made binary and balanced with leaves past the
 * end of the file, each 32 zero bytes; an inner node is SHA-256(left || right), 64 bytes in. A file
 * of n blocks has a tree of nextpow2(n) leaves. A piece covers pieceLength / 16 KiB leaves; the
 * "piece layer" holds the roots of those piece-wide subtrees, and a file's `pieces root` is the root of
 * the whole tree, which, above the piece layer, is padded with the root of an all-zero piece-wide
 * subtree. Nodes are kept as consecutive 32-byte runs in one buffer and reduced in place.
 */

import * as crypto from 'node:crypto';

/** One-shot SHA-256 (`crypto.hash` from Node 20.12, else the streaming API). */
export const sha256: (data: Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

export const HASH_SIZE = 32;

const padCache: Buffer[] = [Buffer.alloc(HASH_SIZE)];
const pair = Buffer.alloc(2 * HASH_SIZE);

/** Root of a subtree of 2^level leaves that are all 32 zero bytes (level 0: the zero leaf). */
export function padHash(level: number): Buffer {
  for (let l = padCache.length; l <= level; l++) {
    const below = padCache[l - 1]!;
    padCache.push(sha256(Buffer.concat([below, below])));
  }
  return padCache[level]!;
}

/** Smallest power of two >= n (1 for n <= 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Root of a tree whose bottom layer has `width` nodes (a power of two): the first `count` are the
 * 32-byte nodes at the start of `nodes`, the rest are `padHash(padLevel)`. Overwrites `nodes`.
 * Returns a view into `nodes` (copy it to keep it) or a shared pad hash.
 */
export function reduceInPlace(nodes: Buffer, count: number, width: number, padLevel = 0): Buffer {
  if (count > width) throw new RangeError(`merkle: ${count} nodes do not fit a layer of ${width}`);
  if (count === 0) return padHash(padLevel + Math.log2(width));
  let n = count;
  let w = width;
  let level = padLevel;
  while (w > 1) {
    const half = Math.ceil(n / 2);
    for (let i = 0; i < half; i++) {
      const left = 2 * i * HASH_SIZE;
      let digest: Buffer;
      if (2 * i + 1 < n) {
        digest = sha256(nodes.subarray(left, left + 2 * HASH_SIZE));
      } else {
        nodes.copy(pair, 0, left, left + HASH_SIZE);
        padHash(level).copy(pair, HASH_SIZE);
        digest = sha256(pair);
      }
      digest.copy(nodes, i * HASH_SIZE);
    }
    n = half;
    w /= 2;
    level++;
  }
  return nodes.subarray(0, HASH_SIZE);
}

/**
 * Leaf hashes of `data` (one piece or a whole small file) into `leaves`: SHA-256 of each 16 KiB
 * block, the last one possibly short. Returns the number of leaves written.
 */
export function hashLeaves(data: Uint8Array, leaves: Buffer, blockSize = 16 * 1024): number {
  let count = 0;
  for (let off = 0; off < data.length; off += blockSize) {
    const end = Math.min(off + blockSize, data.length);
    const digest = sha256(data.subarray(off, end));
    digest.copy(leaves, count * HASH_SIZE);
    count++;
  }
  return count;
}

/**
 * The `pieces root` of a file from its piece layer (`pieceCount` hashes of piece-wide subtrees of
 * `blocksPerPiece` leaves each). For a file of more than one piece.
 */
export function rootFromPieceLayer(layer: Uint8Array, pieceCount: number, blocksPerPiece: number): Buffer {
  const width = nextPowerOfTwo(pieceCount);
  const nodes = Buffer.alloc(width * HASH_SIZE);
  nodes.set(layer.subarray(0, pieceCount * HASH_SIZE));
  return Buffer.from(reduceInPlace(nodes, pieceCount, width, Math.log2(blocksPerPiece)));
}
