/**
 * Hashing a v1 (BEP 3), hybrid v1+v2 (BEP 3, 47, 52) or v2 torrent from bytes as they stream past,
 * without reading anything back: for uploads that are stored while they arrive. Feed each file's
 * bytes in order to `addFile(path)`'s hasher; `finish({ version })` builds the `.torrent`
 * (`prepareTorrent` is shared with `createTorrent`; a hybrid is the same torrent `createTorrent`
 * makes for the same files, same info hashes). The version is chosen at `finish`: everything each
 * needs is hashed as the bytes pass.
 *
 * v1: the plain BEP 3 layout, no padding: files back to back in the order they were added (not
 * sorted), pieces spanning files, as mktorrent and every client since 2001 do. Its SHA-1 runs over
 * the files' bytes joined, so a v1 torrent of several files needs them fed one after the other
 * (each file's bytes only once the previous file's are all in); feeding files side by side leaves
 * only the hybrid and v2 forms (`finish` says so).
 *
 * In a hybrid torrent every file starts on a piece boundary (a BEP 47 padding file fills the last
 * piece of each file in the v1 list), so each file is hashed on its own, in any arrival order:
 * - v2: the SHA-256 of every 16 KiB block (the merkle leaves, 32 bytes per 16 KiB, kept until the
 *   end); piece-layer hashes and `pieces root` follow from them for any piece length;
 * - v1: SHA-1 piece hashes depend on the piece length, which depends on the total size, known only
 *   at the end. So SHA-1 runs for each still possible piece length: from the automatic choice for the
 *   bytes seen so far (it never goes down) up to the choice for `maxBytes` (an upper bound on the
 *   total, e.g. the request's Content-Length). A length falls out once more bytes have arrived than
 *   it would be chosen for; so the extra SHA-1 work is bounded by the total (lengths double) plus the
 *   lengths between the final choice and the bound (one or two with an exact bound; just one when
 *   a lower bound is given too, as for a tus upload of known length). A file's last
 *   piece is hashed both as it is (a single-file torrent) and with the padding's zeros (several).
 */

import * as crypto from 'node:crypto';
import { SeedcastError } from '../errors.js';
import {
  type CheckedCreateOptions,
  type CreatedTorrent,
  type CreateOptions,
  checkCreateOptions,
  type PreparedTorrent,
  prepareTorrent,
} from './create.js';
import { SHA1_SIZE } from './hash-core.js';
import { HASH_SIZE, nextPowerOfTwo, reduceInPlace, sha256 } from './merkle.js';
import { BLOCK_SIZE, choosePieceLength, MAX_AUTO_PIECE_LENGTH } from './piece-length.js';
import { sortFiles } from './walk.js';

/** SHA-1 of one candidate piece length over one file. */
class PieceSha1 {
  private hash = crypto.createHash('sha1');
  private filled = 0;
  private readonly digests: Buffer[] = [];
  /** The last piece as it is, and with the zeros of the padding after it (set by `end`). */
  last?: { plain: Buffer; padded: Buffer };

  constructor(readonly pieceLength: number) {}

  update(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(this.pieceLength - this.filled, chunk.length - at);
      this.hash.update(chunk.subarray(at, at + n));
      this.filled += n;
      at += n;
      if (this.filled === this.pieceLength) {
        this.digests.push(this.hash.digest());
        this.hash = crypto.createHash('sha1');
        this.filled = 0;
      }
    }
  }

  end(): void {
    if (this.filled === 0 || this.last) return;
    const plain = this.hash.copy().digest();
    const padded = this.hash.update(Buffer.alloc(this.pieceLength - this.filled)).digest();
    this.last = { plain, padded };
  }

  /** The file's piece hashes, its last piece padded or not. */
  pieces(padded: boolean): Buffer {
    const all = [...this.digests];
    if (this.last) all.push(padded ? this.last.padded : this.last.plain);
    return Buffer.concat(all);
  }
}

/** Hashes one file's bytes, in order. */
export class StreamingFileHasher {
  length = 0;
  private leaves = Buffer.alloc(64 * HASH_SIZE);
  private leafCount = 0;
  private readonly block = Buffer.alloc(BLOCK_SIZE);
  private blockFilled = 0;
  private readonly sha1 = new Map<number, PieceSha1>();
  private ended = false;

  constructor(
    readonly path: string[],
    private readonly owner: StreamingHasher,
  ) {
    if (owner.v1Only) return;
    for (const p of owner.candidates) this.sha1.set(p, new PieceSha1(p));
  }

