/**
 * Piece verification before a piece counts as had.
 *
 * v1 and hybrid torrents: SHA-1 of the whole piece (padding zeros included) against `pieces` (BEP 3).
 * v2-only torrents (BEP 52): SHA-256 of each 16 KiB block, hashed up to the piece's subtree root and
 * compared with the file's piece layer; a file of one piece or less is compared with its pieces root
 * directly (its tree is only as wide as its block count). A piece layer missing from the torrent comes
 * from peers (`layer-fetch.ts`), a verified run at a time: `hashKnown` says whether a piece can be
 * checked yet (the downloader keeps a complete piece waiting until it can).
 *
 * Hashing is incremental (`PieceCheck`), so a piece is never held whole in memory: the download path
 * feeds blocks as they arrive (SHA-1 only in order; v2 leaves in any order) and reads back from the
 * store, in `READ_CHUNK` slices, whatever it could not hash on arrival; the recheck reads a stored
 * piece the same way (`verifyStored`).
 */

import { createHash, type Hash } from 'node:crypto';
import { type Metainfo, merkleRoot } from '../torrent/index.js';
import type { PieceStore } from './file-store.js';
import type { PieceMap } from './piece-map.js';

const BLOCK = 16 * 1024;
/** Bytes read from the store at a time when hashing a stored piece (a multiple of 16 KiB). */
export const READ_CHUNK = 1024 * 1024;

/** The hash of one piece, fed in pieces. */
export interface PieceCheck {
  /**
   * Hash `data`, the bytes at `begin` of the piece. Returns false (and hashes nothing) when it cannot
   * use them now: v1 bytes that do not continue the hashed prefix, v2 bytes not on 16 KiB leaves.
   */
  add(begin: number, data: Uint8Array): boolean;
  /** Byte ranges [start, end) of the piece not hashed yet, in order. */
  missing(): [number, number][];
  /** True when every byte was hashed and the piece matches its hash. */
  matches(): boolean;
}

export class PieceVerifier {
  constructor(
    private readonly meta: Metainfo,
    private readonly map: PieceMap,
    /** v2: a piece hash from a verified run of a layer still being fetched (by pieces root, hex). */
    private readonly fetched?: (rootHex: string, pieceInFile: number) => Buffer | undefined,
  ) {}

  /** False while piece `index` of a v2 torrent has no known hash to be checked against. */
  hashKnown(index: number): boolean {
    if (this.meta.version !== 'v2') return true;
    const file = this.meta.files[this.map.fileOfPiece(index)]!;
    if (!file.piecesRoot || file.length <= this.meta.pieceLength) return true;
    return (
      this.pieceHash(
        file.piecesRoot,
        (this.map.piece(index).offset - file.offset) / this.meta.pieceLength,
      ) !== undefined
    );
  }

  private pieceHash(root: Uint8Array, inFile: number): Uint8Array | undefined {
    const rootHex = Buffer.from(root).toString('hex');
    const layer = this.meta.pieceLayers.get(rootHex);
    if (layer) return layer.subarray(inFile * 32, inFile * 32 + 32);
    return this.fetched?.(rootHex, inFile);
  }

  /** A fresh incremental check of piece `index`. */
  check(index: number): PieceCheck {
    const length = this.map.piece(index).length;
    if (this.meta.version !== 'v2') {
      return new Sha1Check(length, this.meta.pieces.subarray(index * 20, index * 20 + 20));
    }
    return new LeafCheck(length, (leaves) => this.v2Matches(index, leaves));
  }

  /** True when `data` is exactly piece `index`. */
  verify(index: number, data: Uint8Array): boolean {
    if (data.length !== this.map.piece(index).length) return false;
    const check = this.check(index);
    check.add(0, data);
    return check.matches();
  }

  /** Feed the ranges `check` still misses from the store, a chunk at a time; then whether it matches. */
  async complete(index: number, check: PieceCheck, store: PieceStore): Promise<boolean> {
    const { offset } = this.map.piece(index);
    for (const [start, end] of check.missing()) {
      for (let at = start; at < end; at += READ_CHUNK) {
        const length = Math.min(READ_CHUNK, end - at);
        if (!check.add(at, await store.read(offset + at, length))) return false;
      }
    }
    return check.matches();
  }

  /** Verify piece `index` as stored, reading it in chunks (resume, recheck). */
  verifyStored(index: number, store: PieceStore): Promise<boolean> {
    return this.complete(index, this.check(index), store);
  }

  private v2Matches(index: number, leaves: Buffer[]): boolean {
    const span = this.map.piece(index);
    const file = this.meta.files[this.map.fileOfPiece(index)]!;
    if (!file.piecesRoot) return false;
    if (file.length <= this.meta.pieceLength) return merkleRoot(leaves).equals(file.piecesRoot);
    const inFile = (span.offset - file.offset) / this.meta.pieceLength;
    const expected = this.pieceHash(file.piecesRoot, inFile);
    if (!expected) return false;
    return merkleRoot(leaves, { width: this.meta.pieceLength / BLOCK }).equals(expected);
  }
}

/** v1: SHA-1 over the piece, fed strictly in order. */
class Sha1Check implements PieceCheck {
  private readonly hash: Hash = createHash('sha1');
  private hashedTo = 0;

  constructor(
    private readonly length: number,
    private readonly expected: Uint8Array,
  ) {}

  add(begin: number, data: Uint8Array): boolean {
    if (begin !== this.hashedTo || begin + data.length > this.length) return false;
    this.hash.update(data);
    this.hashedTo += data.length;
    return true;
  }

  missing(): [number, number][] {
    return this.hashedTo < this.length ? [[this.hashedTo, this.length]] : [];
  }

  matches(): boolean {
    return this.hashedTo === this.length && this.hash.digest().equals(this.expected);
  }
}

/** v2: one SHA-256 per 16 KiB leaf (the last may be short), in any order. */
class LeafCheck implements PieceCheck {
  private readonly leaves: (Buffer | undefined)[];

  constructor(
    private readonly length: number,
    private readonly matchLeaves: (leaves: Buffer[]) => boolean,
  ) {
    this.leaves = new Array(Math.ceil(length / BLOCK)).fill(undefined);
  }

  add(begin: number, data: Uint8Array): boolean {
    const end = begin + data.length;
    if (begin % BLOCK !== 0 || end > this.length || (end % BLOCK !== 0 && end !== this.length)) return false;
    for (let at = 0; at < data.length; at += BLOCK) {
      this.leaves[(begin + at) / BLOCK] = createHash('sha256')
        .update(data.subarray(at, at + BLOCK))
        .digest();
    }
    return true;
  }

  missing(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.leaves.length; i++) {
      if (this.leaves[i]) continue;
      const start = i * BLOCK;
      const end = Math.min(this.length, start + BLOCK);
      const last = out[out.length - 1];
      if (last && last[1] === start) last[1] = end;
      else out.push([start, end]);
    }
    return out;
  }

  matches(): boolean {
    if (this.leaves.some((l) => !l)) return false;
    return this.matchLeaves(this.leaves as Buffer[]);
  }
}
