/**
 * The two places where archiving a torrent-only item touches storage, each isolated so that a full
 * disk (ENOSPC), an I/O error (EIO) or a failing blob store fails that one item, never the process:
 *
 * - `FailFastStore` wraps the download's piece store. When a write fails it reports the error to
 *   the archiver (which stops the session at once and marks the item failed) and the write never
 *   completes, so the piece is neither counted as had nor offered to peers, and no rejection escapes
 *   into the engine's peer handling.
 * - `storeFiles` copies the verified files (read from their sanitised `storagePath`) into the blob
 *   store (`files/<item id>/<n>`: keys never come from a torrent's paths) with their SHA-256,
 *   stopping between files when asked to.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { PieceStore } from '../engine/index.js';
import { FileStore } from '../engine/index.js';
import { contentTypeOf } from '../media/index.js';
import { type BlobStore, blobKey } from '../storage/index.js';
import type { Metainfo } from '../torrent/index.js';

export class FailFastStore implements PieceStore {
  private failed = false;

  constructor(
    private readonly inner: PieceStore,
    private readonly onFailure: (err: Error) => void,
  ) {}

  read(offset: number, length: number): Promise<Buffer> {
    return this.inner.read(offset, length);
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (this.failed) return new Promise<void>(() => undefined);
    try {
      await this.inner.write(offset, data);
    } catch (err) {
      this.failed = true;
      this.onFailure(err instanceof Error ? err : new Error(String(err)));
      // Never settles: the session is being stopped; the piece must not be marked as had.
      return new Promise<void>(() => undefined);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isEmpty(): Promise<boolean> {
    return this.inner.isEmpty ? this.inner.isEmpty() : Promise.resolve(false);
  }
}

/** Stores each real (non-padding) file of the download as a blob; resolves to their keys and SHA-256s. */
export async function storeFiles(
  blobs: BlobStore,
  itemId: number,
  meta: Metainfo,
  folder: string,
  signal: AbortSignal,
): Promise<{ key: string; sha256: string }[] | undefined> {
  const local = new FileStore(meta, folder, { readOnly: true });
  const real = meta.files.map((f, index) => ({ f, index })).filter(({ f }) => !f.padding);
  const stored: { key: string; sha256: string }[] = [];
  try {
    for (const [n, { f, index }] of real.entries()) {
      if (signal.aborted) throw new Error('stopped');
      const key = blobKey('files', itemId, n);
      const path = local.filePath(index);
      // Reading stops at once when the archive is stopped (takedown, delete).
      const sha256 = f.length === 0 ? createHash('sha256').digest('hex') : await sha256Of(path, signal);
      const body = f.length === 0 ? new Uint8Array(0) : createReadStream(path, { signal });
      stored.push({ key, sha256 });
      await blobs.put(key, body, {
        size: f.length,
        sha256,
        contentType: contentTypeOf(f.storagePath.join('/')),
      });
    }
    return stored;
  } catch (err) {
    await Promise.allSettled(stored.map((s) => blobs.delete(s.key)));
    if (signal.aborted) return undefined;
    throw err;
  } finally {
    await local.close().catch(() => undefined);
  }
}

async function sha256Of(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
