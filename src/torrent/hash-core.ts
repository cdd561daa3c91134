/**
 * The hashing of a torrent's pieces, job by job: the code each hashing thread runs.
 *
 * A `HashPlan` lays the content out in pieces. v1: the files are concatenated in torrent order and
 * cut into pieces of `pieceLength` bytes (a piece may span files; the last one is short). v2 and
 * hybrid (BEP 52): every non-empty file starts at a piece boundary, so each piece lies in one file;
 * the last piece of a file is short on disk and, for the v1 half of a hybrid torrent, hashed with
 * the zeros of the BEP 47 padding file that follows it.
 *
 * The pieces are cut into jobs of `piecesPerJob` consecutive pieces; hashing threads take the next
 * job from a shared atomic counter, read its bytes into their own reused buffer (one `readSync` per
 * file per job) and write each piece's results straight into shared memory: 20-byte SHA-1 piece
 * hashes for v1, and for v2 the 32-byte root of each piece's merkle subtree (so no thread ever holds
 * more than one piece's leaf hashes). Bytes hashed are added to a shared counter for progress.
 */

import * as crypto from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { SeedcastError } from '../errors.js';
import { HASH_SIZE, hashLeaves, nextPowerOfTwo, reduceInPlace } from './merkle.js';

export const SHA1_SIZE = 20;
const BLOCK_SIZE = 16 * 1024;

export interface HashPlan {
  /** v1: one piece space over all files; v2/hybrid: pieces aligned to each file. */
  layout: 'v1' | 'aligned';
  /** Compute SHA-1 piece hashes (v1, hybrid). */
  sha1: boolean;
  /** Compute SHA-256 piece subtree roots (v2, hybrid). */
  merkle: boolean;
  /** SHA-1 of each file's last piece over the zeros of the padding file after it (multi-file hybrid). */
  padLastPieces: boolean;
  pieceLength: number;
  pieceCount: number;
  piecesPerJob: number;
  /** Files in torrent order (padding excluded). */
  paths: string[];
  lengths: number[];
  /** v1 layout: byte offset of each file in the piece space. */
  offsets: number[];
  /** aligned layout: index of each file's first piece (length `paths.length + 1`). */
  firstPiece: number[];
}

/** Shared memory of one hashing run. */
export interface HashShared {
  /** Int32 [0] next job, [1] stop flag; BigInt64 [1] bytes hashed. */
  control: SharedArrayBuffer;
  /** pieceCount × 20 bytes, or empty. */
  sha1: SharedArrayBuffer;
  /** pieceCount × 32 bytes, or empty. */
  merkle: SharedArrayBuffer;
}

export const CONTROL_BYTES = 16;
const NEXT_JOB = 0;
const STOP = 1;

export function createShared(plan: HashPlan): HashShared {
  return {
    control: new SharedArrayBuffer(CONTROL_BYTES),
    sha1: new SharedArrayBuffer(plan.sha1 ? plan.pieceCount * SHA1_SIZE : 0),
    merkle: new SharedArrayBuffer(plan.merkle ? plan.pieceCount * HASH_SIZE : 0),
  };
}

export function jobCount(plan: HashPlan): number {
  return Math.ceil(plan.pieceCount / plan.piecesPerJob);
}

/** Ask every thread to stop after its current job. */
export function requestStop(shared: HashShared): void {
  Atomics.store(new Int32Array(shared.control), STOP, 1);
}

/** Bytes hashed so far (padding excluded). */
export function bytesHashed(shared: HashShared): number {
  return Number(Atomics.load(new BigInt64Array(shared.control), 1));
}

