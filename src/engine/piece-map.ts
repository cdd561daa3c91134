/**
 * Where each piece lives: the byte range of a piece in the torrent's piece space and the file
 * segments that range covers (BEP 3 v1 layout, BEP 47 padding files, BEP 52 v2 layout).
 *
 * v1 and hybrid torrents have one contiguous piece space (files back to back, padding files included);
 * a piece is [i * pieceLength, min((i + 1) * pieceLength, total)). In a v2-only torrent every file
 * starts at a piece boundary and a file's last piece ends with the file, so the piece table is built
 * per file. Padding files are part of the space but never stored: they read as zeros.
 */

import type { Metainfo, TorrentFile } from '../torrent/index.js';

export interface PieceSpan {
  /** Byte offset of the piece in the piece space. */
  offset: number;
  length: number;
}

export interface FileSegment {
  /** Index in `meta.files`. */
  file: number;
  /** Offset inside the file. */
  fileOffset: number;
  length: number;
  /** Offset inside the requested range where this segment starts. */
  rangeOffset: number;
}

export class PieceMap {
  readonly pieceCount: number;
  readonly pieceLength: number;
  /** Total size of the piece space (padding files included). */
  readonly spaceLength: number;
  private readonly files: readonly TorrentFile[];
  /** v2-only: the start offset of each piece (pieces of different files are not contiguous). */
  private readonly v2Offsets?: Float64Array;
  private readonly v2Lengths?: Float64Array;
  /**
   * Length of the piece space as peers count it (the wire geometry): v2-only torrents pad every file,
   * the last included, to a piece boundary (BEP 52; libtorrent 2.0 adds these "tail pad files"), so
   * every v2 piece is `pieceLength` long on the wire and requests may run past a file's end into
   * zeros. v1 and hybrid: the space itself.
   */
  readonly wireLength: number;

  constructor(meta: Metainfo) {
    this.files = meta.files;
    this.pieceCount = meta.pieceCount;
    this.pieceLength = meta.pieceLength;
    const last = meta.files[meta.files.length - 1];
    this.spaceLength = last ? last.offset + last.length : 0;
    this.wireLength = meta.version === 'v2' ? meta.pieceCount * meta.pieceLength : this.spaceLength;
    if (meta.version === 'v2') {
      this.v2Offsets = new Float64Array(meta.pieceCount);
      this.v2Lengths = new Float64Array(meta.pieceCount);
      let i = 0;
      for (const f of meta.files) {
        for (let at = 0; at < f.length; at += meta.pieceLength) {
          this.v2Offsets[i] = f.offset + at;
          this.v2Lengths[i] = Math.min(meta.pieceLength, f.length - at);
          i++;
        }
      }
    }
  }

  /** The byte range of piece `index`. */
  piece(index: number): PieceSpan {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) {
      throw new RangeError(`piece ${index} out of range 0..${this.pieceCount - 1}`);
    }
    if (this.v2Offsets) return { offset: this.v2Offsets[index]!, length: this.v2Lengths![index]! };
    const offset = index * this.pieceLength;
    return { offset, length: Math.min(this.pieceLength, this.spaceLength - offset) };
  }

  /** The length of piece `index` on the wire (see `wireLength`): at least `piece(index).length`. */
  wirePieceLength(index: number): number {
    const { offset } = this.piece(index);
    return Math.min(this.pieceLength, this.wireLength - offset);
  }

  /** The file segments covering [offset, offset + length) of the piece space, in order. */
  segments(offset: number, length: number): FileSegment[] {
    const out: FileSegment[] = [];
    const end = offset + length;
    let lo = 0;
    let hi = this.files.length - 1;
    // Binary search for the first file that ends after `offset`.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const f = this.files[mid]!;
      if (f.offset + f.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.files.length; i++) {
      const f = this.files[i]!;
      if (f.offset >= end) break;
      if (f.length === 0) continue;
      const start = Math.max(offset, f.offset);
      const stop = Math.min(end, f.offset + f.length);
      if (stop > start)
        out.push({
          file: i,
          fileOffset: start - f.offset,
          length: stop - start,
          rangeOffset: start - offset,
        });
    }
    return out;
  }

  /** Index of the file holding piece `index` in a v2 layout (each piece belongs to one file). */
  fileOfPiece(index: number): number {
    const { offset } = this.piece(index);
    const seg = this.segments(offset, 1)[0];
    if (!seg) throw new RangeError(`piece ${index} covers no file`);
    return seg.file;
  }
}
