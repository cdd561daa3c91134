/**
 * Memory for the memory store's peer tables, carved from a few large `ArrayBuffer`s instead of one
 * `ArrayBuffer` per table. With tens of thousands of swarms, one buffer per table means tens of
 * thousands of external allocations that V8 accounts for and sweeps at every full garbage
 * collection, and every table that grows adds external memory that makes V8 collect again sooner;
 * views of shared chunks cost neither. (opentracker, in C, keeps its own vectors the same way.)
 *
 * A small allocator of our own, in the classic boundary-tag style (as in Knuth's TAOCP 2.5 and
 * dlmalloc), kept entirely inside the chunks so that allocating and freeing allocate nothing on the
 * JavaScript heap and take constant time:
 * - a chunk is tiled with blocks from offset 0 up to its used end; every block starts with a header
 *   word and ends with a footer word, both holding the block's size in bytes, bit 0 set while the
 *   block is in use (so a block knows both neighbours' sizes and states);
 * - a free block's next two words link it into the doubly-linked free list of its bin (bins by power
 *   of two of the size); a bitmap says which bins have blocks;
 * - a request takes the first block that fits among the first few of its own bin, or else the first
 *   of the next non-empty larger bin, splitting off the rest when it can stand as a block;
 * - a freed block merges with free neighbours, and with the last chunk's unused end.
 * Links are word addresses over all chunks (chunk × 2^20 + word). Sizes are multiples of 4, so every
 * block can hold 32-bit integers. Blocks larger than a quarter of a chunk get an `ArrayBuffer` of
 * their own (a chunk number of their own, given back when they are released). Other chunks are
 * never given back: the store's footprint is its peak.
 *
 * A block is handed out as an address (chunk × CHUNK_BYTES + byte offset), not as a typed-array
 * view: its owner reads and writes it through the chunk's long-lived `u8`/`i32` views. A view per
 * block would be a new object each time a table grows, promoted to the old generation and dropped
 * there at the next growth: enough, with thousands of tables growing, to start a full collection
 * (and its millisecond pauses) every few seconds.
 */

const CHUNK_BYTES = 4 << 20;
const CHUNK_SHIFT = 20; // words per chunk = 2^20
const WORD_MASK = (1 << CHUNK_SHIFT) - 1;
const LARGEST_BLOCK = CHUNK_BYTES / 4;
/** Header and footer words. */
const OVERHEAD = 8;
/** Header, two links and footer. */
const MIN_BLOCK = 16;
const USED = 1;
const NONE = -1;
/** Blocks looked at in the request's own bin before going to a larger one. */
const FIRST_FIT_TRIES = 8;

function binOf(size: number): number {
  return 31 - Math.clz32(size);
}

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_I32 = new Int32Array(0);

/** The chunk number of a block address. */
export function chunkOf(address: number): number {
  return Math.floor(address / CHUNK_BYTES);
}

/** The byte offset in its chunk of a block address. */
export function offsetOf(address: number): number {
  return address % CHUNK_BYTES;
}

export class Slab {
  /** Byte views of the chunks, by chunk number. */
  readonly u8: Uint8Array[] = [];
  /** 32-bit views of the chunks, by chunk number. */
  readonly i32: Int32Array[] = [];
  /** Per chunk: whether it is one large block's own buffer. */
  private readonly own: boolean[] = [];
  /** Chunk numbers of released large blocks, free for the next. */
  private readonly spareNumbers: number[] = [];
  /** The chunk memory is carved from (not large blocks' own), -1 before the first. */
  private last = -1;
  private readonly words: Int32Array[] = [];
  /** Where unused memory starts in the last chunk (bytes). */
  private top = CHUNK_BYTES;
  /** Where the blocks of each chunk end (bytes); the last chunk's is `top`. */
  private readonly ends: number[] = [];
  /** The first free block of each bin, or NONE. */
  private readonly heads = new Int32Array(32).fill(NONE);
  /** Bit b set: bin b has a free block. */
  private nonEmpty = 0;
  /** Bytes in chunks (in use or free). */
  chunkBytes = 0;
  private freeTotal = 0;
  private usedTotal = 0;

  /** The address of a new zero-filled block of `bytes` (a positive multiple of 4). */
  allocate(bytes: number): number {
    const address = this.take(bytes);
    const offset = offsetOf(address);
    this.u8[chunkOf(address)]!.fill(0, offset, offset + bytes);
    return address;
  }

  /** Bytes in free blocks, their header and footer included (not the last chunk's unused end). */
  freeBytes(): number {
    return this.freeTotal;
  }

  /** Bytes in blocks handed out and not released (in chunks), their header and footer included. */
  usedBytes(): number {
    return this.usedTotal;
  }

  /** Gives a block back; the caller must not use its address afterwards. */
  release(address: number): void {
    const chunk = chunkOf(address);
    if (this.own[chunk]) {
      // A large block's own buffer: the collector frees it; its chunk number serves the next.
      this.u8[chunk] = EMPTY_U8;
      this.i32[chunk] = EMPTY_I32;
      this.own[chunk] = false;
      this.spareNumbers.push(chunk);
      return;
    }
    const words = this.words[chunk]!;
    let w = (offsetOf(address) - 4) >> 2;
    const header = words[w]!;
    if ((header & USED) === 0) throw new RangeError('slab: a block was released twice');
    let size = header & ~3;
    this.usedTotal -= size;
    const base = chunk << CHUNK_SHIFT;
    // Merge with the free block after it, then the one before it (same chunk only).
    const end = w * 4 + size;
    if (end < this.ends[chunk]!) {
      const next = words[end >> 2]!;
      if ((next & USED) === 0) {
        this.unlink(base + (end >> 2), next);
        size += next;
      }
    }
    if (w > 0) {
      const prev = words[w - 1]!;
      if ((prev & USED) === 0) {
        w -= prev >> 2;
        this.unlink(base + w, prev);
        size += prev;
      }
    }
    // The block that ends where the last chunk's unused memory starts joins that memory.
    if (chunk === this.last && w * 4 + size === this.top) {
      this.top = w * 4;
      this.ends[chunk] = this.top;
      return;
    }
    this.link(base + w, size);
  }

