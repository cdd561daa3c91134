/**
 * Streaming piece selection for the player: which blocks to ask which peer for, and which pieces to
 * fetch from the web seed (BEP 19 over HTTP) instead. Pure bookkeeping over plain numbers and a
 * clock passed in, no DOM, so it is tested in Node.
 *
 * - The reader (the media element, through the service worker) sets the focus: the piece it waits
 *   for. That piece and the next `urgentAhead` ones are urgent, each with a deadline `deadlineMs`
 *   after it became urgent.
 * - Peers' pipelines are filled in order from the focus: urgent pieces first, then every following
 *   piece up to `readahead` pieces ahead (peers only), then the pieces before the focus, so a
 *   viewer ends up with the whole file to share.
 * - An urgent piece is due from the web seed when its deadline passes, or sooner (after
 *   `noPeerGraceMs`) when no connected peer has it. Peer requests go on meanwhile: whichever
 *   completes first wins. A failed web-seed fetch is retried after `retryMs`.
 * - A block requested more than `requestTimeoutMs` ago, or from a peer that left or choked us, is
 *   free to be requested again.
 */

import { blockCount, type Layout, PieceAssembly, pieceCount, pieceSize } from './pieces.js';
import { BLOCK } from './wire.js';

export interface PeerView {
  readonly id: string;
  hasPiece(index: number): boolean;
  /** Is the peer choking us? */
  readonly choking: boolean;
}

export interface BlockRequest {
  index: number;
  begin: number;
  length: number;
}

export interface SchedulerOptions {
  urgentAhead?: number;
  deadlineMs?: number;
  noPeerGraceMs?: number;
  retryMs?: number;
  requestTimeoutMs?: number;
  /** Requests in flight per peer. */
  pipeline?: number;
  /** How many pieces past the focus to prefetch from peers. */
  readahead?: number;
}

interface Pending {
  peer: string;
  at: number;
}

export class Scheduler {
  readonly count: number;
  focus = 0;
  private readonly urgentSince = new Map<number, number>();
  private readonly assemblies = new Map<number, PieceAssembly>();
  /** `index * 65536 + block` -> who was asked, when. */
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Map<string, number>();
  private readonly webSeeding = new Set<number>();
  private readonly webSeedRetryAt = new Map<number, number>();
  private readonly o: Required<SchedulerOptions>;

  constructor(
    private readonly layout: Layout,
    private readonly holds: (index: number) => boolean,
    options: SchedulerOptions = {},
  ) {
    this.count = pieceCount(layout);
    this.o = {
      urgentAhead: 2,
      deadlineMs: 2000,
      noPeerGraceMs: 1000,
      retryMs: 2000,
      requestTimeoutMs: 8000,
      pipeline: 16,
      readahead: 1 << 30,
      ...options,
    };
  }

  /** The reader waits for piece `index` (from `now`): it and the next few become urgent. */
  setFocus(index: number, now: number): void {
    this.focus = Math.max(0, Math.min(index, this.count - 1));
    for (const i of [...this.urgentSince.keys()]) {
      if (i < this.focus || i > this.focus + this.o.urgentAhead) this.urgentSince.delete(i);
    }
    for (let i = this.focus; i <= Math.min(this.count - 1, this.focus + this.o.urgentAhead); i++) {
      if (!this.holds(i) && !this.urgentSince.has(i)) this.urgentSince.set(i, now);
    }
  }

  isUrgent(index: number): boolean {
    return this.urgentSince.has(index);
  }

  /** Pieces in the order they are wanted from peers. */
  *order(): Generator<number> {
    const end = Math.min(this.count, this.focus + 1 + this.o.readahead);
    for (let i = this.focus; i < end; i++) yield i;
    for (let i = 0; i < this.focus; i++) yield i;
  }

