/**
 * The piece picker: which blocks to request from which peer (BEP 3 leaves the policy to clients;
 * this follows libtorrent's and the BitTorrent paper's): finish partly downloaded pieces first
 * (strict priority), pick the first few pieces at random so there is something to trade quickly,
 * then rarest first by availability among connected peers (ties broken at random), and a strict
 * endgame: once every missing block has been requested, the remaining blocks are requested from
 * other peers too, and the duplicates are cancelled when the first copy arrives.
 *
 * Blocks are 16 KiB (the last block of a piece may be shorter). Peers are opaque keys.
 */

import type { Bitfield } from './bitfield.js';

export const BLOCK_SIZE = 16 * 1024;

export interface BlockRequest {
  index: number;
  begin: number;
  length: number;
}

export interface PickerOptions {
  /** How many pieces to pick at random before switching to rarest first (default 4). */
  randomFirst?: number;
  /** Most peers asked for the same block in endgame (default 2). */
  endgameDuplicates?: number;
  /** Random source in [0, 1) (tests pass a seeded one). */
  random?: () => number;
}

export interface ReceiveResult {
  /** False when the block was already received (a duplicate from endgame) or never asked for. */
  fresh: boolean;
  /** All blocks of the piece are in: verify it now. */
  pieceComplete: boolean;
  /** Other peers that were asked for this block (send them a cancel). */
  cancel: unknown[];
}

interface ActivePiece {
  blockCount: number;
  received: Uint8Array;
  receivedCount: number;
  requesters: (Set<unknown> | undefined)[];
}

type PeerPieces = Bitfield | 'all';

export class PiecePicker {
  private readonly availability: Uint32Array;
  private readonly active = new Map<number, ActivePiece>();
  private readonly random: () => number;
  private readonly randomFirst: number;
  private readonly endgameDuplicates: number;

  constructor(
    private readonly geometry: { pieceCount: number; pieceSize(index: number): number },
    private readonly have: Bitfield,
    options: PickerOptions = {},
  ) {
    this.availability = new Uint32Array(geometry.pieceCount);
    this.random = options.random ?? Math.random;
    this.randomFirst = options.randomFirst ?? 4;
    this.endgameDuplicates = options.endgameDuplicates ?? 2;
  }

  /** A peer announced it has every piece in `bits` (bitfield), or one piece (have). */
  addAvailability(bits: Bitfield | number): void {
    this.changeAvailability(bits, 1);
  }

  /** A peer that had `bits` went away. */
  removeAvailability(bits: Bitfield | number): void {
    this.changeAvailability(bits, -1);
  }

  availabilityOf(index: number): number {
    return this.availability[index] ?? 0;
  }

  /** True once every missing piece is being downloaded and every missing block has been asked for. */
  get endgame(): boolean {
    if (this.have.count + this.active.size < this.geometry.pieceCount) return false;
    for (const piece of this.active.values()) {
      for (let b = 0; b < piece.blockCount; b++) {
        if (!piece.received[b] && !piece.requesters[b]?.size) return false;
      }
    }
    return true;
  }

  /** Up to `max` block requests for `peer`, which has `peerHas`. */
  pick(peer: unknown, peerHas: PeerPieces, max: number): BlockRequest[] {
    const out: BlockRequest[] = [];
    const peerHasPiece = (i: number) => peerHas === 'all' || peerHas.has(i);
    // 1. Partly downloaded pieces first, the most complete first.
    const partial = [...this.active.entries()]
      .filter(([i]) => peerHasPiece(i))
      .sort((a, b) => b[1].receivedCount - a[1].receivedCount);
    for (const [index, piece] of partial) {
      this.takeBlocks(peer, index, piece, max, out, false);
      if (out.length >= max) return out;
    }
    // 2. New pieces: random first, then rarest first.
    while (out.length < max) {
      const index = this.choosePiece(peerHasPiece);
      if (index < 0) break;
      const piece = this.activate(index);
      this.takeBlocks(peer, index, piece, max, out, false);
    }
    // 3. Endgame: ask this peer for blocks other peers were already asked for.
    if (out.length < max && this.endgame) {
      for (const [index, piece] of partial) {
        this.takeBlocks(peer, index, piece, max, out, true);
        if (out.length >= max) break;
      }
    }
    return out;
  }

