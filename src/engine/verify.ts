/**
 * Piece verification before a piece is written as complete.
 *
 * v1 and hybrid torrents: SHA-1 of the whole piece (padding zeros included) against `pieces` (BEP 3).
 * v2-only torrents (BEP 52): SHA-256 of each 16 KiB block, hashed up to the piece's subtree root and
 * compared with the file's piece layer; a file of one piece or less is compared with its pieces root
 * directly (its tree is only as wide as its block count).
 */

import { createHash } from 'node:crypto';
import { type Metainfo, merkleRoot } from '../torrent/index.js';
import type { PieceMap } from './piece-map.js';

const BLOCK = 16 * 1024;

export class PieceVerifier {
  constructor(
    private readonly meta: Metainfo,
    private readonly map: PieceMap,
  ) {}

  /** True when `data` is exactly piece `index`. */
  verify(index: number, data: Uint8Array): boolean {
    const span = this.map.piece(index);
    if (data.length !== span.length) return false;
    if (this.meta.version !== 'v2') {
      const expected = this.meta.pieces.subarray(index * 20, index * 20 + 20);
      return createHash('sha1').update(data).digest().equals(expected);
    }
    const file = this.meta.files[this.map.fileOfPiece(index)]!;
    if (!file.piecesRoot) return false;
    const leaves: Buffer[] = [];
    for (let at = 0; at < data.length; at += BLOCK) {
      leaves.push(
        createHash('sha256')
          .update(data.subarray(at, at + BLOCK))
          .digest(),
      );
    }
    if (file.length <= this.meta.pieceLength) {
      return merkleRoot(leaves).equals(file.piecesRoot);
    }
    const layer = this.meta.pieceLayers.get(Buffer.from(file.piecesRoot).toString('hex'));
    if (!layer) return false;
    const inFile = (span.offset - file.offset) / this.meta.pieceLength;
    const expected = layer.subarray(inFile * 32, inFile * 32 + 32);
    return merkleRoot(leaves, { width: this.meta.pieceLength / BLOCK }).equals(expected);
  }
}
