/**
 * From received blocks to store writes and piece hashes (the disk side of BEP 3 downloading), as
 * libtorrent's disk buffers do it: each block is copied, as it arrives, into a *window* of its piece
 * (a buffer of `windowSize` bytes: `WRITE_RUN`, or the whole piece when pieces are smaller), at its
 * place, whatever order blocks arrive in. The piece's hash is fed from the windows in order, as far
 * as the blocks in hand reach, and a window is written to the store in one write once all of its
 * blocks are in. So a piece whose blocks a seeder sends out of order (libtorrent's disk threads
 * finish reads out of order) is still hashed on arrival and never read back.
 *
 * Buffers come from a small pool and go back to it once written: a steady download allocates no
 * memory per block, and a block may be a view of a read buffer reused as soon as `add` returns
 * (`wire/shared-read.ts`). Memory is bounded: past `MAX_WINDOW_MEMORY` bytes of windows still filling
 * (or `MAX_GATHERED_BLOCKS` blocks), every window is written out as it is, its missing blocks left
 * for later windows; the bytes of a piece then not hashed on arrival are read back from the store
 * when the piece is complete (`PieceVerifier.complete`).
 */

import type { PieceStore } from './file-store.js';
import { BLOCK_SIZE } from './picker.js';
import type { PieceCheck } from './verify.js';

/** Most bytes in one window (one store write). */
export const WRITE_RUN = 1024 * 1024;
/** Most blocks held in windows still filling: past it every window is written out. */
export const MAX_GATHERED_BLOCKS = 1024;
/** Most bytes of windows still filling: past it every window is written out. */
export const MAX_WINDOW_MEMORY = 16 * 1024 * 1024;
/** Free buffers kept for reuse, in bytes (the pool is dropped when the download ends). */
const MAX_POOL_BYTES = 16 * 1024 * 1024;

/** A piece being received: where it is, its hash so far, its windows and its writes in progress. */
export interface PieceWrites {
  /** Offset of the piece in the torrent's piece space. */
  offset: number;
  length: number;
  check: PieceCheck;
  /** The piece's bytes before this were fed to `check` (in order). */
  hashedTo: number;
  windows: Window[];
  writes: Set<Promise<void>>;
}

interface Window {
  /** Offset in the piece. */
  start: number;
  length: number;
  buffer: Buffer;
  /** Per block of the window: 1 once its bytes are in `buffer`. */
  got: Uint8Array;
  blocks: number;
  bytes: number;
}

export class BlockWriter {
  private pool: Buffer[] = [];
  /** Pieces with windows still filling. */
  private readonly filling = new Set<PieceWrites>();
  private openWindows = 0;
  /** Blocks in windows still filling. */
  private gathered = 0;
  /** Blocks handed to the store and not yet written. */
  private pending = 0;
  private active = true;

  constructor(
    private readonly store: () => PieceStore,
    /** Bytes per window: `WRITE_RUN`, or the piece length when smaller. */
    private readonly windowSize: number,
  ) {}

  /** A new piece to receive. */
  piece(offset: number, length: number, check: PieceCheck): PieceWrites {
    return { offset, length, check, hashedTo: 0, windows: [], writes: new Set() };
  }

  /** Blocks held or being written (they count against the download's in-flight bound). */
  get inFlight(): number {
    return this.gathered + this.pending;
  }

  /**
   * Copy `block` (bytes at `begin` of the piece) into its window, hash what now continues the piece
   * in order, and write the windows that are complete (all of the piece's when `last`). Returns the
   * promise of the writes this block started, or undefined when it started none (most blocks: no
   * promise is made for them).
   */
  add(piece: PieceWrites, begin: number, block: Uint8Array, last: boolean): Promise<void> | undefined {
    if (begin % BLOCK_SIZE !== 0) return this.writeCopy(piece, begin, block); // not from our requests
    const window = this.windowFor(piece, begin);
    const b = (begin - window.start) / BLOCK_SIZE;
    if (!window.got[b]) {
      window.buffer.set(block, begin - window.start);
      window.got[b] = 1;
      window.blocks++;
      window.bytes += block.byteLength;
      this.gathered++;
    }
    this.hashInOrder(piece);
    let write: Promise<void> | undefined;
    if (last) {
      const writes = [...piece.windows].map((w) => this.flush(piece, w));
      write = writes.length === 1 ? writes[0] : Promise.all(writes).then(() => undefined);
    } else if (window.bytes === window.length) {
      write = this.flush(piece, window);
    }
    if (this.gathered > MAX_GATHERED_BLOCKS || this.openWindows * this.windowSize > MAX_WINDOW_MEMORY) {
      // Windows of pieces waiting for slow peers must not hold requests or memory back for long.
      for (const p of [...this.filling])
        for (const w of [...p.windows]) void this.flush(p, w).catch(() => undefined);
    }
    return write;
  }