  update(chunk: Uint8Array): void {
    if (this.ended) throw new Error('streaming hasher: update after end');
    this.length += chunk.length;
    this.owner.grew(chunk.length);
    this.owner.joined(this, chunk);
    if (this.owner.v1Only) return; // no per-file layout to hash (hybrid, v2)
    for (const [p, h] of this.sha1) {
      if (this.owner.candidates.includes(p)) h.update(chunk);
      else this.sha1.delete(p);
    }
    let at = 0;
    if (this.blockFilled > 0) {
      const n = Math.min(BLOCK_SIZE - this.blockFilled, chunk.length);
      this.block.set(chunk.subarray(0, n), this.blockFilled);
      this.blockFilled += n;
      at = n;
      if (this.blockFilled === BLOCK_SIZE) {
        this.leaf(this.block);
        this.blockFilled = 0;
      }
    }
    while (chunk.length - at >= BLOCK_SIZE) {
      this.leaf(chunk.subarray(at, at + BLOCK_SIZE));
      at += BLOCK_SIZE;
    }
    if (at < chunk.length) {
      this.block.set(chunk.subarray(at), 0);
      this.blockFilled = chunk.length - at;
    }
  }

  /** The file is complete. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.blockFilled > 0) this.leaf(this.block.subarray(0, this.blockFilled));
    this.blockFilled = 0;
    for (const h of this.sha1.values()) h.end();
  }

  private leaf(data: Uint8Array): void {
    if ((this.leafCount + 1) * HASH_SIZE > this.leaves.length) {
      const bigger = Buffer.alloc(this.leaves.length * 2);
      this.leaves.copy(bigger);
      this.leaves = bigger;
    }
    sha256(data).copy(this.leaves, this.leafCount * HASH_SIZE);
    this.leafCount++;
  }

  /** v1 piece hashes for `pieceLength` (the last piece padded when `padded`). */
  sha1Pieces(pieceLength: number, padded: boolean): Buffer {
    const h = this.sha1.get(pieceLength);
    if (!h) throw new SeedcastError('INTERNAL', `streaming hasher: piece length ${pieceLength} not hashed`);
    return h.pieces(padded);
  }

  /** The roots of each piece's merkle subtree (BEP 52 piece layer; one piece: the file's root). */
  pieceRoots(pieceLength: number): Buffer {
    const perPiece = pieceLength / BLOCK_SIZE;
    const pieces = Math.ceil(this.length / pieceLength);
    const out = Buffer.alloc(pieces * HASH_SIZE);
    for (let q = 0; q < pieces; q++) {
      const first = q * perPiece;
      const count = Math.min(perPiece, this.leafCount - first);
      const nodes = Buffer.from(this.leaves.subarray(first * HASH_SIZE, (first + count) * HASH_SIZE));
      const width = pieces === 1 ? nextPowerOfTwo(count) : perPiece;
      reduceInPlace(nodes, count, width).copy(out, q * HASH_SIZE);
    }
    return out;
  }
}

export interface StreamingHasherOptions {
  /** An upper bound on the total bytes of every file (decides which piece lengths are hashed). */
  maxBytes: number;
  /** A lower bound on the total, when known (equal to `maxBytes` for an exact total: one piece length). */
  minBytes?: number;
  /**
   * Only a v1 torrent will be asked for: skip what only hybrid and v2 need (the SHA-256 merkle
   * leaves and the per-file SHA-1 of the padded layout). Default false: every version stays possible.
   */
  v1Only?: boolean;
}

/** Hashes a set of files streamed in one after another (or side by side, for hybrid or v2 only). */
export class StreamingHasher {
  /** Piece lengths still possible, smallest first. */
  candidates: number[] = [];
  private total = 0;
  private readonly files: StreamingFileHasher[] = [];
  /** v1 SHA-1 over every file's bytes joined (BEP 3 layout), by candidate piece length. */
  private readonly joinedSha1 = new Map<number, PieceSha1>();
  /** Set when bytes of a file arrived after a later file had been added: no joined v1 layout. */
  private interleaved = false;

  /** Hashing for v1 only (`StreamingHasherOptions.v1Only`). */
  readonly v1Only: boolean;

  constructor(options: StreamingHasherOptions) {
    this.v1Only = options.v1Only ?? false;
    const top = choosePieceLength(Math.max(0, options.maxBytes));
    const bottom = choosePieceLength(Math.min(Math.max(0, options.minBytes ?? 0), options.maxBytes));
    for (let p = bottom; p <= Math.min(top, MAX_AUTO_PIECE_LENGTH); p *= 2) this.candidates.push(p);
    for (const p of this.candidates) this.joinedSha1.set(p, new PieceSha1(p));
  }

  /** Called by file hashers after `grew`: the bytes of the v1 layout, in the order files were added. */
  joined(file: StreamingFileHasher, chunk: Uint8Array): void {
    if (this.files.at(-1) !== file) this.interleaved = true;
    if (this.interleaved) return;
    for (const [p, h] of this.joinedSha1) {
      if (this.candidates.includes(p)) h.update(chunk);
      else this.joinedSha1.delete(p);
    }
  }

