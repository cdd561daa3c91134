/**
 * Super-seeding for a permanent seed (after BEP 16): instead of announcing every piece, the seed
 * tells each peer about a few pieces at a time (`have`), chosen so that the swarm gets one copy of
 * every piece from the seed and makes the other copies itself.
 *
 * - A piece's *copies* are the connected peers that have it plus the peers it was revealed to that
 *   do not have it yet (the seed is sending it, or has offered it).
 * - Each peer holds at most `perPeer` revealed pieces it does not have yet. A free place is filled
 *   with a piece the peer lacks that has no copy at all (random among them): the first copy of each
 *   piece comes from the seed, and no piece is sent twice while another has not been sent once.
 * - A peer that is *starving* (nothing new from the rest of the swarm for `starveMs`: no `have` for
 *   a piece the seed did not reveal to it) is served like a normal seed would: its free places take
 *   the pieces with the fewest copies, whatever their count. So a peer alone with the seed, or one
 *   the swarm does not serve, still completes from the seed alone; a peer the swarm feeds gets only
 *   first copies.
 *
 * Requests for pieces not revealed to the peer are not served (a well-behaved client never sends
 * them). Pure bookkeeping: the session sends the `have`s this returns and asks `mayServe`.
 */

import { Bitfield } from './bitfield.js';

export interface SuperSeedOptions {
  pieceCount: number;
  /** Revealed pieces a peer may hold without having them yet (default 4). */
  perPeer?: number;
  /** A peer with nothing new from the swarm for this long is served like by a normal seed (ms, default 3000). */
  starveMs?: number;
  random?: () => number;
}

interface PeerState {
  has: Bitfield;
  revealed: Bitfield;
  /** Revealed and not had yet. */
  pending: Set<number>;
  /** Last time the peer got a piece the seed had not revealed to it (or when it connected). */
  lastSwarmProgress: number;
}

export class SuperSeeder<K> {
  private readonly peers = new Map<K, PeerState>();
  /** Per piece: connected peers that have it + peers it is revealed to that lack it. */
  private readonly copies: Uint32Array;
  private readonly perPeer: number;
  private readonly starveMs: number;
  private readonly random: () => number;

  constructor(private readonly options: SuperSeedOptions) {
    this.copies = new Uint32Array(options.pieceCount);
    this.perPeer = Math.max(1, options.perPeer ?? 4);
    this.starveMs = options.starveMs ?? 3000;
    this.random = options.random ?? Math.random;
  }

  /** A peer connected; `has` is what it announced so far (if anything). */
  addPeer(key: K, now: number, has?: Bitfield): void {
    if (this.peers.has(key)) return;
    const state: PeerState = {
      has: new Bitfield(this.options.pieceCount),
      revealed: new Bitfield(this.options.pieceCount),
      pending: new Set(),
      lastSwarmProgress: now,
    };
    this.peers.set(key, state);
    if (has) this.setPieces(key, has, now);
  }

  /** A peer went away: its pieces and what was revealed to it no longer count. */
  removePeer(key: K): void {
    const state = this.peers.get(key);
    if (!state) return;
    this.peers.delete(key);
    for (let i = 0; i < state.has.length; i++) if (state.has.has(i)) this.copies[i]!--;
    for (const i of state.pending) this.copies[i]!--;
  }

  /** The peer announced a piece (`have`). */
  peerHas(key: K, index: number, now: number): void {
    const state = this.peers.get(key);
    if (!state || index < 0 || index >= state.has.length || state.has.has(index)) return;
    state.has.set(index);
    if (state.pending.delete(index)) return; // was already counted as a copy
    this.copies[index]!++;
    if (!state.revealed.has(index)) state.lastSwarmProgress = now;
  }

  /** The peer announced its whole set (`bitfield`, `have all`, `have none`): only additions count. */
  setPieces(key: K, bits: Bitfield, now: number): void {
    for (let i = 0; i < bits.length; i++) if (bits.has(i)) this.peerHas(key, i, now);
  }

  /** Whether the peer may be sent piece `index` (it was revealed to it). */
  mayServe(key: K, index: number): boolean {
    return this.peers.get(key)?.revealed.has(index) === true;
  }

  /** Pieces revealed to the peer so far. */
  revealedTo(key: K): Bitfield | undefined {
    return this.peers.get(key)?.revealed;
  }

  /** Pieces revealed to the peer that it does not have yet (to announce again). */
  pendingFor(key: K): number[] {
    return [...(this.peers.get(key)?.pending ?? [])];
  }

  isStarving(key: K, now: number): boolean {
    const state = this.peers.get(key);
    return state !== undefined && now - state.lastSwarmProgress >= this.starveMs;
  }

  /** Pieces to reveal to the peer now (send it a `have` for each). */
  reveal(key: K, now: number): number[] {
    const state = this.peers.get(key);
    if (!state) return [];
    const starving = this.isStarving(key, now);
    const out: number[] = [];
    while (state.pending.size < this.perPeer) {
      const index = this.choose(state, starving);
      if (index < 0) break;
      state.revealed.set(index);
      state.pending.add(index);
      this.copies[index]!++;
      out.push(index);
    }
    return out;
  }

  /** Copies of a piece as counted here (for tests and diagnostics). */
  copiesOf(index: number): number {
    return this.copies[index] ?? 0;
  }

  /** The piece with the fewest copies the peer lacks and was not offered (first copies only unless starving). */
  private choose(state: PeerState, starving: boolean): number {
    const n = this.options.pieceCount;
    const startAt = Math.floor(this.random() * n);
    let best = -1;
    let bestCopies = Number.POSITIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const i = (startAt + k) % n;
      if (state.revealed.has(i) || state.has.has(i)) continue;
      const c = this.copies[i]!;
      if (c < bestCopies) {
        best = i;
        bestCopies = c;
        if (c === 0) break;
      }
    }
    if (best < 0 || (bestCopies > 0 && !starving)) return -1;
    return best;
  }
}
