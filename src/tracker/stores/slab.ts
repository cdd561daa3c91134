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
 * Links are word addresses over the carved chunks (carved chunk × 2^24 + word). Sizes are multiples
 * of 4, so every block can hold 32-bit integers. Blocks larger than 1 MiB get an `ArrayBuffer` of
 * their own (a chunk number of their own, given back when they are released). Carved chunks are
 * never given back: the store's footprint is its peak.
 *
 * Chunks grow with the store: 4 MiB, then as large as all before together, up to 64 MiB. V8 answers
 * each new `ArrayBuffer` of that size with a full (mark-compact) collection, pauses of several
 * milliseconds; with doubling chunks a growing store causes a few of them, not one every 4 MiB.
 * Untouched chunk memory costs address space only (the kernel maps zero pages on first write).
 *
 * A block is handed out as an address (chunk number × 64 MiB + byte offset), not as a typed-array
 * view: its owner reads and writes it through the chunk's long-lived `u8`/`i32` views. A view per
 * block would be a new object each time a table grows, promoted to the old generation and dropped
 * there at the next growth: enough, with thousands of tables growing, to start a full collection
 * (and its millisecond pauses) every few seconds.
 */

/** The address space of one chunk number: the largest chunk. */
const CHUNK_SPACE = 64 << 20;
const FIRST_CHUNK = 4 << 20;
/** Word addresses: carved chunk × 2^24 + word (at most 127 carved chunks, 8 GiB). */
const CHUNK_SHIFT = 24;
const WORD_MASK = (1 << CHUNK_SHIFT) - 1;
const MAX_CARVED = 127;
const LARGEST_BLOCK = 1 << 20;
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
  return Math.floor(address / CHUNK_SPACE);
}

/** The byte offset in its chunk of a block address. */
export function offsetOf(address: number): number {
  return address % CHUNK_SPACE;
}

export class Slab {
  /** Byte views of the chunks, by chunk number. */
  readonly u8: Uint8Array[] = [];
  /** 32-bit views of the chunks, by chunk number. */
  readonly i32: Int32Array[] = [];
  /** Per chunk number: its carved-chunk index, or NONE for a large block's own buffer. */
  private readonly carvedOf: number[] = [];
  /** Chunk numbers of released large blocks, free for the next. */
  private readonly spareNumbers: number[] = [];
  /** Per carved chunk: its chunk number, its words, where its blocks end (bytes). */
  private readonly numberOf: number[] = [];
  private readonly words: Int32Array[] = [];
  private readonly ends: number[] = [];
  /** The carved chunk memory comes from, NONE before the first; its size and unused start. */
  private last = NONE;
  private lastSize = 0;
  private top = 0;
  /** The first free block of each bin, or NONE. */
  private readonly heads = new Int32Array(32).fill(NONE);
  /** Bit b set: bin b has a free block. */
  private nonEmpty = 0;
  /** Bytes in carved chunks (in use or free). */
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
    const carved = this.carvedOf[chunk] ?? NONE;
    if (carved === NONE) {
      if (this.u8[chunk] === EMPTY_U8 || this.u8[chunk] === undefined) {
        throw new RangeError('slab: a block was released twice');
      }
      // A large block's own buffer: the collector frees it; its chunk number serves the next.
      this.u8[chunk] = EMPTY_U8;
      this.i32[chunk] = EMPTY_I32;
      this.spareNumbers.push(chunk);
      return;
    }
    const words = this.words[carved]!;
    let w = (offsetOf(address) - 4) >> 2;
    const header = words[w]!;
    if ((header & USED) === 0) throw new RangeError('slab: a block was released twice');
    let size = header & ~3;
    this.usedTotal -= size;
    const base = carved << CHUNK_SHIFT;
    // Merge with the free block after it, then the one before it (same chunk only).
    const end = w * 4 + size;
    if (end < this.ends[carved]!) {
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
    if (carved === this.last && w * 4 + size === this.top) {
      this.top = w * 4;
      this.ends[carved] = this.top;
      return;
    }
    this.link(base + w, size);
  }

  /** A chunk number for a new buffer (one a released large block left, or a new one). */
  private number(buffer: ArrayBuffer, carved: number): number {
    const chunk = this.spareNumbers.pop() ?? this.u8.length;
    this.u8[chunk] = new Uint8Array(buffer);
    this.i32[chunk] = new Int32Array(buffer);
    this.carvedOf[chunk] = carved;
    return chunk;
  }

  /** The address of a new block of `bytes` (a positive multiple of 4), not zero-filled. */
  private take(bytes: number): number {
    if (!(bytes > 0 && bytes % 4 === 0)) {
      throw new RangeError(`slab blocks are positive multiples of 4 bytes, not ${bytes}`);
    }
    if (bytes > LARGEST_BLOCK) return this.number(new ArrayBuffer(bytes), NONE) * CHUNK_SPACE;
    let need = Math.max(MIN_BLOCK, bytes + OVERHEAD);
    const at = this.fit(need);
    if (at !== NONE) {
      const carved = at >>> CHUNK_SHIFT;
      const w = at & WORD_MASK;
      const words = this.words[carved]!;
      const size = words[w]!;
      this.unlink(at, size);
      if (size - need >= MIN_BLOCK) this.link(at + (need >> 2), size - need);
      else need = size;
      this.mark(words, w, need);
      return this.numberOf[carved]! * CHUNK_SPACE + w * 4 + 4;
    }
    if (this.last === NONE || this.top + need > this.lastSize) this.carve();
    const last = this.last;
    const w = this.top >> 2;
    this.top += need;
    this.ends[last] = this.top;
    this.mark(this.words[last]!, w, need);
    return this.numberOf[last]! * CHUNK_SPACE + w * 4 + 4;
  }

  /** Starts a new carved chunk, keeping what is left of the last one as a free block. */
  private carve(): void {
    const last = this.last;
    if (last !== NONE && this.lastSize - this.top >= MIN_BLOCK) {
      this.ends[last] = this.lastSize;
      this.link((last << CHUNK_SHIFT) + (this.top >> 2), this.lastSize - this.top);
    }
    const carved = this.words.length;
    if (carved >= MAX_CARVED) throw new RangeError('slab: out of address space');
    const size = Math.min(CHUNK_SPACE, Math.max(FIRST_CHUNK, this.chunkBytes));
    const buffer = new ArrayBuffer(size);
    const chunk = this.number(buffer, carved);
    this.numberOf.push(chunk);
    this.words.push(this.i32[chunk]!);
    this.ends.push(0);
    this.last = carved;
    this.lastSize = size;
    this.top = 0;
    this.chunkBytes += size;
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