  /** The blocks to request from `peer` now (fills its pipeline); marks them pending. */
  requestsFor(peer: PeerView, now: number): BlockRequest[] {
    if (peer.choking) return [];
    const out: BlockRequest[] = [];
    let free = this.o.pipeline - (this.inflight.get(peer.id) ?? 0);
    for (const index of this.order()) {
      if (free <= 0) break;
      if (this.holds(index) || !peer.hasPiece(index)) continue;
      const assembly = this.assemblies.get(index);
      const blocks = blockCount(this.layout, index);
      for (let b = 0; b < blocks && free > 0; b++) {
        if (assembly?.hasBlock(b)) continue;
        const key = index * 65536 + b;
        const p = this.pending.get(key);
        if (p && now - p.at < this.o.requestTimeoutMs) continue;
        if (p) this.release(key);
        const begin = b * BLOCK;
        out.push({ index, begin, length: Math.min(BLOCK, pieceSize(this.layout, index) - begin) });
        this.pending.set(key, { peer: peer.id, at: now });
        this.inflight.set(peer.id, (this.inflight.get(peer.id) ?? 0) + 1);
        free--;
      }
    }
    return out;
  }

  /**
   * A block arrived from `peer`: the complete piece's assembly once every block is in (the caller
   * verifies it), else undefined. Blocks nobody asked for are dropped.
   */
  onBlock(peer: string, index: number, begin: number, block: Uint8Array): PieceAssembly | undefined {
    const key = index * 65536 + begin / BLOCK;
    const p = this.pending.get(key);
    if (!p || p.peer !== peer) return undefined;
    this.release(key);
    if (this.holds(index)) return undefined;
    let assembly = this.assemblies.get(index);
    if (!assembly) {
      assembly = new PieceAssembly(index, pieceSize(this.layout, index));
      this.assemblies.set(index, assembly);
    }
    if (!assembly.add(begin, block)) return undefined;
    return assembly.complete ? assembly : undefined;
  }

  /** A piece was verified and stored (from a peer or the web seed). */
  onStored(index: number): void {
    this.assemblies.delete(index);
    this.urgentSince.delete(index);
    this.webSeeding.delete(index);
    this.webSeedRetryAt.delete(index);
    for (let b = 0; b < blockCount(this.layout, index); b++) this.release(index * 65536 + b);
  }

  /** A piece failed its hash: start it over (the caller drops the peers that sent it). */
  onBadPiece(index: number): void {
    this.assemblies.delete(index);
    for (let b = 0; b < blockCount(this.layout, index); b++) this.release(index * 65536 + b);
  }

  /** A peer left or choked us: its requests are free again. Returns how many were released. */
  onPeerIdle(peer: string): number {
    let n = 0;
    for (const [key, p] of this.pending) {
      if (p.peer === peer) {
        this.release(key);
        n++;
      }
    }
    this.inflight.delete(peer);
    return n;
  }

  /**
   * Urgent pieces to fetch from the web seed now (and marks them as being fetched): past their
   * deadline, or with no peer having them after the grace period.
   */
  webSeedDue(peers: readonly PeerView[], now: number): number[] {
    const due: number[] = [];
    for (const [index, since] of this.urgentSince) {
      if (this.holds(index) || this.webSeeding.has(index)) continue;
      if ((this.webSeedRetryAt.get(index) ?? 0) > now) continue;
      const anyPeer = peers.some((p) => p.hasPiece(index));
      const wait = anyPeer ? this.o.deadlineMs : this.o.noPeerGraceMs;
      if (now - since >= wait) due.push(index);
    }
    for (const index of due) this.webSeeding.add(index);
    return due;
  }

  /** The web-seed fetch of `index` failed: peers go on; retried after `retryMs`. */
  onWebSeedFailed(index: number, now: number): void {
    this.webSeeding.delete(index);
    this.webSeedRetryAt.set(index, now + this.o.retryMs);
  }

  /** The time of the next deadline or timeout, for the caller's timer. */
  inflightOf(peer: string): number {
    return this.inflight.get(peer) ?? 0;
  }

  private release(key: number): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    const n = (this.inflight.get(p.peer) ?? 1) - 1;
    if (n > 0) this.inflight.set(p.peer, n);
    else this.inflight.delete(p.peer);
  }
}
