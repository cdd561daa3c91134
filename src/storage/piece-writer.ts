/**
 * Writing repaired pieces back into blob storage (issue 22, fixity). The site's seeding store
 * (`BlobPieceStore`) is read-only; a repair (the engine's `session-repair.ts`) downloads the damaged
 * pieces of a torrent (BEP 3 piece space, BEP 47 padding, BEP 52 per-file pieces) into a
 * `RepairStore`: reads of every other byte go through to the blobs, the damaged pieces' bytes are
 * held in memory as they arrive (only those pieces, so the memory is bounded by what was damaged),
 * and `commit` writes them back into each file's blob once every piece has passed its hash:
 *
 * - local disk (a store with `localPath`): a positional write of the pieces' bytes into the blob's
 *   file, then `fsync` (readers see the damaged bytes or the good ones, both outside what is served
 *   while the repair runs);
 * - any other store (S3): read-modify-write, a new `put` of the whole object with the pieces patched
 *   in, spooled through a temporary file first (the object is never read and overwritten at once),
 *   checked against the file's recorded SHA-256 when known, so a put that would store anything else
 *   is refused and the old object stays.
 */

import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PieceMap, type PieceStore } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import type { Metainfo } from '../torrent/index.js';
import type { BlobStore } from './blob-store.js';
import { assertValidKey } from './keys.js';

/** Bytes to write at `offset` of a blob. */
export interface BlobPatch {
  offset: number;
  data: Uint8Array;
}

export interface RepairStoreOptions {
  /** Blob key of each file, in torrent order without padding files (as `BlobPieceStore`). */
  keys: readonly (string | undefined)[];
  /**
   * Recorded SHA-256 (hex) of each file, same order, when known: a rewrite is checked against it.
   * Give it only when these pieces make the files whole (the last batch of a repair).
   */
  sha256?: readonly (string | null | undefined)[];
  /** Where a rewrite spools the patched object (default the system's temporary folder). */
  tmpRoot?: string;
}

interface Span {
  index: number;
  offset: number;
  length: number;
  /** Allocated at the piece's first write. */
  data?: Buffer;
}

/** A writable `PieceStore` over a read-only one, for the damaged pieces only (see the module doc). */
export class RepairStore implements PieceStore {
  readonly readOnly = false;
  private readonly map: PieceMap;
  private readonly spans: Span[];
  private readonly keyOfFile: (string | undefined)[];
  private readonly shaOfFile: (string | undefined)[];
  private readonly sizeOfFile: number[];

