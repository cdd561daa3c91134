/**
 * Super-seeding inside a session (after BEP 16, policy in `super-seed.ts`): active once the session
 * is complete and its `superSeed` option is on. New peers get `have none` (or no bitfield) and then
 * a `have` for each piece revealed to them; every announcement from a peer and every second may
 * reveal more. Peers that connected before the session was complete saw every piece and are served
 * as usual. If the session stops being complete (a piece found damaged when first served, or by a
 * fixity check), super-seeding ends: each peer still in it, which was told only the pieces revealed
 * to it, is told every other piece the session still holds, as a peer connecting then is told.
 *
 * A magnet client has no piece count until it has the metadata (BEP 9), and many drop the `have`s
 * that arrive before (aria2, Seedcast before issue 16): with its revealed pieces never taken, a
 * lone downloader would wait for ever. So the pieces revealed to a peer and not yet had are
 * announced again when the peer has been sent the whole metadata, and whenever the peer takes
 * nothing from us for a while (2 s, doubling up to a minute while it stays idle). A repeated `have`
 * costs 9 bytes and clients ignore it.
 */

import type { Bitfield } from './bitfield.js';
import type { Peer } from './peer.js';
import { BLOCK_SIZE } from './picker.js';
import type { TorrentView } from './session-view.js';
import { SuperSeeder } from './super-seed.js';

/** About this many bytes revealed and not yet had, per peer. */
const BYTES_IN_FLIGHT_PER_PEER = 1024 * 1024;
/** Announce revealed pieces again to a peer idle this long (ms), doubling up to `RESEND_MAX_MS`. */
const RESEND_FIRST_MS = 2000;
const RESEND_MAX_MS = 60_000;

interface Announced {
  /** When the revealed pieces were last announced. */
  at: number;
  /** How long to wait from `at` before announcing them again. */
  wait: number;
  /** Bytes sent to the peer at `at` (nothing sent since: the peer is idle). */
  sent: number;
}

export class SessionSuperSeed {
  private seeder: SuperSeeder<Peer> | undefined;
  private readonly announced = new Map<Peer, Announced>();

  /** `enabled`: the session's `superSeed` option; read when asked. */
  constructor(
    private readonly torrent: Pick<TorrentView, 'peers' | 'complete' | 'meta' | 'have' | 'log'>,
    private readonly enabled: () => boolean,
  ) {}

  get active(): boolean {
    return this.enabled() && this.torrent.complete && this.torrent.meta !== undefined;
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
    this.announced.delete(peer);
  }

  /** The peer was sent every piece of the metadata: it can place `have`s now; tell it again. */
  metadataSent(peer: Peer): void {
    if (!this.seeder || !this.active) return;
    this.announceAgain(peer, RESEND_FIRST_MS);
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

  /** Once a second: starving peers may get more; idle peers hear again what was revealed to them. */
  tick(): void {
    if (!this.seeder) return;
    if (!this.active) {
      this.stop();
      return;
    }
    const now = Date.now();
    for (const peer of this.torrent.peers.values()) {
      this.revealTo(peer);
      const last = this.announced.get(peer);
      if (!last || now - last.at < last.wait) continue;
      if (peer.up.total !== last.sent) {
        // Taking what was revealed: wait again from now.
        this.announced.set(peer, { at: now, wait: RESEND_FIRST_MS, sent: peer.up.total });
        continue;
      }
      this.announceAgain(peer, Math.min(RESEND_MAX_MS, last.wait * 2));
    }
  }

  /**
   * Super-seeding ended while peers were in it (the session is no longer complete: a piece was found
   * damaged). Each was told only its revealed pieces and would wait, for ever with a client that
   * trusts what it was told, to hear of the rest: tell it every other piece we hold now.
   */
  private stop(): void {
    const seeder = this.seeder;
    const { have } = this.torrent;
    this.seeder = undefined;
    this.announced.clear();
    if (!seeder || !have) return;
    let told = 0;
    for (const peer of this.torrent.peers.values()) {
      if (!peer.conn.open || !seeder.revealedTo(peer)) continue;
      told++;
      for (let i = 0; i < have.length; i++)
        if (have.has(i) && !peer.has?.has(i)) peer.conn.send({ type: 'have', index: i });
    }
    if (told > 0)
      this.torrent.log(`super-seed: stopped (no longer complete); ${told} peer(s) told every piece held`);
  }

  private ensure(): SuperSeeder<Peer> | undefined {
    if (!this.active) return undefined;
    if (!this.seeder) {
      const meta = this.torrent.meta!;
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
    const now = Date.now();
    const revealed = this.seeder.reveal(peer, now);
    for (const index of revealed) peer.conn.send({ type: 'have', index });
    if (revealed.length > 0 || !this.announced.has(peer))
      this.announced.set(peer, { at: now, wait: RESEND_FIRST_MS, sent: peer.up.total });
  }

  /** Announce again the pieces revealed to the peer that it does not have yet. */
  private announceAgain(peer: Peer, wait: number): void {
    if (!this.seeder || !peer.conn.open || !this.seeder.revealedTo(peer)) return;
    const pending = this.seeder.pendingFor(peer);
    for (const index of pending) peer.conn.send({ type: 'have', index });
    this.announced.set(peer, { at: Date.now(), wait, sent: peer.up.total });
    if (pending.length > 0)
      this.torrent.log(`super-seed: ${pending.length} piece(s) announced again to ${peer.key}`);
  }
}