  /** The address of a new block of `bytes` (a positive multiple of 4), not zero-filled. */
  private take(bytes: number): number {
    if (!(bytes > 0 && bytes % 4 === 0)) {
      throw new RangeError(`slab blocks are positive multiples of 4 bytes, not ${bytes}`);
    }
    if (bytes > LARGEST_BLOCK) {
      const buffer = new ArrayBuffer(bytes);
      const chunk = this.spareNumbers.pop() ?? this.u8.length;
      this.u8[chunk] = new Uint8Array(buffer);
      this.i32[chunk] = new Int32Array(buffer);
      this.own[chunk] = true;
      if (chunk === this.words.length) {
        this.words.push(EMPTY_I32);
        this.ends.push(0);
      }
      return chunk * CHUNK_BYTES;
    }
    let need = Math.max(MIN_BLOCK, bytes + OVERHEAD);
    const at = this.fit(need);
    if (at !== NONE) {
      const chunk = at >>> CHUNK_SHIFT;
      const w = at & WORD_MASK;
      const words = this.words[chunk]!;
      const size = words[w]!;
      this.unlink(at, size);
      if (size - need >= MIN_BLOCK) this.link(at + (need >> 2), size - need);
      else need = size;
      this.mark(words, w, need);
      return chunk * CHUNK_BYTES + w * 4 + 4;
    }
    if (this.top + need > CHUNK_BYTES) {
      // Keep what is left of the last chunk as a free block, and start a new chunk.
      const last = this.last;
      if (last >= 0 && CHUNK_BYTES - this.top >= MIN_BLOCK) {
        this.ends[last] = CHUNK_BYTES;
        this.link((last << CHUNK_SHIFT) + (this.top >> 2), CHUNK_BYTES - this.top);
      }
      const buffer = new ArrayBuffer(CHUNK_BYTES);
      const chunk = this.spareNumbers.pop() ?? this.u8.length;
      this.u8[chunk] = new Uint8Array(buffer);
      this.i32[chunk] = new Int32Array(buffer);
      this.words[chunk] = this.i32[chunk]!;
      this.ends[chunk] = 0;
      this.own[chunk] = false;
      this.last = chunk;
      this.chunkBytes += CHUNK_BYTES;
      this.top = 0;
    }
    const last = this.last;
    const w = this.top >> 2;
    this.top += need;
    this.ends[last] = this.top;
    this.mark(this.words[last]!, w, need);
    return last * CHUNK_BYTES + w * 4 + 4;
  }

  /** Writes an in-use block's header and footer. */
  private mark(words: Int32Array, w: number, size: number): void {
    words[w] = size | USED;
    words[w + (size >> 2) - 1] = size | USED;
    this.usedTotal += size;
  }

  /** The word address of a free block of at least `need` bytes, or NONE. */
  private fit(need: number): number {
    const own = binOf(need);
    let at = this.heads[own]!;
    for (let tries = 0; at !== NONE && tries < FIRST_FIT_TRIES; tries++) {
      const words = this.words[at >>> CHUNK_SHIFT]!;
      const w = at & WORD_MASK;
      if (words[w]! >= need) return at;
      at = words[w + 1]!;
    }
    // Any block of a larger bin is at least twice `own`'s smallest size, so it fits.
    const larger = this.nonEmpty & ~((2 << own) - 1);
    if (larger === 0) return NONE;
    return this.heads[31 - Math.clz32(larger & -larger)]!;
  }

  /** Makes the block at word address `at` a free block of `size` bytes, first of its bin. */
  private link(at: number, size: number): void {
    const words = this.words[at >>> CHUNK_SHIFT]!;
    const w = at & WORD_MASK;
    const bin = binOf(size);
    const head = this.heads[bin]!;
    words[w] = size;
    words[w + (size >> 2) - 1] = size;
    words[w + 1] = head;
    words[w + 2] = NONE;
    if (head !== NONE) this.words[head >>> CHUNK_SHIFT]![(head & WORD_MASK) + 2] = at;
    this.heads[bin] = at;
    this.nonEmpty |= 1 << bin;
    this.freeTotal += size;
  }

  /** Takes the free block at word address `at` (of `size` bytes) out of its bin. */
  private unlink(at: number, size: number): void {
    const words = this.words[at >>> CHUNK_SHIFT]!;
    const w = at & WORD_MASK;
    const bin = binOf(size);
    const next = words[w + 1]!;
    const prev = words[w + 2]!;
    if (prev !== NONE) this.words[prev >>> CHUNK_SHIFT]![(prev & WORD_MASK) + 1] = next;
    else this.heads[bin] = next;
    if (next !== NONE) this.words[next >>> CHUNK_SHIFT]![(next & WORD_MASK) + 2] = prev;
    if (this.heads[bin] === NONE) this.nonEmpty &= ~(1 << bin);
    this.freeTotal -= size;
  }
}
