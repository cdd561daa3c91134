/**
 * A queue of received socket chunks that hands out byte ranges without copying when it can.
 *
 * The peer wire protocol (BEP 3) is a byte stream: a message may arrive split over several TCP reads,
 * or several messages may arrive in one. The queue keeps the chunks as they came; `take(n)` returns a
 * view into the first chunk when the range lies inside it (the common case, and the whole point: a
 * 16 KiB block inside a 64 KiB read is not copied), and concatenates only the bytes of a range that
 * spans chunks. Reading integers across a chunk boundary never copies either.
 *
 * A chunk may be *transient* (`push(chunk, true)`): a view of a read buffer the socket reuses (Node's
 * `onread`, see `shared-read.ts`), valid only until the caller returns. Views of it handed out by
 * `take` are transient too (`takeOwned` copies them); before returning, the caller calls `settle()`,
 * which copies the bytes of it still queued (the start of a message not complete yet).
 */

export class ChunkQueue {
  private chunks: Buffer[] = [];
  /** Read offset into `chunks[0]`. */
  private offset = 0;
  private total = 0;
  /** The transient chunk, while it is queued (only the last one pushed can be). */
  private transient: Buffer | undefined;

  /** Bytes waiting to be read. */
  get length(): number {
    return this.total;
  }

  /** Queue `chunk`; `transient`: it is only valid until `settle()` (see the module comment). */
  push(chunk: Uint8Array, transient = false): void {
    if (chunk.byteLength === 0) return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.transient) this.settle();
    this.chunks.push(buf);
    this.total += buf.length;
    if (transient) this.transient = buf;
  }

  /** Copy what is still queued of the transient chunk, so it outlives its read buffer. */
  settle(): void {
    const chunk = this.transient;
    if (!chunk) return;
    this.transient = undefined;
    const last = this.chunks.length - 1;
    if (last < 0 || this.chunks[last] !== chunk) return; // all of it was read
    const start = last === 0 ? this.offset : 0;
    this.chunks[last] = Buffer.from(chunk.subarray(start));
    if (last === 0) this.offset = 0;
  }

  /** Like `take`, but never a view of a transient chunk: bytes that will be kept (not blocks). */
  takeOwned(n: number): Buffer {
    const viewOfTransient =
      this.transient !== undefined &&
      this.chunks[0] === this.transient &&
      this.offset + n <= this.transient.length;
    const out = this.take(n);
    return viewOfTransient ? Buffer.from(out) : out;
  }

  /** The byte `at` positions ahead of the read position (which must be `< length`). */
  byteAt(at: number): number {
    let pos = this.offset + at;
    for (const chunk of this.chunks) {
      if (pos < chunk.length) return chunk[pos]!;
      pos -= chunk.length;
    }
    throw new RangeError(`byteAt(${at}) past the ${this.total} queued bytes`);
  }

  /** The big-endian 32-bit unsigned integer `at` positions ahead (needs `at + 4 <= length`). */
  uint32At(at: number): number {
    const head = this.chunks[0];
    const pos = this.offset + at;
    if (head && pos + 4 <= head.length) return head.readUInt32BE(pos);
    return (
      this.byteAt(at) * 0x1000000 +
      ((this.byteAt(at + 1) << 16) | (this.byteAt(at + 2) << 8) | this.byteAt(at + 3))
    );
  }

  /** Remove and return the next `n` bytes: a view when they lie in one chunk, else one copy. */
  take(n: number): Buffer {
    if (n > this.total) throw new RangeError(`take(${n}) past the ${this.total} queued bytes`);
    const head = this.chunks[0];
    if (n === 0 || !head) return Buffer.alloc(0);
    if (this.offset + n <= head.length) {
      const view = head.subarray(this.offset, this.offset + n);
      this.skipInHead(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(n - written, chunk.length - this.offset);
      chunk.copy(out, written, this.offset, this.offset + count);
      written += count;
      this.skipInHead(count);
    }
    return out;
  }

  /** Drop the next `n` bytes. */
  skip(n: number): void {
    if (n > this.total) throw new RangeError(`skip(${n}) past the ${this.total} queued bytes`);
    let left = n;
    while (left > 0) {
      const count = Math.min(left, this.chunks[0]!.length - this.offset);
      this.skipInHead(count);
      left -= count;
    }
  }

  /** Remove and return everything queued, as the chunks themselves. */
  drain(): Buffer[] {
    this.settle();
    const out = this.chunks;
    if (out.length > 0 && this.offset > 0) out[0] = out[0]!.subarray(this.offset);
    this.chunks = [];
    this.offset = 0;
    this.total = 0;
    return out;
  }

  private skipInHead(count: number): void {
    this.offset += count;
    this.total -= count;
    if (this.offset === this.chunks[0]!.length) {
      if (this.chunks[0] === this.transient) this.transient = undefined;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
