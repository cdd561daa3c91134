/**
 * Where an upload's files wait while the torrent is made: a fresh folder under the data folder's
 * `tmp/uploads`, one file per uploaded part under its safe name. Each part is streamed straight to
 * disk (never buffered whole) while its SHA-256 and length are taken; the total is capped. `discard`
 * removes the folder whatever happened.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SeedcastError } from '../errors.js';
import { safeFileName, uniqueNames } from './filenames.js';

export interface StagedFile {
  /** Safe name (one path component). */
  name: string;
  /** Where it is on disk. */
  local: string;
  length: number;
  /** Known when it was taken on the way in (checked again when stored). */
  sha256?: string;
}

export class Staging {
  readonly files: StagedFile[] = [];
  private total = 0;

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
  ) {}

  /** A new empty staging folder under `root`. */
  static async open(root: string, options: { maxBytes: number; maxFiles: number }): Promise<Staging> {
    const dir = join(root, `upload-${Date.now()}-${randomBytes(8).toString('hex')}`);
    await mkdir(join(dir, 'content'), { recursive: true });
    return new Staging(dir, options.maxBytes, options.maxFiles);
  }

  /** The folder holding the files (the torrent's content). */
  get content(): string {
    return join(this.dir, 'content');
  }

  /** Streams one uploaded file to disk under a safe, unique name. */
  async add(filename: string | undefined, body: AsyncIterable<Uint8Array>): Promise<StagedFile> {
    if (this.files.length >= this.maxFiles) {
      throw new SeedcastError('HTTP_TOO_LARGE', `at most ${this.maxFiles} files in one upload`);
    }
    const wanted = safeFileName(filename, this.files.length);
    const name = uniqueNames([...this.files.map((f) => f.name), wanted]).pop()!;
    const local = join(this.content, name);
    const hash = createHash('sha256');
    let length = 0;
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        length += chunk.length;
        this.total += chunk.length;
        if (this.total > this.maxBytes) {
          done(new SeedcastError('HTTP_TOO_LARGE', `uploads are limited to ${this.maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(body, tap, createWriteStream(local, { flags: 'wx' }));
    const file = { name, local, length, sha256: hash.digest('hex') };
    this.files.push(file);
    return file;
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
