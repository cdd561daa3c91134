/**
 * The piece store interface and its local-disk adapter.
 *
 * The engine reads and writes the torrent's piece space through `PieceStore`, so the site can seed
 * from local disk or an object store. `FileStore` maps the space onto the torrent's files under a
 * root folder (the folder that holds a multi-file torrent's top folder, or a single file). Files are
 * stored under their `storagePath` (sanitised and made collision-free by `torrent/sanitize.ts`, as
 * libtorrent does), never under the torrent's own `path`. Every path is checked twice: the
 * components are safe by construction, and the resolved path (and the real path of its folder, so a
 * planted symlink cannot redirect a write) must stay inside the root. Padding files (BEP 47) read as zeros and are never written; missing or short
 * files read as zeros, so a piece over them simply fails verification.
 */

import { access, constants, type FileHandle, mkdir, open, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { SeedcastError } from '../errors.js';
import type { Metainfo } from '../torrent/index.js';
import { PieceMap } from './piece-map.js';

export interface PieceStore {
  /**
   * Bytes [offset, offset + length) of the piece space; read into `into` (at least `length` bytes,
   * its previous contents overwritten) when given and supported, so the uploader can reuse buffers.
   */
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /**
   * Store bytes at `offset` of the piece space. Read-only stores throw. `data` must not be kept once
   * the promise settles: the engine reuses its write buffers.
   */
  write(offset: number, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** True when nothing of the torrent is stored yet (lets a fresh download skip the recheck). */
  isEmpty?(): Promise<boolean>;
  /**
   * True when the store can never be written (the site's blobs): a session over it only seeds, and
   * reports pieces that fail their check as damaged instead of fetching them.
   */
  readonly readOnly?: boolean;
  /** Create the files no piece covers (zero-length ones), once the torrent is complete. */
  createEmpty?(): Promise<void>;
}

export interface FileStoreOptions {
  /** Open files for reading only (seeding); writes then fail. */
  readOnly?: boolean;
}

interface OpenFile {
  fh: FileHandle;
  writable: boolean;
}

export class FileStore implements PieceStore {
  readonly map: PieceMap;
  private readonly root: string;
  private realRoot: Promise<string> | undefined;
  private readonly handles = new Map<number, Promise<OpenFile | null>>();
  readonly readOnly: boolean;

  constructor(
    private readonly meta: Metainfo,
    root: string,
    options: FileStoreOptions = {},
  ) {
    this.root = resolve(root);
    this.map = new PieceMap(meta);
    this.readOnly = options.readOnly ?? false;
  }

  /** Absolute path of file `index`, guaranteed to be inside the root. */
  filePath(index: number): string {
    const file = this.meta.files[index]!;
    const path = resolve(this.root, ...file.storagePath);
    if (file.storagePath.length === 0 || !path.startsWith(this.root + sep)) {
      throw new SeedcastError(
        'TORRENT_UNSAFE_PATH',
        `"${file.storagePath.join('/')}" resolves outside the download folder`,
      );
    }
    return path;
  }

  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const out = into ? into.subarray(0, length) : Buffer.alloc(length);
    for (const seg of this.map.segments(offset, length)) {
      let done = 0;
      // A reused buffer gets zeros where nothing was read (padding, a missing or short file).
      const zeros = () => into && out.fill(0, seg.rangeOffset + done, seg.rangeOffset + seg.length);
      if (this.meta.files[seg.file]!.padding) {
        zeros();
        continue;
      }
      const handle = await this.handle(seg.file, false);
      if (!handle) {
        zeros();
        continue;
      }
      while (done < seg.length) {
        const { bytesRead } = await handle.read(
          out,
          seg.rangeOffset + done,
          seg.length - done,
          seg.fileOffset + done,
        );
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      zeros();
    }
    return out;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (this.readOnly) throw new SeedcastError('INTERNAL', 'write to a read-only store');
    for (const seg of this.map.segments(offset, data.length)) {
      if (this.meta.files[seg.file]!.padding) continue;
      const handle = await this.handle(seg.file, true);
      if (!handle) throw new SeedcastError('INTERNAL', `cannot open ${this.filePath(seg.file)} for writing`);
      let done = 0;
      while (done < seg.length) {
        const { bytesWritten } = await handle.write(
          data,
          seg.rangeOffset + done,
          seg.length - done,
          seg.fileOffset + done,
        );
        done += bytesWritten;
      }
    }
  }

  async isEmpty(): Promise<boolean> {
    for (let i = 0; i < this.meta.files.length; i++) {
      if (this.meta.files[i]!.padding) continue;
      try {
        await access(this.filePath(i));
        return false;
      } catch {
        // missing: keep looking
      }
    }
    return true;
  }

  async createEmpty(): Promise<void> {
    if (this.readOnly) return;
    for (let i = 0; i < this.meta.files.length; i++) {
      const file = this.meta.files[i]!;
      // A BEP 47 symlink is not made (nothing of it is stored): only real empty files.
      if (file.length === 0 && !file.padding && !file.symlinkPath) await this.handle(i, true);
    }
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    for (const h of await Promise.all(handles.map((p) => p.catch(() => null)))) await h?.fh.close();
  }

  private handle(index: number, forWrite: boolean): Promise<FileHandle | null> {
    const previous = this.handles.get(index);
    const next = (async (): Promise<OpenFile | null> => {
      const current = previous ? await previous.catch(() => null) : null;
      if (current && (current.writable || !forWrite)) return current;
      if (!current && previous && !forWrite) return null; // known to be missing
      await current?.fh.close();
      return this.openFile(index, forWrite);
    })();
    this.handles.set(index, next);
    return next.then((entry) => entry?.fh ?? null);
  }

  private async openFile(index: number, forWrite: boolean): Promise<OpenFile | null> {
    const path = this.filePath(index);
    if (!forWrite || this.readOnly) {
      try {
        return { fh: await open(path, constants.O_RDONLY | constants.O_NOFOLLOW), writable: false };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    }
    await mkdir(dirname(path), { recursive: true });
    this.realRoot ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    const [realFolder, realRoot] = await Promise.all([realpath(dirname(path)), this.realRoot]);
    if (realFolder !== realRoot && !realFolder.startsWith(realRoot + sep)) {
      throw new SeedcastError(
        'TORRENT_UNSAFE_PATH',
        `"${path}" leads outside the download folder through a link`,
      );
    }
    return {
      fh: await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644),
      writable: true,
    };
  }
}
