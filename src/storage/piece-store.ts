/**
 * The engine's `PieceStore` (read side) over a blob store: how the site's seeding peer reads an item
 * whose files live in local disk or S3 blobs instead of a folder.
 *
 * The torrent's piece space (BEP 3; BEP 47 padding files; BEP 52 per-file pieces) is mapped onto the
 * files by the engine's `PieceMap`; each file is one blob, and a piece read becomes one ranged blob
 * read per file it covers, issued together. Like the engine's `FileStore`, padding reads as zeros,
 * and so does a missing or short blob, so a piece over it simply fails verification instead of
 * failing the whole session. Writes are refused (`readOnly`): the site archives content by
 * publishing blobs, not through the swarm's write path, so a session over this store only seeds; a
 * piece that fails its check (bit rot, a missing blob or S3 object) is reported as damaged, never
 * fetched from peers.
 */

import { PieceMap, type PieceStore } from '../engine/index.js';
import { isSeedcastError, SeedcastError } from '../errors.js';
import type { Metainfo } from '../torrent/index.js';
import type { BlobStore } from './blob-store.js';
import { assertValidKey } from './keys.js';

export interface BlobPieceStoreOptions {
  /**
   * The blob key of each file, in torrent order with padding files left out (the order of
   * `createTorrent`'s `files` and of an item's files); undefined for a file not stored (yet).
   */
  keys: readonly (string | undefined)[];
}

export class BlobPieceStore implements PieceStore {
  readonly map: PieceMap;
  readonly readOnly = true;
  /** Blob key by index in `meta.files` (padding files have none). */
  private readonly keyOfFile: (string | undefined)[];

  constructor(
    meta: Metainfo,
    private readonly store: BlobStore,
    options: BlobPieceStoreOptions,
  ) {
    this.map = new PieceMap(meta);
    const real = meta.files.filter((f) => !f.padding).length;
    if (options.keys.length !== real) {
      throw new SeedcastError('STORAGE_KEY_INVALID', `${options.keys.length} blob keys for ${real} files`);
    }
    let next = 0;
    this.keyOfFile = meta.files.map((f) => {
      if (f.padding) return undefined;
      const key = options.keys[next++];
      return key === undefined ? undefined : assertValidKey(key);
    });
  }

  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    // A reused buffer is zeroed first: whatever no blob covers reads as zeros.
    const out = into ? into.subarray(0, length).fill(0) : Buffer.alloc(length);
    await Promise.all(
      this.map.segments(offset, length).map(async (seg) => {
        const key = this.keyOfFile[seg.file];
        if (key === undefined) return;
        let at = seg.rangeOffset;
        try {
          const stream = await this.store.get(key, { offset: seg.fileOffset, length: seg.length });
          for await (const chunk of stream as AsyncIterable<Uint8Array>) {
            const room = seg.rangeOffset + seg.length - at;
            out.set(chunk.length > room ? chunk.subarray(0, room) : chunk, at);
            at += Math.min(chunk.length, room);
          }
        } catch (err) {
          if (isSeedcastError(err, 'STORAGE_NOT_FOUND') || isSeedcastError(err, 'STORAGE_RANGE')) return;
          throw err;
        }
      }),
    );
    return out;
  }

  async write(_offset: number, _data: Uint8Array): Promise<void> {
    throw new SeedcastError('STORAGE_READ_ONLY', 'the swarm cannot write into blob storage');
  }

  /** True when none of the files has a blob yet. */
  async isEmpty(): Promise<boolean> {
    for (const key of this.keyOfFile) if (key !== undefined && (await this.store.head(key))) return false;
    return true;
  }

  /** The blob store belongs to the caller; nothing to release here. */
  async close(): Promise<void> {}
}
