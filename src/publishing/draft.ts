/**
 * An upload on its way into the blob store: each file is streamed once, straight into storage
 * (`files/<draft id>/<n>`, keys independent of the item's id), while the same bytes feed the
 * streaming torrent hasher (`src/torrent/streaming-hasher.ts`: v1, or hybrid v1+v2, chosen when the
 * draft is published) and the store's SHA-256, kept per file for integrity whatever the format. Nothing
 * is staged on disk and nothing is read back. Names are made safe and unique; the total is capped.
 * `discard` removes whatever was stored (a failed or refused upload leaves nothing).
 */

import { randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SeedcastError } from '../errors.js';
import { contentTypeOf } from '../media/index.js';
import { type BlobStore, blobKey } from '../storage/index.js';
import {
  type CreatedTorrent,
  type CreateOptions,
  type PreparedTorrent,
  StreamingHasher,
} from '../torrent/index.js';
import { safeFileName, uniqueNames } from './filenames.js';
import { asDiskFull } from './quota.js';

export interface DraftFile {
  /** Safe name (one path component). */
  name: string;
  length: number;
  sha256: string;
  blobKey: string;
}

export interface DraftOptions {
  /** Largest total in bytes (the site's upload limit). */
  maxBytes: number;
  maxFiles: number;
  /**
   * A closer upper bound on the total when known (a request's Content-Length, a tus upload's
   * length): the torrent hasher then runs SHA-1 for one or two piece lengths instead of all.
   */
  expectedBytes?: number;
  /** The exact total when known (a tus upload's length): SHA-1 for that one piece length only. */
  totalBytes?: number;
  /** What is left of the owner's storage quota: more is QUOTA_EXCEEDED (413). */
  quotaBytes?: number;
  /** Asked before the first file is stored (the free-space guard): throws to refuse the upload. */
  beforeFirstFile?: () => Promise<void>;
  /**
   * The torrent format expected (the site's, or the upload's `format` field when known): with `v1`
   * only v1 is hashed for (no SHA-256 merkle leaves); anything else keeps every format possible.
   */
  format?: string;
}

export class UploadDraft {
  /** Names the draft's blobs (`files/<id>/<n>`). */
  readonly id = randomBytes(12).toString('hex');
  readonly files: DraftFile[] = [];
  private hasher?: StreamingHasher;
  private format: string | undefined;
  private readonly keys: string[] = [];
  private total = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly options: DraftOptions,
  ) {
    this.format = options.format;
  }

  /**
   * The upload's `format` field, when it comes before the files (checked when publishing). After
   * the first file a format the hashing did not prepare for is ITEM_INVALID.
   */
  setFormat(value: string): void {
    const wanted = value.trim().toLowerCase();
    if (this.hasher?.v1Only && wanted !== 'v1' && wanted !== '')
      throw new SeedcastError('ITEM_INVALID', 'format: send the format field before the file parts');
    this.format = value;
  }

  /** The hasher, made when the first file comes (the format known by then decides what it hashes). */
  private hasherNow(): StreamingHasher {
    if (!this.hasher) {
      const { options } = this;
      const bound = Math.min(
        options.totalBytes ?? options.expectedBytes ?? options.maxBytes,
        options.maxBytes,
      );
      const v1Only = this.format?.trim().toLowerCase() === 'v1';
      this.hasher = new StreamingHasher({ maxBytes: bound, minBytes: options.totalBytes, v1Only });
    }
    return this.hasher;
  }

  /** Streams one file into the store under a safe, unique name, hashing it on the way. */
  async add(filename: string | undefined, body: AsyncIterable<Uint8Array>): Promise<DraftFile> {
    if (this.keys.length === 0) await this.options.beforeFirstFile?.();
    if (this.files.length >= this.options.maxFiles) {
      throw new SeedcastError('HTTP_TOO_LARGE', `at most ${this.options.maxFiles} files in one upload`);
    }
    const wanted = safeFileName(filename, this.files.length);
    const name = uniqueNames([...this.files.map((f) => f.name), wanted]).pop()!;
    const key = blobKey('files', this.id, this.keys.length);
    this.keys.push(key);
    const pieces = this.hasherNow().addFile([name]);
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        this.total += chunk.length;
        if (this.total > this.options.maxBytes) {
          done(new SeedcastError('HTTP_TOO_LARGE', `uploads are limited to ${this.options.maxBytes} bytes`));
          return;
        }
        const quota = this.options.quotaBytes;
        if (quota !== undefined && this.total > quota) {
          done(new SeedcastError('QUOTA_EXCEEDED', `only ${quota} bytes are left of your storage quota`));
          return;
        }
        pieces.update(chunk);
        done(null, chunk);
      },
    });
    const [fed, stored] = await Promise.allSettled([
      pipeline(body, tap),
      this.blobs.put(key, tap, { contentType: contentTypeOf(name) }),
    ]);
    // A full disk first: the body then fails too, only because the store stopped reading it.
    if (stored.status === 'rejected' && asDiskFull(stored.reason) !== stored.reason)
      throw asDiskFull(stored.reason);
    if (fed.status === 'rejected') throw fed.reason;
    if (stored.status === 'rejected') throw stored.reason;
    pieces.end();
    const file = { name, length: pieces.length, sha256: stored.value.sha256, blobKey: key };
    if (stored.value.size !== file.length)
      throw new SeedcastError('INTERNAL', 'stored size differs from hashed');
    this.files.push(file);
    return file;
  }

  /**
   * The torrent of the files added, `options.version` 'v1' or 'hybrid' (a folder named
   * `options.name` when there are several; v1 keeps the order the files were added in).
   */
  torrent(options: CreateOptions & { name: string }): CreatedTorrent {
    return this.prepareTorrent(options).build();
  }

  /** As `torrent`, not yet written: its facts first, then `build(webSeeds)` writes it once. */
  prepareTorrent(options: CreateOptions & { name: string }): PreparedTorrent {
    if (options.version !== 'v1' && this.hasher?.v1Only)
      throw new SeedcastError('ITEM_INVALID', 'format: send the format field before the file parts');
    return this.hasherNow().prepare(options);
  }

  /** Removes every blob stored for this draft. */
  async discard(): Promise<void> {
    await Promise.allSettled(this.keys.map((key) => this.blobs.delete(key)));
  }
}
