/**
 * The player's pieces: assembly of a piece from 16 KiB blocks (BEP 3 `piece` messages or a web-seed
 * response), SHA-1 verification against the torrent's piece hashes with `crypto.subtle.digest`
 * (Web Crypto; Node has it too, so this is tested in Node), and a store of verified pieces in
 * memory with a byte cap: past the cap, the pieces furthest behind the playback position go first.
 */

import { Bitfield, BLOCK } from './wire.js';

export interface Layout {
  pieceLength: number;
  /** Total bytes of the torrent. */
  length: number;
  /** The concatenated 20-byte SHA-1 hashes. */
  hashes: Uint8Array;
}

export function pieceCount(layout: Layout): number {
  return Math.ceil(layout.length / layout.pieceLength);
}

export function pieceSize(layout: Layout, index: number): number {
  return Math.min(layout.pieceLength, layout.length - index * layout.pieceLength);
}

export function blockCount(layout: Layout, index: number): number {
  return Math.ceil(pieceSize(layout, index) / BLOCK);
}

/** Does `data` hash to piece `index`'s SHA-1? */
export async function verifyPiece(layout: Layout, index: number, data: Uint8Array): Promise<boolean> {
  if (data.length !== pieceSize(layout, index)) return false;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>));
  const expected = layout.hashes.subarray(index * 20, index * 20 + 20);
  for (let i = 0; i < 20; i++) if (digest[i] !== expected[i]) return false;
  return true;
}

/** One piece being filled block by block. */
export class PieceAssembly {
  readonly data: Uint8Array;
  private readonly got: boolean[];
  private missing: number;

  constructor(
    readonly index: number,
    size: number,
  ) {
    this.data = new Uint8Array(size);
    this.got = new Array(Math.ceil(size / BLOCK)).fill(false);
    this.missing = this.got.length;
  }

  /** Stores a block; false when it does not fit the piece's block grid. */
  add(begin: number, block: Uint8Array): boolean {
    if (begin % BLOCK !== 0) return false;
    const b = begin / BLOCK;
    const want = Math.min(BLOCK, this.data.length - begin);
    if (b >= this.got.length || block.length !== want) return false;
    if (!this.got[b]) {
      this.got[b] = true;
      this.missing--;
      this.data.set(block, begin);
    }
    return true;
  }

  hasBlock(b: number): boolean {
    return this.got[b] === true;
  }

  get complete(): boolean {
    return this.missing === 0;
  }
}

/** Verified pieces in memory. */
export class PieceStore {
  readonly have: Bitfield;
  private readonly pieces = new Map<number, Uint8Array>();
  private bytes = 0;
  private readonly waiters = new Map<number, Array<() => void>>();

  constructor(
    readonly layout: Layout,
    private readonly capBytes = 512 * 1024 * 1024,
  ) {
    this.have = new Bitfield(pieceCount(layout));
  }

  get(index: number): Uint8Array | undefined {
    return this.pieces.get(index);
  }

  /** Stores a verified piece (the caller verified it), evicting behind `focus` past the cap. */
  put(index: number, data: Uint8Array, focus = 0): void {
    if (this.pieces.has(index)) return;
    this.pieces.set(index, data);
    this.bytes += data.length;
    this.have.set(index);
    for (const wake of this.waiters.get(index) ?? []) wake();
    this.waiters.delete(index);
    this.evict(focus, index);
  }

  /** Resolves once piece `index` is stored. */
  wait(index: number): Promise<void> {
    if (this.pieces.has(index)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(index) ?? [];
      list.push(resolve);
      this.waiters.set(index, list);
    });
  }

  /** Pieces someone is waiting for (the stream's reader). */
  waited(): number[] {
    return [...this.waiters.keys()];
  }

  get storedBytes(): number {
    return this.bytes;
  }

  private evict(focus: number, keep: number): void {
    if (this.bytes <= this.capBytes) return;
    const order = [...this.pieces.keys()]
      .filter((i) => i !== keep)
      .sort((a, b) => {
        const da = a < focus ? focus - a + 1e9 : a - focus;
        const db = b < focus ? focus - b + 1e9 : b - focus;
        return db - da;
      });
    for (const index of order) {
      if (this.bytes <= this.capBytes) break;
      this.bytes -= this.pieces.get(index)!.length;
      this.pieces.delete(index);
      // The bitfield keeps the bit: a `have` cannot be taken back in BEP 3; requests for an evicted
      // piece are then refused by not answering (upload.ts), and the reader refetches.
    }
  }

  /** Is the piece's data here (not just announced)? */
  holds(index: number): boolean {
    return this.pieces.has(index);
  }
}
