/**
 * The piece picker: which blocks to request from which peer (BEP 3 leaves the policy to clients;
 * this follows libtorrent's and the BitTorrent paper's): finish partly downloaded pieces first
 * (strict priority), pick the first few pieces at random so there is something to trade quickly,
 * then rarest first by availability among connected peers (ties broken at random), and a strict
 * endgame: once every missing block has been requested, the remaining blocks are requested from
 * other peers too, and the duplicates are cancelled when the first copy arrives.
 *
 * Blocks are 16 KiB (the last block of a piece may be shorter). Peers are opaque keys.
 *
 * Cost per call (it runs for every block received): the pieces that still have blocks nobody was
 * asked for (`open`) are kept in order, the most complete first, as blocks arrive and requests are
 * given back, so a pick walks only those, from each one's first free block, and stops at `max`;
 * nothing is copied or sorted per call. A block's first requester is held without a `Set`; only
 * endgame duplicates allocate.
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

const NONE: unknown[] = [];
const STALE: ReceiveResult = Object.freeze({ fresh: false, pieceComplete: false, cancel: NONE });

interface ActivePiece {
  index: number;
  blockCount: number;
  received: Uint8Array;
  receivedCount: number;
  /** Blocks not received that some peer was asked for. */
  requestedCount: number;
  /** Every block before this one is received or requested. */
  firstFree: number;
  /** The first peer asked for each block (undefined: nobody). */
  owner: unknown[];
  /** Endgame: the other peers asked for a block, by block (allocated on the first duplicate). */
  extra: (unknown[] | undefined)[] | undefined;
  /** Position in `open`, or -1. */
  openAt: number;
}

type PeerPieces = Bitfield | 'all';

export class PiecePicker {
  private readonly availability: Uint32Array;
  private readonly active = new Map<number, ActivePiece>();
  /** 1 for pieces in `active` (the rarest-first scan tests it for every piece it passes). */
  private readonly isActive: Uint8Array;
  /** Active pieces with blocks nobody was asked for, the most received blocks first. */
  private readonly open: ActivePiece[] = [];
  private readonly random: () => number;
  private readonly randomFirst: number;
  private readonly endgameDuplicates: number;

  constructor(
    private readonly geometry: { pieceCount: number; pieceSize(index: number): number },
    private readonly have: Bitfield,
    options: PickerOptions = {},
  ) {
    this.availability = new Uint32Array(geometry.pieceCount);
    this.isActive = new Uint8Array(geometry.pieceCount);
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
    return this.open.length === 0 && this.have.count + this.active.size >= this.geometry.pieceCount;
  }

  /** Up to `max` block requests for `peer`, which has `peerHas`. */
  pick(peer: unknown, peerHas: PeerPieces, max: number): BlockRequest[] {
    const out: BlockRequest[] = [];
    const all = peerHas === 'all';
    // 1. Partly downloaded pieces first, the most complete first.
    for (let k = 0; k < this.open.length && out.length < max; ) {
      const piece = this.open[k]!;
      if (all || peerHas.has(piece.index)) this.takeFree(peer, piece, max, out);
      if (this.open[k] === piece) k++; // else it left `open` (no free block left): same k again
    }
    // 2. New pieces: random first, then rarest first.
    while (out.length < max) {
      const index = this.choosePiece(peerHas);
      if (index < 0) break;
      this.takeFree(peer, this.activate(index), max, out);
    }
    // 3. Endgame: ask this peer for blocks other peers were already asked for.
    if (out.length < max && this.endgame) {
      for (const piece of this.active.values()) {
        if (all || peerHas.has(piece.index)) this.takeDuplicates(peer, piece, max, out);
        if (out.length >= max) break;
      }
    }
    return out;
  }

  /** A block arrived from `peer`. */
  received(peer: unknown, block: BlockRequest): ReceiveResult {
    const piece = this.active.get(block.index);
    const b = block.begin / BLOCK_SIZE;
    if (!piece || !Number.isInteger(b) || b >= piece.blockCount || piece.received[b]) return STALE;
    piece.received[b] = 1;
    piece.receivedCount++;
    const owner = piece.owner[b];
    const extra = piece.extra?.[b];
    let cancel = NONE;
    if (owner !== undefined) {
      piece.requestedCount--;
      piece.owner[b] = undefined;
      if (owner !== peer) cancel = [owner];
      if (extra) {
        piece.extra![b] = undefined;
        for (const p of extra) if (p !== peer) cancel = cancel === NONE ? [p] : [...cancel, p];
      }
    }
    if (piece.openAt >= 0) {
      if (this.free(piece) === 0) this.close(piece);
      else this.moveUp(piece);
    }
    return { fresh: true, pieceComplete: piece.receivedCount === piece.blockCount, cancel };
  }

  /** A request to `peer` will not be answered (rejected, choked, timed out): offer the block again. */
  release(peer: unknown, block: BlockRequest): void {
    const piece = this.active.get(block.index);
    const b = block.begin / BLOCK_SIZE;
    if (piece && Number.isInteger(b) && b < piece.blockCount) this.releaseBlock(peer, piece, b);
  }

  /** `peer` is gone: release everything it was asked for. */
  releasePeer(peer: unknown): void {
    for (const piece of this.active.values()) {
      for (let b = 0; b < piece.blockCount; b++) {
        if (piece.owner[b] === peer || piece.extra?.[b]?.includes(peer)) this.releaseBlock(peer, piece, b);
      }
    }
  }

