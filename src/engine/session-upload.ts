/**
 * Serving blocks to peers (BEP 3 `request`/`piece`/`cancel`, BEP 6 `reject` when Fast is on).
 *
 * Requests queue per peer (at most 500) and are answered in order while we unchoke the peer; each
 * block is sent as a header plus a view of the window it was read in, without copying. The store is
 * read in 1 MiB windows (never a whole piece: pieces may be 128 MiB) kept in a small cache (at most
 * 32 windows, 32 MiB per torrent), since peers ask for a piece's blocks one after another. Sending
 * stops while the socket's buffer is full and resumes on `drain`.
 *
 * With the engine's upload limit (`rate-limit.ts`), each block waits for its tokens before it is
 * read and sent; other messages (have, choke, reject...) never wait.
 *
 * A store error while reading: a transient one (an object store briefly unavailable) skips the
 * request; any other (EIO, a vanished file...) fails the session (see `fault.ts`).
 */

import type { BlockRef } from '../wire/index.js';
import { describeError, isTransient, ownerOf } from './fault.js';
import type { Peer } from './peer.js';
import type { RateLimiter } from './rate-limit.js';
import type { TorrentSession } from './session.js';
import { READ_CHUNK } from './verify.js';

const MAX_QUEUE = 500;

export interface UploaderOptions {
  /** The engine's upload limit, shared by its torrents; absent: none. */
  uploadLimit?: Pick<RateLimiter, 'take'>;
}
const CACHE_WINDOWS = 32;

export class Uploader {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly session: TorrentSession) {}

  /** Drop the read windows: an idle session holds no piece data (`session-idle.ts`), and a fixity
   * repair changed the store's bytes. */
  clearCache(): void {
    this.cache.clear();
  }

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
    void this.pump(peer); // never rejects
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
        const limit = this.session.options.uploadLimit;
        if (limit) {
          await limit.take(block.length);
          if (!peer.conn.open || peer.conn.amChoking || !this.session.running) break;
        }
        // Trusted start: a piece is hashed before its first block goes out (session-trusted.ts).
        const trusted = this.session.trust.servable(block.index);
        if (trusted !== true && !(await trusted)) {
          if (peer.conn.open && peer.conn.remote!.negotiated.fast)
            peer.conn.send({ type: 'reject', ...block });
          continue;
        }
        const data = await this.readBlock(block);
        if (!peer.conn.open || peer.conn.amChoking || !this.session.running) break;
        if (!data) continue;
        peer.conn.sendPiece(block.index, block.begin, data);
        this.session.counters.sent(peer, block.length);
        peer.lastServedAt = Date.now();
      }
    } catch (err) {
      if (ownerOf(err) !== this.session) {
        // Not the store's: whatever the peer's request made us trip on, the peer goes.
        this.session.log(`upload to ${peer.key}: ${describeError(err)}`);
        peer.conn.destroy(err as Error);
      } else if (isTransient(err)) {
        this.session.log(`upload to ${peer.key} skipped: ${describeError(err)}`);
      } else {
        this.session.fail(err as Error);
      }
    } finally {
      peer.uploading = false;
    }
  }

  /** The bytes of `block`, or undefined when it lies outside its piece. */
  private async readBlock(block: BlockRef): Promise<Buffer | undefined> {
    const { store, map } = this.session;
    const span = map!.piece(block.index);
    // v2: up to the piece's end on the wire; past the file's end the store reads zeros.
    const length = map!.wirePieceLength(block.index);
    if (block.begin + block.length > length) return undefined;
    const windowStart = Math.floor(block.begin / READ_CHUNK) * READ_CHUNK;
    const windowLength = Math.min(READ_CHUNK, length - windowStart);
    if (block.begin + block.length > windowStart + windowLength) {
      return store!.read(span.offset + block.begin, block.length); // straddles two windows
    }
    const key = `${block.index}:${windowStart}`;
    let cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached); // most recently used last
    } else {
      cached = store!.read(span.offset + windowStart, windowLength);
      cached.catch(() => this.cache.delete(key));
      this.cache.set(key, cached);
      if (this.cache.size > CACHE_WINDOWS) this.cache.delete(this.cache.keys().next().value!);
    }
    const window = await cached;
    return window.subarray(block.begin - windowStart, block.begin - windowStart + block.length);
  }
}
