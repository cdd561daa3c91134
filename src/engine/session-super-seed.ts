/**
 * Super-seeding inside a session (after BEP 16, policy in `super-seed.ts`): active once the session
 * is complete and its `superSeed` option is on. New peers get `have none` (or no bitfield) and then
 * a `have` for each piece revealed to them; every announcement from a peer and every second may
 * reveal more. Peers that connected before the session was complete saw every piece and are served
 * as usual.
 */

import type { Bitfield } from './bitfield.js';
import type { Peer } from './peer.js';
import { BLOCK_SIZE } from './picker.js';
import type { TorrentSession } from './session.js';
import { SuperSeeder } from './super-seed.js';

/** About this many bytes revealed and not yet had, per peer. */
const BYTES_IN_FLIGHT_PER_PEER = 1024 * 1024;

export class SessionSuperSeed {
  private seeder: SuperSeeder<Peer> | undefined;

  constructor(private readonly session: TorrentSession) {}

  get active(): boolean {
    return (
      this.session.options.superSeed === true && this.session.complete && this.session.meta !== undefined
    );
  }

  /** A peer connected (after the handshake); reveal its first pieces. */
  attach(peer: Peer): void {
    const seeder = this.ensure();
    if (!seeder) return;
    seeder.addPeer(peer, Date.now(), peer.has);
    this.revealTo(peer);
  }

  detach(peer: Peer): void {
    this.seeder?.removePeer(peer);
  }

  peerHas(peer: Peer, index: number): void {
    if (!this.seeder) return;
    this.seeder.peerHas(peer, index, Date.now());
    this.revealTo(peer);
  }

  setPieces(peer: Peer, bits: Bitfield): void {
    if (!this.seeder) return;
    this.seeder.setPieces(peer, bits, Date.now());
    this.revealTo(peer);
  }

  /** Whether a request for `index` from `peer` may be served. */
  mayServe(peer: Peer, index: number): boolean {
    if (!this.seeder || !this.active || !this.seeder.revealedTo(peer)) return true;
    return this.seeder.mayServe(peer, index);
  }

  /** Once a second: starving peers may get more. */
  tick(): void {
    if (!this.seeder) return;
    for (const peer of this.session.peers.values()) this.revealTo(peer);
  }

  private ensure(): SuperSeeder<Peer> | undefined {
    if (!this.active) return undefined;
    if (!this.seeder) {
      const meta = this.session.meta!;
      const perPeer = Math.ceil(BYTES_IN_FLIGHT_PER_PEER / Math.max(BLOCK_SIZE, meta.pieceLength));
      this.seeder = new SuperSeeder({
        pieceCount: meta.pieceCount,
        perPeer: Math.min(16, Math.max(2, perPeer)),
      });
    }
    return this.seeder;
  }

  private revealTo(peer: Peer): void {
    if (!this.seeder || !peer.conn.open || !this.seeder.revealedTo(peer)) return;
    for (const index of this.seeder.reveal(peer, Date.now())) peer.conn.send({ type: 'have', index });
  }
}