  /** The piece passed verification and is stored. */
  pieceVerified(index: number): void {
    this.deactivate(index);
    this.have.set(index);
  }

  /** The piece failed verification: download it again from scratch. */
  pieceFailed(index: number): void {
    this.deactivate(index);
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
  private choosePiece(peerHas: PeerPieces): number {
    const n = this.geometry.pieceCount;
    if (n === 0 || this.have.count + this.active.size >= n) return -1;
    const randomPhase = this.have.count < this.randomFirst;
    const all = peerHas === 'all';
    const start = Math.min(n - 1, Math.floor(this.random() * n));
    let best = -1;
    let bestAvailability = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (let k = 0; k < n; k++) {
      const i = start + k < n ? start + k : start + k - n;
      if (this.isActive[i] || this.have.has(i) || !(all || peerHas.has(i))) continue;
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
      index,
      blockCount,
      received: new Uint8Array(blockCount),
      receivedCount: 0,
      requestedCount: 0,
      firstFree: 0,
      owner: new Array(blockCount).fill(undefined),
      extra: undefined,
      openAt: -1,
    };
    this.active.set(index, piece);
    this.isActive[index] = 1;
    if (blockCount > 0) this.insert(piece);
    return piece;
  }

  private deactivate(index: number): void {
    const piece = this.active.get(index);
    if (!piece) return;
    if (piece.openAt >= 0) this.close(piece);
    this.active.delete(index);
    this.isActive[index] = 0;
  }

  /** Blocks of `piece` neither received nor requested. */
  private free(piece: ActivePiece): number {
    return piece.blockCount - piece.receivedCount - piece.requestedCount;
  }

  /** Ask `peer` for the free blocks of `piece`, in order, up to `max` requests in `out`. */
  private takeFree(peer: unknown, piece: ActivePiece, max: number, out: BlockRequest[]): void {
    const size = this.geometry.pieceSize(piece.index);
    let b = piece.firstFree;
    for (; b < piece.blockCount && out.length < max; b++) {
      if (piece.received[b] || piece.owner[b] !== undefined) continue;
      piece.owner[b] = peer;
      piece.requestedCount++;
      const begin = b * BLOCK_SIZE;
      out.push({ index: piece.index, begin, length: Math.min(BLOCK_SIZE, size - begin) });
    }
    piece.firstFree = b;
    if (this.free(piece) === 0 && piece.openAt >= 0) this.close(piece);
  }

  /** Endgame: ask `peer` too for blocks of `piece` others were asked for (at most `endgameDuplicates` each). */
  private takeDuplicates(peer: unknown, piece: ActivePiece, max: number, out: BlockRequest[]): void {
    const size = this.geometry.pieceSize(piece.index);
    for (let b = 0; b < piece.blockCount && out.length < max; b++) {
      const owner = piece.owner[b];
      if (piece.received[b] || owner === undefined || owner === peer) continue;
      const extra = piece.extra?.[b];
      if (extra && (extra.includes(peer) || extra.length + 1 >= this.endgameDuplicates)) continue;
      if (!extra && this.endgameDuplicates < 2) continue;
      piece.extra ??= new Array(piece.blockCount).fill(undefined);
      if (extra) extra.push(peer);
      else piece.extra[b] = [peer];
      const begin = b * BLOCK_SIZE;
      out.push({ index: piece.index, begin, length: Math.min(BLOCK_SIZE, size - begin) });
    }
  }

  private releaseBlock(peer: unknown, piece: ActivePiece, b: number): void {
    const extra = piece.extra?.[b];
    if (piece.owner[b] === peer) {
      piece.owner[b] = extra?.shift();
      if (extra?.length === 0) piece.extra![b] = undefined;
    } else {
      const at = extra?.indexOf(peer) ?? -1;
      if (at >= 0) extra!.splice(at, 1);
      if (extra?.length === 0) piece.extra![b] = undefined;
      return;
    }
    if (piece.owner[b] !== undefined || piece.received[b]) return;
    piece.requestedCount--; // nobody is asked for the block any more: it is free again
    if (b < piece.firstFree) piece.firstFree = b;
    if (piece.openAt < 0) this.insert(piece);
  }

  /** Put `piece` into `open` after the pieces with as many received blocks or more. */
  private insert(piece: ActivePiece): void {
    const open = this.open;
    let at = open.length;
    while (at > 0 && open[at - 1]!.receivedCount < piece.receivedCount) at--;
    open.splice(at, 0, piece);
    for (let k = at; k < open.length; k++) open[k]!.openAt = k;
  }

  private close(piece: ActivePiece): void {
    const open = this.open;
    const at = piece.openAt;
    open.splice(at, 1);
    piece.openAt = -1;
    for (let k = at; k < open.length; k++) open[k]!.openAt = k;
  }

  /** `piece` received a block: move it ahead of the open pieces that now have fewer. */
  private moveUp(piece: ActivePiece): void {
    const open = this.open;
    let at = piece.openAt;
    while (at > 0 && open[at - 1]!.receivedCount < piece.receivedCount) {
      const prev = open[at - 1]!;
      open[at] = prev;
      prev.openAt = at;
      at--;
    }
    open[at] = piece;
    piece.openAt = at;
  }
}