  /** The download stopped, failed or completed: forget windows and drop the pool. */
  clear(): void {
    this.filling.clear();
    this.openWindows = 0;
    this.gathered = 0;
    this.pool = [];
  }

  /** The download completed: keep no buffers. */
  finished(): void {
    this.active = false;
    this.pool = [];
  }

  private windowFor(piece: PieceWrites, begin: number): Window {
    const start = Math.floor(begin / this.windowSize) * this.windowSize;
    for (const w of piece.windows) if (w.start === start) return w;
    const length = Math.min(this.windowSize, piece.length - start);
    const window: Window = {
      start,
      length,
      buffer: this.pool.pop() ?? Buffer.allocUnsafeSlow(this.windowSize),
      got: new Uint8Array(Math.ceil(length / BLOCK_SIZE)),
      blocks: 0,
      bytes: 0,
    };
    piece.windows.push(window);
    this.filling.add(piece);
    this.openWindows++;
    return window;
  }

  /** Feed `check` the blocks that continue the hashed prefix, from the windows in hand. */
  private hashInOrder(piece: PieceWrites): void {
    for (;;) {
      const at = piece.hashedTo;
      if (at >= piece.length) return;
      let w: Window | undefined;
      for (const x of piece.windows) if (x.start <= at && at < x.start + x.length) w = x;
      if (!w) return;
      let end = at;
      while (end < w.start + w.length && w.got[(end - w.start) / BLOCK_SIZE]) {
        end = Math.min(end + BLOCK_SIZE, w.start + w.length);
      }
      if (end === at) return;
      if (!piece.check.add(at, w.buffer.subarray(at - w.start, end - w.start))) return;
      piece.hashedTo = end;
    }
  }

  /** Write the window's blocks (one write when it is whole) and give its buffer back afterwards. */
  private flush(piece: PieceWrites, window: Window): Promise<void> {
    piece.windows.splice(piece.windows.indexOf(window), 1);
    if (piece.windows.length === 0) this.filling.delete(piece);
    this.openWindows--;
    this.gathered -= window.blocks;
    this.pending += window.blocks;
    const store = this.store();
    const at = piece.offset + window.start;
    let stored: Promise<unknown>;
    if (window.bytes === window.length) {
      stored = store.write(at, window.buffer.subarray(0, window.length));
    } else {
      // Written out early: each run of blocks in hand, at its place.
      const runs: Promise<void>[] = [];
      for (let b = 0; b < window.got.length; ) {
        if (!window.got[b]) {
          b++;
          continue;
        }
        let e = b;
        while (e < window.got.length && window.got[e]) e++;
        const from = b * BLOCK_SIZE;
        const to = Math.min(e * BLOCK_SIZE, window.length);
        runs.push(store.write(at + from, window.buffer.subarray(from, to)));
        b = e;
      }
      stored = Promise.all(runs);
    }
    const done = () => {
      this.pending -= window.blocks;
      piece.writes.delete(write);
      if (this.active && (this.pool.length + 1) * this.windowSize <= MAX_POOL_BYTES)
        this.pool.push(window.buffer);
    };
    const write: Promise<void> = stored.then(done, (err: unknown) => {
      done();
      throw err;
    });
    piece.writes.add(write);
    return write;
  }

  /** A block at an offset our requests never make: written from a copy of its own. */
  private writeCopy(piece: PieceWrites, begin: number, block: Uint8Array): Promise<void> {
    if (begin === piece.hashedTo && piece.check.add(begin, block)) piece.hashedTo += block.byteLength;
    const write = this.store().write(piece.offset + begin, Buffer.from(block));
    piece.writes.add(write);
    return write.finally(() => piece.writes.delete(write));
  }
}
