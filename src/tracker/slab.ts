/**
 * Memory for the memory store's peer tables, carved from a few large `ArrayBuffer`s instead of one
 * `ArrayBuffer` per table. With tens of thousands of swarms, one buffer per table means tens of
 * thousands of external allocations that V8 accounts for and sweeps at every full garbage
 * collection, and every table that grows adds external memory that makes V8 collect again sooner;
 * views of shared chunks cost neither. (opentracker, in C, keeps its own vectors the same way.)
 *
 * A small allocator of our own: blocks come from segregated free lists (bins by power of two of
 * the size; first fit, the rest of a larger block split off and kept) or else from the end of the
 * current chunk. A freed block merges with free neighbours (boundary maps by start and by end) and
 * with the chunk's unused end, so the memory a growing table leaves behind serves the next, larger
 * one. Sizes are multiples of 4, so every block can hold an `Int32Array`. Blocks larger than a
 * quarter of a chunk get an `ArrayBuffer` of their own. Chunks are never given back: the store's
 * footprint is its peak.
 */

const CHUNK_BYTES = 4 << 20;
const LARGEST_BLOCK = CHUNK_BYTES / 4;
/** Blocks looked at in the request's own bin before going to a larger one. */
const FIRST_FIT_TRIES = 8;

function binOf(size: number): number {
  return 31 - Math.clz32(size);
}

export class Slab {
  private readonly chunks: ArrayBuffer[] = [];
  private readonly chunkIndex = new Map<ArrayBuffer, number>();
  /** Where unused memory starts in the last chunk. */
  private top = CHUNK_BYTES;
  /** Free blocks by address (chunk * CHUNK_BYTES + offset): their size. */
  private readonly freeAt = new Map<number, number>();
  /** Free blocks by the address just past their end: their address. */
  private readonly freeEnding = new Map<number, number>();
  /** Free blocks' addresses by the power of two of their size. */
  private readonly bins: Set<number>[] = Array.from({ length: 32 }, () => new Set<number>());
  /** Bytes in chunks (in use or free). */
  chunkBytes = 0;
  private freeTotal = 0;

  /** A zero-filled byte block. */
  bytes(length: number): Uint8Array {
    const [buffer, offset] = this.take(length);
    return new Uint8Array(buffer, offset, length).fill(0);
  }

  /** A zero-filled block of 32-bit integers. */
  int32s(length: number): Int32Array {
    const [buffer, offset] = this.take(length * 4);
    return new Int32Array(buffer, offset, length).fill(0);
  }

  /** Bytes in free blocks (not counting the last chunk's unused end). */
  freeBytes(): number {
    return this.freeTotal;
  }

  /** Bytes in blocks handed out and not released (in chunks). */
  usedBytes(): number {
    return this.chunkBytes - this.freeTotal - (this.chunks.length > 0 ? CHUNK_BYTES - this.top : 0);
  }

  /** Gives a block back; the caller must not use the view afterwards. */
  release(view: Uint8Array | Int32Array): void {
    let size = view.byteLength;
    const chunk = this.chunkIndex.get(view.buffer as ArrayBuffer);
    if (chunk === undefined || size === 0) return; // a block of its own: the collector frees it
    let at = chunk * CHUNK_BYTES + view.byteOffset;
    // Merge with the free block after it, then the one before it (same chunk only).
    const nextSize = (at % CHUNK_BYTES) + size < CHUNK_BYTES ? this.freeAt.get(at + size) : undefined;
    if (nextSize !== undefined) {
      this.unlink(at + size, nextSize);
      size += nextSize;
    }
    const prev = at % CHUNK_BYTES !== 0 ? this.freeEnding.get(at) : undefined;
    if (prev !== undefined) {
      const prevSize = this.freeAt.get(prev)!;
      this.unlink(prev, prevSize);
      at = prev;
      size += prevSize;
    }
    // The block that ends where the last chunk's unused memory starts joins that memory.
    if (chunk === this.chunks.length - 1 && (at % CHUNK_BYTES) + size === this.top) {
      this.top = at % CHUNK_BYTES;
      return;
    }
    this.link(at, size);
  }

  private take(bytes: number): [ArrayBuffer, number] {
    if (!(bytes > 0 && bytes % 4 === 0)) {
      throw new RangeError(`slab blocks are positive multiples of 4 bytes, not ${bytes}`);
    }
    if (bytes > LARGEST_BLOCK) return [new ArrayBuffer(bytes), 0];
    const found = this.fit(bytes);
    if (found !== undefined) {
      const size = this.freeAt.get(found)!;
      this.unlink(found, size);
      if (size > bytes) this.link(found + bytes, size - bytes);
      return [this.chunks[Math.floor(found / CHUNK_BYTES)]!, found % CHUNK_BYTES];
    }
    if (this.top + bytes > CHUNK_BYTES) {
      // Keep what is left of the last chunk as a free block, and start a new chunk.
      const last = this.chunks.length - 1;
      if (last >= 0 && this.top < CHUNK_BYTES)
        this.link(last * CHUNK_BYTES + this.top, CHUNK_BYTES - this.top);
      const chunk = new ArrayBuffer(CHUNK_BYTES);
      this.chunkIndex.set(chunk, this.chunks.length);
      this.chunks.push(chunk);
      this.chunkBytes += CHUNK_BYTES;
      this.top = 0;
    }
    const offset = this.top;
    this.top += bytes;
    return [this.chunks[this.chunks.length - 1]!, offset];
  }

  /** The address of a free block of at least `bytes`, if there is one. */
  private fit(bytes: number): number | undefined {
    const own = binOf(bytes);
    let tries = 0;
    for (const at of this.bins[own]!) {
      if (this.freeAt.get(at)! >= bytes) return at;
      if (++tries >= FIRST_FIT_TRIES) break;
    }
    for (let b = own + 1; b < 32; b++) {
      const bin = this.bins[b]!;
      if (bin.size > 0) return bin.values().next().value as number;
    }
    return undefined;
  }

  private link(at: number, size: number): void {
    this.freeAt.set(at, size);
    this.freeEnding.set(at + size, at);
    this.bins[binOf(size)]!.add(at);
    this.freeTotal += size;
  }

  private unlink(at: number, size: number): void {
    this.freeAt.delete(at);
    this.freeEnding.delete(at + size);
    this.bins[binOf(size)]!.delete(at);
    this.freeTotal -= size;
  }
}