const sha1Once: (data: Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha1', data, 'buffer')
    : (data) => crypto.createHash('sha1').update(data).digest();

/** One hashing thread's state: its buffers, views of shared memory and the open file. */
export class Hasher {
  private readonly control: Int32Array;
  private readonly progress: BigInt64Array;
  private readonly sha1Out: Uint8Array;
  private readonly merkleOut: Uint8Array;
  private readonly buffer: Buffer;
  private readonly leaves: Buffer;
  private readonly zeros: Buffer;
  private readonly jobs: number;
  private fd = -1;
  private fdIndex = -1;

  constructor(
    private readonly plan: HashPlan,
    shared: HashShared,
  ) {
    this.control = new Int32Array(shared.control);
    this.progress = new BigInt64Array(shared.control);
    this.sha1Out = new Uint8Array(shared.sha1);
    this.merkleOut = new Uint8Array(shared.merkle);
    this.buffer = Buffer.allocUnsafe(plan.pieceLength * plan.piecesPerJob);
    this.leaves = Buffer.alloc(plan.merkle ? (plan.pieceLength / BLOCK_SIZE) * HASH_SIZE : 0);
    this.zeros = Buffer.alloc(plan.padLastPieces ? plan.pieceLength : 0);
    this.jobs = jobCount(plan);
  }

  /** Take and hash the next job; false when there is none left or a stop was requested. */
  step(): boolean {
    if (Atomics.load(this.control, STOP) !== 0) return false;
    const job = Atomics.add(this.control, NEXT_JOB, 1);
    if (job >= this.jobs) return false;
    const first = job * this.plan.piecesPerJob;
    const end = Math.min(first + this.plan.piecesPerJob, this.plan.pieceCount);
    const bytes = this.plan.layout === 'v1' ? this.hashV1(first, end) : this.hashAligned(first, end);
    Atomics.add(this.progress, 1, BigInt(bytes));
    return true;
  }

  /** Hash every remaining job (a worker's whole life). */
  runAll(): void {
    try {
      while (this.step()) {}
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.fdIndex = -1;
  }

  private hashV1(first: number, end: number): number {
    const { pieceLength, offsets, lengths } = this.plan;
    const total = offsets[offsets.length - 1]! + lengths[lengths.length - 1]!;
    const start = first * pieceLength;
    const stop = Math.min(end * pieceLength, total);
    // the file holding `start`: the last one whose offset is <= start and that is not empty
    let f = upperBound(offsets, start) - 1;
    let pos = start;
    while (pos < stop) {
      while (offsets[f]! + lengths[f]! <= pos) f++;
      const inFile = pos - offsets[f]!;
      const n = Math.min(lengths[f]! - inFile, stop - pos);
      this.read(f, pos - start, n, inFile);
      pos += n;
    }
    for (let p = first; p < end; p++) {
      const from = (p - first) * pieceLength;
      const piece = this.buffer.subarray(from, Math.min(from + pieceLength, stop - start));
      this.sha1Out.set(sha1Once(piece), p * SHA1_SIZE);
    }
    return stop - start;
  }

  private hashAligned(first: number, end: number): number {
    const { pieceLength, firstPiece, lengths } = this.plan;
    let f = upperBound(firstPiece, first) - 1;
    let p = first;
    let total = 0;
    while (p < end) {
      while (firstPiece[f + 1]! <= p) f++;
      const runEnd = Math.min(end, firstPiece[f + 1]!);
      const inFile = (p - firstPiece[f]!) * pieceLength;
      const n = Math.min(lengths[f]! - inFile, (runEnd - p) * pieceLength);
      this.read(f, 0, n, inFile);
      const singlePiece = firstPiece[f + 1]! - firstPiece[f]! === 1;
      for (let q = p; q < runEnd; q++) {
        const from = (q - p) * pieceLength;
        const piece = this.buffer.subarray(from, Math.min(from + pieceLength, n));
        if (this.plan.sha1) this.sha1Out.set(this.paddedSha1(piece), q * SHA1_SIZE);
        if (this.plan.merkle) {
          const count = hashLeaves(piece, this.leaves, BLOCK_SIZE);
          const width = singlePiece ? nextPowerOfTwo(count) : pieceLength / BLOCK_SIZE;
          this.merkleOut.set(reduceInPlace(this.leaves, count, width), q * HASH_SIZE);
        }
      }
      total += n;
      p = runEnd;
    }
    return total;
  }

  /** SHA-1 of a piece, followed when asked by the zeros that fill it to a whole piece (BEP 47 padding). */
  private paddedSha1(piece: Buffer): Buffer {
    if (piece.length === this.plan.pieceLength || !this.plan.padLastPieces) return sha1Once(piece);
    return crypto
      .createHash('sha1')
      .update(piece)
      .update(this.zeros.subarray(0, this.plan.pieceLength - piece.length))
      .digest();
  }

  /** Read `length` bytes of file `f` at `position` into the buffer at `offset`, all of them. */
  private read(f: number, offset: number, length: number, position: number): void {
    if (this.fdIndex !== f) {
      this.close();
      try {
        this.fd = openSync(this.plan.paths[f]!, 'r');
      } catch (err) {
        throw readError(this.plan.paths[f]!, err);
      }
      this.fdIndex = f;
    }
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(this.fd, this.buffer, offset + done, length - done, position + done);
      } catch (err) {
        throw readError(this.plan.paths[f]!, err);
      }
      if (n === 0) {
        throw new SeedcastError(
          'CREATE_INPUT',
          `${this.plan.paths[f]}: file shrank while it was being hashed`,
        );
      }
      done += n;
    }
  }
}

function readError(path: string, err: unknown): SeedcastError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : (e.code ?? e.message);
  return new SeedcastError('CREATE_INPUT', `${path}: ${why}`, { cause: err });
}

/** Index of the first element of sorted `list` greater than `x`. */
function upperBound(list: number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