  /** A hasher for the next file (path inside the torrent's folder). */
  addFile(path: string[]): StreamingFileHasher {
    const file = new StreamingFileHasher(path, this);
    this.files.push(file);
    return file;
  }

  /** Bytes seen so far, all files together. */
  get length(): number {
    return this.total;
  }

  /** Called by file hashers: drops the piece lengths the total has outgrown. */
  grew(bytes: number): void {
    this.total += bytes;
    const floor = choosePieceLength(this.total);
    if (this.candidates[0]! < floor) {
      const kept = this.candidates.filter((p) => p >= floor);
      // past the bound: keep the largest, so finish() can say what went wrong
      this.candidates = kept.length > 0 ? kept : this.candidates.slice(-1);
    }
  }

  /**
   * The torrent of the files fed in (every one ended), `options.version` 'hybrid' (the default), 'v1'
   * or 'v2'. With one file it is a single-file torrent named `options.name` (default the file's
   * name); with several, a folder named `options.name`.
   */
  finish(options: CreateOptions & { name?: string } = {}): CreatedTorrent {
    return this.prepare(options).build();
  }

  /**
   * As `finish`, with the `.torrent` not yet written: its facts (info hashes, files) first, then
   * `build(urlList)` writes it once, with web seeds that may name what those facts decided.
   */
  prepare(options: CreateOptions & { name?: string } = {}): PreparedTorrent {
    const checked: CheckedCreateOptions = checkCreateOptions({
      ...options,
      version: options.version ?? 'hybrid',
    });
    if (this.files.length === 0) throw new SeedcastError('CREATE_INPUT', 'no files');
    for (const f of this.files) f.end();
    const single = this.files.length === 1;
    const name = options.name ?? this.files[0]!.path.at(-1)!;
    if (this.total === 0) throw new SeedcastError('CREATE_INPUT', 'nothing to hash (only empty files)');
    const pieceLength = choosePieceLength(this.total);
    if (options.pieceLength !== undefined && options.pieceLength !== pieceLength) {
      throw new SeedcastError(
        'CREATE_OPTIONS',
        'streaming hasher: the piece length is chosen from the total',
      );
    }
    if (!this.candidates.includes(pieceLength)) {
      throw new SeedcastError('CREATE_INPUT', `more bytes than the ${pieceLength}-byte piece bound allowed`);
    }
    if (checked.version === 'v1') return this.prepareV1(checked, name, single, pieceLength);
    if (this.v1Only) {
      throw new SeedcastError(
        'CREATE_OPTIONS',
        `streaming hasher: hashed for v1 only, not ${checked.version}`,
      );
    }
    const sorted = single ? [this.files[0]!] : sortFiles(this.files, 'v2');
    const firstPiece: number[] = [];
    let piece = 0;
    for (const f of sorted) {
      firstPiece.push(piece);
      piece += Math.ceil(f.length / pieceLength);
    }
    firstPiece.push(piece);
    const sha1 =
      checked.version === 'v2'
        ? new Uint8Array(0)
        : Buffer.concat(sorted.map((f) => f.sha1Pieces(pieceLength, !single)));
    const layers = Buffer.concat(sorted.map((f) => f.pieceRoots(pieceLength)));
    if (
      (checked.version !== 'v2' && sha1.length !== piece * SHA1_SIZE) ||
      layers.length !== piece * HASH_SIZE
    ) {
      throw new SeedcastError('INTERNAL', 'streaming hasher: piece count mismatch');
    }
    return prepareTorrent({
      checked,
      name,
      files: single ? [{ path: [name], length: sorted[0]!.length }] : sorted,
      single,
      pieceLength,
      pieceCount: piece,
      firstPiece,
      sha1,
      layers,
    });
  }

  /** BEP 3 layout: the files in the order they were added, back to back, no padding. */
  private prepareV1(checked: CheckedCreateOptions, name: string, single: boolean, pieceLength: number) {
    const joined = this.joinedSha1.get(pieceLength);
    if (this.interleaved || !joined) {
      throw new SeedcastError(
        'CREATE_OPTIONS',
        'streaming hasher: a v1 torrent of several files needs them fed one after the other',
      );
    }
    joined.end();
    const sha1 = joined.pieces(false);
    const pieceCount = Math.ceil(this.total / pieceLength);
    if (sha1.length !== pieceCount * SHA1_SIZE) {
      throw new SeedcastError('INTERNAL', 'streaming hasher: piece count mismatch');
    }
    return prepareTorrent({
      checked,
      name,
      files: single ? [{ path: [name], length: this.files[0]!.length }] : this.files,
      single,
      pieceLength,
      pieceCount,
      firstPiece: [],
      sha1,
      layers: new Uint8Array(0),
    });
  }
}
