/**
 * The local-disk blob store (the default): blob `a/b/c` is the file `<root>/a/b/c`.
 *
 * A put streams into `<root>/.tmp/<random>` (created exclusively), flushes it to disk, checks size and
 * hash, then renames it over the final path, so a reader or a crash sees the old file or the new one,
 * never a part. Keys are validated (`keys.ts`), so the path is always under the root; and since the
 * root lies under an operator's data folder where someone could plant a symlink, the real path of the
 * blob's folder must stay inside the real root, and the blob itself is opened without following links.
 * Folders emptied by a delete are removed.
 */

import { randomUUID } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rmdir,
  unlink,
} from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { SeedcastError } from '../errors.js';
import {
  type BlobBody,
  type BlobInfo,
  type BlobStore,
  BodyCheck,
  type ByteRange,
  chunksOf,
  type PutOptions,
  type PutResult,
  resolveRange,
} from './blob-store.js';
import { assertValidKey, assertValidPrefix } from './keys.js';

const TMP = '.tmp';

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class LocalDiskStore implements BlobStore {
  readonly root: string;
  private realRoot?: Promise<string>;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file that holds blob `key` (validated; always under the root). */
  pathOf(key: string): string {
    const path = join(this.root, ...assertValidKey(key).split('/'));
    if (!path.startsWith(this.root + sep)) throw new SeedcastError('STORAGE_KEY_INVALID', key);
    return path;
  }

  async put(key: string, body: BlobBody, options: PutOptions = {}): Promise<PutResult> {
    const path = this.pathOf(key);
    const check = new BodyCheck(options);
    const tmpDir = join(this.root, TMP);
    await this.ensureFolder(tmpDir);
    const tmp = join(tmpDir, randomUUID());
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    let renamed = false;
    try {
      for await (const chunk of chunksOf(body)) {
        check.update(chunk);
        let done = 0;
        while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
      }
      const sha256 = check.finish();
      await fh.datasync();
      await fh.close();
      await this.ensureFolder(dirname(path));
      try {
        await rename(tmp, path);
      } catch (err) {
        if (errnoOf(err) === 'EISDIR' || errnoOf(err) === 'ENOTEMPTY' || errnoOf(err) === 'ENOTDIR') {
          throw new SeedcastError('STORAGE_KEY_INVALID', `"${key}" is a folder of other blobs`);
        }
        throw err;
      }
      renamed = true;
      return { key, size: check.size, sha256 };
    } finally {
      await fh.close().catch(() => {});
      if (!renamed) await unlink(tmp).catch(() => {});
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const { fh, size } = await this.openBlob(key);
    let span: { offset: number; length: number };
    try {
      span = resolveRange(range, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
    if (span.length === 0) {
      await fh.close();
      return Readable.from([]);
    }
    return fh.createReadStream({ start: span.offset, end: span.offset + span.length - 1, autoClose: true });
  }

  /**
   * The path of blob `key` for a tool that reads files itself (ffprobe): checked like `get` (a regular
   * file, not a link, in a folder inside the store). STORAGE_NOT_FOUND when there is no such blob.
   */
  async localPath(key: string): Promise<string> {
    const { fh } = await this.openBlob(key);
    await fh.close();
    return this.pathOf(key);
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const s = await lstat(path);
      if (!s.isFile()) return undefined;
      await this.assertInside(dirname(path));
      return { key, size: s.size, etag: etagOf(s.size, s.mtimeMs), modified: Math.floor(s.mtimeMs) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await this.assertInside(dirname(path));
      await unlink(path);
    } catch (err) {
      if (isMissing(err) || errnoOf(err) === 'EISDIR' || errnoOf(err) === 'EPERM') return;
      throw err;
    }
    // Remove folders the delete left empty, up to (not including) the root.
    for (let dir = dirname(path); dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    assertValidPrefix(prefix);
    const cut = prefix.lastIndexOf('/');
    const folderKey = cut < 0 ? '' : prefix.slice(0, cut);
    const folder = folderKey ? join(this.root, ...folderKey.split('/')) : this.root;
    const keys: string[] = [];
    await this.walk(folder, folderKey, prefix, keys);
    keys.sort();
    for (const key of keys) {
      const info = await this.head(key);
      if (info) yield info;
    }
  }

  async close(): Promise<void> {}

  /**
   * Removes temporary files older than `olderThanMs` (default one hour): what puts cut short by a
   * crash or `kill -9` left behind. Returns how many were removed.
   */
  async sweepTemporary(olderThanMs = 3_600_000): Promise<number> {
    const tmpDir = join(this.root, TMP);
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
      const path = join(tmpDir, name);
      try {
        const s = await lstat(path);
        if (s.isFile() && s.mtimeMs <= cutoff) {
          await unlink(path);
          removed++;
        }
      } catch {
        // gone already, or not ours to remove
      }
    }
    return removed;
  }

  private async walk(folder: string, folderKey: string, prefix: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // temporary files; never a key
      const key = folderKey ? `${folderKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`))
          await this.walk(join(folder, entry.name), key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        out.push(key);
      }
    }
  }

  private async openBlob(key: string): Promise<{ fh: FileHandle; size: number }> {
    const path = this.pathOf(key);
    let fh: FileHandle;
    try {
      await this.assertInside(dirname(path));
      fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isMissing(err) || errnoOf(err) === 'ELOOP') throw new SeedcastError('STORAGE_NOT_FOUND', key);
      throw err;
    }
    const s = await fh.stat();
    if (!s.isFile()) {
      await fh.close();
      throw new SeedcastError('STORAGE_NOT_FOUND', key);
    }
    return { fh, size: s.size };
  }

  /** Creates `folder` (under the root) and checks that no link leads it outside. */
  private async ensureFolder(folder: string): Promise<void> {
    try {
      await mkdir(folder, { recursive: true });
    } catch (err) {
      if (errnoOf(err) === 'ENOTDIR' || errnoOf(err) === 'EEXIST') {
        throw new SeedcastError('STORAGE_KEY_INVALID', 'a blob stands where a folder of blobs must go');
      }
      throw err;
    }
    await this.assertInside(folder);
  }

  private async assertInside(folder: string): Promise<void> {
    this.realRoot ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    const [real, root] = await Promise.all([realpath(folder), this.realRoot]);
    if (real !== root && !real.startsWith(root + sep)) {
      throw new SeedcastError(
        'STORAGE_KEY_INVALID',
        'the blob folder leads outside the store through a link',
      );
    }
  }
}

function isMissing(err: unknown): boolean {
  return errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR';
}

function etagOf(size: number, mtimeMs: number): string {
  return `${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}`;
}