  constructor(
    meta: Metainfo,
    private readonly base: PieceStore,
    private readonly blobs: BlobStore,
    pieces: readonly number[],
    private readonly options: RepairStoreOptions,
  ) {
    this.map = new PieceMap(meta);
    this.spans = [...new Set(pieces)]
      .sort((a, b) => a - b)
      .map((index) => {
        const { offset, length } = this.map.piece(index);
        return { index, offset, length };
      });
    let next = 0;
    this.keyOfFile = [];
    this.shaOfFile = [];
    this.sizeOfFile = meta.files.map((f) => f.length);
    for (const f of meta.files) {
      if (f.padding) {
        this.keyOfFile.push(undefined);
        this.shaOfFile.push(undefined);
        continue;
      }
      const key = options.keys[next];
      this.keyOfFile.push(key === undefined ? undefined : assertValidKey(key));
      this.shaOfFile.push(options.sha256?.[next] ?? undefined);
      next++;
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const out = await this.base.read(offset, length);
    for (const span of this.overlapping(offset, length)) {
      if (!span.data) continue;
      const start = Math.max(offset, span.offset);
      const end = Math.min(offset + length, span.offset + span.length);
      span.data.copy(out, start - offset, start - span.offset, end - span.offset);
    }
    return out;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    const spans = this.overlapping(offset, data.length);
    if (spans.length === 0)
      throw new SeedcastError('FIXITY_REPAIR', `write at ${offset} is outside the pieces being repaired`);
    for (const span of spans) {
      const start = Math.max(offset, span.offset);
      const end = Math.min(offset + data.length, span.offset + span.length);
      span.data ??= Buffer.alloc(span.length);
      span.data.set(data.subarray(start - offset, end - offset), start - span.offset);
    }
  }

  /** The blob store's files belong to the caller: nothing to release. */
  async close(): Promise<void> {}

  /** The patches per blob key that writing the pieces back makes. */
  patches(): Map<string, BlobPatch[]> {
    const out = new Map<string, BlobPatch[]>();
    for (const span of this.spans) {
      if (!span.data) continue; // never written: nothing to write back
      for (const seg of this.map.segments(span.offset, span.length)) {
        const key = this.keyOfFile[seg.file];
        if (key === undefined) continue; // padding: never stored
        const list = out.get(key) ?? [];
        list.push({
          offset: seg.fileOffset,
          data: span.data.subarray(seg.rangeOffset, seg.rangeOffset + seg.length),
        });
        out.set(key, list);
      }
    }
    return out;
  }

  /** Writes every repaired piece back into its blobs; resolves with how each blob was written. */
  async commit(): Promise<{ key: string; how: 'positional' | 'rewrite'; bytes: number }[]> {
    const done: { key: string; how: 'positional' | 'rewrite'; bytes: number }[] = [];
    for (const [key, patches] of this.patches()) {
      const fileIndex = this.keyOfFile.indexOf(key);
      const sha256 = fileIndex >= 0 ? this.shaOfFile[fileIndex] : undefined;
      const how = await writeBlobRanges(this.blobs, key, patches, {
        ...(sha256 ? { sha256 } : {}),
        ...(fileIndex >= 0 ? { size: this.sizeOfFile[fileIndex]! } : {}),
        ...(this.options.tmpRoot ? { tmpRoot: this.options.tmpRoot } : {}),
      });
      done.push({ key, how, bytes: patches.reduce((n, p) => n + p.data.length, 0) });
    }
    return done;
  }

  private overlapping(offset: number, length: number): Span[] {
    const end = offset + length;
    return this.spans.filter((s) => s.offset < end && s.offset + s.length > offset);
  }
}

/** A blob store that can hand out a blob's file path (`LocalDiskStore`). */
interface LocalPaths {
  localPath(key: string): Promise<string>;
}

function hasLocalPaths(store: BlobStore): store is BlobStore & LocalPaths {
  return typeof (store as Partial<LocalPaths>).localPath === 'function';
}

/**
 * Writes `patches` into blob `key`: in place on local disk, else a new put of the patched object
 * (see the module doc). Every patch must lie inside the blob (STORAGE_RANGE). A missing blob is
 * STORAGE_NOT_FOUND, unless its `size` is given: it is then made anew, zeros around the patches
 * (a blob lost from storage, brought back a batch of pieces at a time).
 */
export async function writeBlobRanges(
  blobs: BlobStore,
  key: string,
  patches: readonly BlobPatch[],
  options: { sha256?: string; tmpRoot?: string; size?: number } = {},
): Promise<'positional' | 'rewrite'> {
  const info = await blobs.head(key);
  if (!info && options.size === undefined) throw new SeedcastError('STORAGE_NOT_FOUND', key);
  const size = info?.size ?? options.size!;
  for (const p of patches) {
    if (p.offset < 0 || p.offset + p.data.length > size)
      throw new SeedcastError('STORAGE_RANGE', `bytes ${p.offset}+${p.data.length} of a ${size}-byte blob`);
  }
  if (info && hasLocalPaths(blobs)) {
    const fh = await open(await blobs.localPath(key), 'r+');
    try {
      for (const p of patches) {
        let done = 0;
        while (done < p.data.length)
          done += (await fh.write(p.data, done, p.data.length - done, p.offset + done)).bytesWritten;
      }
      await fh.datasync();
    } finally {
      await fh.close();
    }
    return 'positional';
  }
  if (options.tmpRoot) await mkdir(options.tmpRoot, { recursive: true, mode: 0o700 });
  const folder = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'seedcast-repair-'));
  try {
    const spool = join(folder, 'blob');
    const fh = await open(spool, 'w');
    try {
      let at = 0;
      for await (const chunk of info ? ((await blobs.get(key)) as AsyncIterable<Uint8Array>) : zeros(size)) {
        const buf = Buffer.from(chunk);
        for (const p of patches) {
          const start = Math.max(at, p.offset);
          const end = Math.min(at + buf.length, p.offset + p.data.length);
          if (start < end) buf.set(p.data.subarray(start - p.offset, end - p.offset), start - at);
        }
        let done = 0;
        while (done < buf.length) done += (await fh.write(buf, done, buf.length - done)).bytesWritten;
        at += buf.length;
      }
    } finally {
      await fh.close();
    }
    await blobs.put(key, createReadStream(spool), {
      size,
      ...(options.sha256 ? { sha256: options.sha256 } : {}),
    });
    return 'rewrite';
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** `size` zero bytes, 1 MiB at a time. */
async function* zeros(size: number): AsyncIterable<Uint8Array> {
  const chunk = Buffer.alloc(Math.min(size, 1024 * 1024));
  for (let at = 0; at < size; at += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, size - at));
}
