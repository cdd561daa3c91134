/**
 * The blob store interface: where the site keeps item files, torrents and thumbnails. Adapters:
 * `LocalDiskStore` (the default, under the data folder) and `S3Store` (any S3-compatible service);
 * `contract.ts` is the one test suite both pass.
 *
 * Semantics every adapter keeps:
 * - keys follow `keys.ts`; an invalid key is STORAGE_KEY_INVALID before anything is touched;
 * - `put` is atomic: readers see the old blob or the whole new one, never a part; when the body does
 *   not match the expected `size` or `sha256` (or the body stream fails) nothing is stored and the
 *   old blob, if any, stays;
 * - `get` with a range gives exactly `length` bytes from `offset`: a range past the end is
 *   STORAGE_RANGE, a missing blob STORAGE_NOT_FOUND;
 * - `delete` of a missing blob succeeds; `list` yields the blobs under a prefix, in no promised
 *   order (S3 and the local store give key order; some S3-compatible servers do not).
 */

import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SeedcastError } from '../errors.js';

export interface BlobInfo {
  key: string;
  size: number;
  /** Changes whenever the content changes (no quotes; the HTTP layer adds them). */
  etag: string;
  /** Last modification, milliseconds since the epoch. */
  modified: number;
}

export interface PutOptions {
  /** Expected size in bytes: a body of another size is refused (STORAGE_INTEGRITY). */
  size?: number;
  /** Expected SHA-256 of the body, hex: a body with another hash is refused. */
  sha256?: string;
  contentType?: string;
}

export interface PutResult {
  key: string;
  size: number;
  /** SHA-256 of what was stored, lower-case hex. */
  sha256: string;
}

export interface ByteRange {
  /** First byte (default 0). */
  offset?: number;
  /** Number of bytes (default: to the end). */
  length?: number;
}

export type BlobBody = Readable | AsyncIterable<Uint8Array> | Uint8Array;

export interface BlobStore {
  put(key: string, body: BlobBody, options?: PutOptions): Promise<PutResult>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size and version of a blob, or undefined when there is none. */
  head(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<BlobInfo>;
  close(): Promise<void>;
}

/** The body as an async iterable of byte chunks. */
export function chunksOf(body: BlobBody): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) return Readable.from([body]);
  return body;
}

/** Counts and hashes a body as it passes, and checks it against the expectations of `options`. */
export class BodyCheck {
  size = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest?: string;

  constructor(private readonly options: PutOptions = {}) {
    if (options.size !== undefined && !(Number.isSafeInteger(options.size) && options.size >= 0)) {
      throw new SeedcastError('STORAGE_INTEGRITY', `expected size ${options.size} is not a byte count`);
    }
    if (options.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(options.sha256)) {
      throw new SeedcastError('STORAGE_INTEGRITY', 'expected sha256 is not 64 hex digits');
    }
  }

  /** Adds a chunk; throws as soon as the body grows past the expected size. */
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.options.size !== undefined && this.size > this.options.size) {
      throw new SeedcastError(
        'STORAGE_INTEGRITY',
        `body is longer than the expected ${this.options.size} bytes`,
      );
    }
    this.hash.update(chunk);
  }

  /** Throws unless the whole body matched; returns its SHA-256. */
  finish(): string {
    this.digest ??= this.hash.digest('hex');
    if (this.options.size !== undefined && this.size !== this.options.size) {
      throw new SeedcastError(
        'STORAGE_INTEGRITY',
        `body is ${this.size} bytes, expected ${this.options.size}`,
      );
    }
    if (this.options.sha256 !== undefined && this.digest !== this.options.sha256.toLowerCase()) {
      throw new SeedcastError(
        'STORAGE_INTEGRITY',
        `body has SHA-256 ${this.digest}, expected ${this.options.sha256}`,
      );
    }
    return this.digest;
  }
}

/** Resolves a range against a blob of `size` bytes; throws STORAGE_RANGE when it does not fit. */
export function resolveRange(range: ByteRange | undefined, size: number): { offset: number; length: number } {
  const offset = range?.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new SeedcastError('STORAGE_RANGE', `offset ${offset} is not a byte position`);
  }
  const length = range?.length ?? size - offset;
  if (!Number.isSafeInteger(length) || length < 0 || offset + length > size) {
    throw new SeedcastError(
      'STORAGE_RANGE',
      `bytes ${offset}+${range?.length ?? '*'} of a ${size}-byte blob`,
    );
  }
  return { offset, length };
}

/** Reads a whole stream into one buffer (for small blobs and tests). */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
