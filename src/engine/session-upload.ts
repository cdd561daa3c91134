/**
 * Serving blocks to peers (BEP 3 `request`/`piece`/`cancel`, BEP 6 `reject` when Fast is on).
 *
 * Requests queue per peer (at most 500) and are answered in order while we unchoke the peer; each
 * block is sent as a header plus a view of the piece, without copying. Pieces are read whole from the
 * store into a small cache, since peers ask for a piece's blocks one after another. Sending stops
 * while the socket's buffer is full and resumes on `drain`.
 */

import type { BlockRef } from '../wire/index.js';
import type { Peer } from './peer.js';
import type { TorrentSession } from './session.js';

const MAX_QUEUE = 500;
const CACHE_PIECES = 32;

export class Uploader {
  private readonly cache = new Map<number, Promise<Buffer>>();

  constructor(private readonly session: TorrentSession) {}

  /** A peer asked for a block. */
  request(peer: Peer, block: BlockRef): void {
    const { have } = this.session;
    const fast = peer.conn.remote!.negotiated.fast;
    const servable =
      have?.has(block.index) &&
      !peer.conn.amChoking &&
      peer.uploadQueue.length < MAX_QUEUE &&
      this.session.superSeed.mayServe(peer, block.index);
    if (!servable) {
      if (fast) peer.conn.send({ type: 'reject', ...block });
      return;
    }
    peer.uploadQueue.push({ ...block });
    void this.pump(peer);
  }

  /** The peer no longer wants a block. */
  cancel(peer: Peer, block: BlockRef): void {
    const i = peer.uploadQueue.findIndex((b) => b.index === block.index && b.begin === block.begin);
    if (i >= 0) peer.uploadQueue.splice(i, 1);
  }

  /** Choke or unchoke a peer; choking drops (and with Fast, rejects) what it had queued. */
  setChoked(peer: Peer, choked: boolean): void {
    if (!peer.conn.open || peer.conn.amChoking === choked) return;
    peer.conn.send({ type: choked ? 'choke' : 'unchoke' });
    if (choked) {
      const dropped = peer.uploadQueue;
      peer.uploadQueue = [];
      if (peer.conn.remote!.negotiated.fast)
        for (const b of dropped) peer.conn.send({ type: 'reject', ...b });
    } else {
      peer.lastUnchokedAt = Date.now();
    }
  }

  /** Unchoke an interested peer at once when an upload slot is free (no need to wait a round). */
  maybeUnchokeNow(peer: Peer): void {
    if (!peer.conn.peerInterested || !peer.conn.amChoking) return;
    let unchoked = 0;
    for (const p of this.session.peers.values()) if (!p.conn.amChoking) unchoked++;
    if (this.session.superSeed.active || unchoked < (this.session.options.uploadSlots ?? 4))
      this.setChoked(peer, false);
  }

  /** Send queued blocks until the queue is empty or the socket is full. */
  async pump(peer: Peer): Promise<void> {
    if (peer.uploading) return;
    peer.uploading = true;
    try {
      while (peer.uploadQueue.length > 0 && peer.conn.open && !peer.conn.writableNeedDrain) {
        const block = peer.uploadQueue.shift()!;
        const piece = await this.readPiece(block.index);
        if (!peer.conn.open || peer.conn.amChoking) break;
        if (block.begin + block.length > piece.length) continue;
        peer.conn.sendPiece(
          block.index,
          block.begin,
          piece.subarray(block.begin, block.begin + block.length),
        );
        this.session.countUpload(peer, block.length);
      }
    } catch (err) {
      this.session.log(`upload to ${peer.key} failed: ${(err as Error).message}`);
    } finally {
      peer.uploading = false;
    }
  }

  private readPiece(index: number): Promise<Buffer> {
    let cached = this.cache.get(index);
    if (cached) {
      this.cache.delete(index);
      this.cache.set(index, cached); // most recently used last
      return cached;
    }
    const { store, map } = this.session;
    const span = map!.piece(index);
    cached = store!.read(span.offset, span.length);
    cached.catch(() => this.cache.delete(index));
    this.cache.set(index, cached);
    if (this.cache.size > CACHE_PIECES) this.cache.delete(this.cache.keys().next().value!);
    return cached;
  }
}