  /** A block arrived from `peer`. */
  received(peer: unknown, block: BlockRequest): ReceiveResult {
    const piece = this.active.get(block.index);
    const b = block.begin / BLOCK_SIZE;
    if (!piece || !Number.isInteger(b) || b >= piece.blockCount || piece.received[b]) {
      return { fresh: false, pieceComplete: false, cancel: [] };
    }
    piece.received[b] = 1;
    piece.receivedCount++;
    const others = [...(piece.requesters[b] ?? [])].filter((p) => p !== peer);
    piece.requesters[b] = undefined;
    return { fresh: true, pieceComplete: piece.receivedCount === piece.blockCount, cancel: others };
  }

  /** A request to `peer` will not be answered (rejected, choked, timed out): offer the block again. */
  release(peer: unknown, block: BlockRequest): void {
    const piece = this.active.get(block.index);
    piece?.requesters[block.begin / BLOCK_SIZE]?.delete(peer);
  }

  /** `peer` is gone: release everything it was asked for. */
  releasePeer(peer: unknown): void {
    for (const piece of this.active.values()) {
      for (const set of piece.requesters) set?.delete(peer);
    }
  }

  /** The piece passed verification and is stored. */
  pieceVerified(index: number): void {
    this.active.delete(index);
    this.have.set(index);
  }

  /** The piece failed verification: download it again from scratch. */
  pieceFailed(index: number): void {
    this.active.delete(index);
  }

  /** Blocks of `index` still wanted (for tests and progress). */
  missingBlocks(index: number): number {
    if (this.have.has(index)) return 0;
    const piece = this.active.get(index);
    return piece
      ? piece.blockCount - piece.receivedCount
      : Math.ceil(this.geometry.pieceSize(index) / BLOCK_SIZE);
  }

  private changeAvailability(bits: Bitfield | number, delta: 1 | -1): void {
    if (typeof bits === 'number') {
      if (bits >= 0 && bits < this.availability.length) this.bump(bits, delta);
      return;
    }
    for (let i = 0; i < this.availability.length; i++) if (bits.has(i)) this.bump(i, delta);
  }

  private bump(index: number, delta: 1 | -1): void {
    const v = this.availability[index]!;
    if (delta < 0 && v === 0) return;
    this.availability[index] = v + delta;
  }

  /**
   * The next piece to start: random while we have fewer than `randomFirst`, then rarest first. The
   * scan starts at a random piece, so ties go to a random piece, and it stops at the first piece
   * only this peer has (availability 1, the least possible): from a single seed a pick costs a few
   * steps rather than a pass over every piece (16,384 pieces of 16 KiB: 6.5 s of CPU a download).
   */
  private choosePiece(peerHasPiece: (i: number) => boolean): number {
    const n = this.geometry.pieceCount;
    if (n === 0) return -1;
    const randomPhase = this.have.count < this.randomFirst;
    const start = Math.min(n - 1, Math.floor(this.random() * n));
    let best = -1;
    let bestAvailability = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (let k = 0; k < n; k++) {
      const i = start + k < n ? start + k : start + k - n;
      if (this.have.has(i) || this.active.has(i) || !peerHasPiece(i)) continue;
      const a = this.availability[i]!;
      if (randomPhase || a <= 1) return i;
      if (a < bestAvailability) {
        best = i;
        bestAvailability = a;
        ties = 1;
      } else if (a === bestAvailability) {
        ties++;
        if (this.random() * ties < 1) best = i; // reservoir sampling among equals
      }
    }
    return best;
  }

  private activate(index: number): ActivePiece {
    const blockCount = Math.ceil(this.geometry.pieceSize(index) / BLOCK_SIZE);
    const piece: ActivePiece = {
      blockCount,
      received: new Uint8Array(blockCount),
      receivedCount: 0,
      requesters: new Array(blockCount).fill(undefined),
    };
    this.active.set(index, piece);
    return piece;
  }

  private takeBlocks(
    peer: unknown,
    index: number,
    piece: ActivePiece,
    max: number,
    out: BlockRequest[],
    duplicate: boolean,
  ): void {
    const size = this.geometry.pieceSize(index);
    for (let b = 0; b < piece.blockCount && out.length < max; b++) {
      if (piece.received[b]) continue;
      const requesters = piece.requesters[b];
      if (requesters?.size) {
        if (!duplicate || requesters.has(peer) || requesters.size >= this.endgameDuplicates) continue;
      }
      const set = requesters ?? new Set();
      set.add(peer);
      piece.requesters[b] = set;
      const begin = b * BLOCK_SIZE;
      out.push({ index, begin, length: Math.min(BLOCK_SIZE, size - begin) });
    }
  }
}
