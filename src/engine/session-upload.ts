/**
 * Serving blocks to peers (BEP 3 `request`/`piece`/`cancel`, BEP 6 `reject` when Fast is on), and
 * the choke round (`choker.ts`) deciding whom to serve. The upload part of a session: it reads the
 * torrent through a `TorrentView` and is given its collaborators (`UploadDeps`).
 *
 * Requests queue per peer (at most 500) and are answered in order while we unchoke the peer; each
 * block is sent as a header plus a view of the window it was read in, without copying (one corked
 * write, so one `writev`). The store is read in 1 MiB windows (never a whole piece: pieces may be
 * 128 MiB) kept in a small cache (at most 32 windows, 32 MiB per torrent), since peers ask for a
 * piece's blocks one after another. Windows are read into buffers from the engine's pool
 * (`read-pool.ts`) and go back to it once evicted and no longer referred to: by a read waiting on
 * the window, or by a socket write of one of its blocks not yet done. When no peer is unchoked the
 * cache is emptied, so an idle torrent holds no buffers. While a batch is sent, the windows of the
 * next queued blocks are already being read (`prefetch`). Sending stops while the socket's buffer is
 * full and resumes on `drain`.
 *
 * With the engine's upload limit (`rate-limit.ts`), each block waits for its tokens before it is
 * read and sent; other messages (have, choke, reject...) never wait.
 *
 * A store error while reading: a transient one (an object store briefly unavailable) skips the
 * request; any other (EIO, a vanished file...) fails the session (see `fault.ts`).
 */

import type { BlockRef } from '../wire/index.js';
import { chokeRound, DEFAULT_UPLOAD_SLOTS } from './choker.js';
import { describeError, isTransient } from './fault.js';
import type { Peer } from './peer.js';
import type { RateLimiter } from './rate-limit.js';
import { returnBuffer, takeBuffer } from './read-pool.js';
import type { TransferCounters } from './session-stats.js';
import type { SessionSuperSeed } from './session-super-seed.js';
import type { TrustedPieces } from './session-trusted.js';
import type { FaultSink, TorrentView } from './session-view.js';
import { READ_CHUNK } from './verify.js';

const MAX_QUEUE = 500;

export interface UploaderOptions {
  /** The engine's upload limit, shared by its torrents; absent: none. */
  uploadLimit?: Pick<RateLimiter, 'take'>;
  /** Peers unchoked at once (default `DEFAULT_UPLOAD_SLOTS`; a super-seed unchokes every one). */
  uploadSlots?: number;
}

/** What the upload part is given besides the torrent's view: its options and collaborators. */
export interface UploadDeps extends FaultSink {
  /** Read when used (the engine's options object). */
  readonly options: UploaderOptions;
  /** BEP 16: whether super-seeding is on, and which pieces a peer may be sent. */
  readonly superSeed: Pick<SessionSuperSeed, 'active' | 'mayServe'>;
  /** Trusted start: a piece is hashed before its first block goes out. */
  readonly trust: Pick<TrustedPieces, 'servable'>;
  readonly counters: Pick<TransferCounters, 'sent'>;
}
const CACHE_WINDOWS = 32;
/** Blocks whose reads a peer's pump starts together (16 blocks: 256 KiB). */
const READ_AHEAD = 16;

/** A cached window of a piece: its bytes once read, and who still refers to its buffer. */
interface Window {
  ready: Promise<Buffer>;
  /** The pooled buffer read into; undefined once given back (or if the store made its own). */
  buf: Buffer | undefined;
  /** Reads waiting on the window plus socket writes of its blocks not yet done. */
  refs: number;
  evicted: boolean;
}

/** A block to send and what to call once the socket is done with it. */
interface Block {
  data: Buffer;
  release: () => void;
}

const noop = () => {};

/**
 * BEP 6 `reject` of a request. Built field by field: a request held here may be the parsed
 * `request` message itself, and spreading it after `type` would send a `request` back instead
 * (the peer, lacking the piece or choking us, "rejected" it the same way: requests bounced between
 * two peers while their real requests waited out their time-out).
 */
function reject(peer: Peer, block: BlockRef): void {
  peer.conn.send({ type: 'reject', index: block.index, begin: block.begin, length: block.length });
}

/** Requests refused (rejected to a Fast peer, dropped otherwise), by why; for diagnostics. */
export interface Refusals {
  /** We choke the peer (a request in flight when we choked it, or dropped from its queue then). */
  choked: number;
  /** The peer's queue was full. */
  full: number;
  /** A piece we do not have, or one a super-seed has not revealed to the peer. */
  notOffered: number;
}

export class Uploader {
  readonly refused: Refusals = { choked: 0, full: 0, notOffered: 0 };
  /** Chokes sent (choke rounds), for diagnostics. */
  chokesSent = 0;
  private readonly cache = new Map<string, Window>();
  /** The optimistic unchoke (choker.ts), kept between rounds. */
  private optimistic: unknown;

  constructor(
    private readonly torrent: TorrentView,
    private readonly deps: UploadDeps,
  ) {}

  /**
   * A choke round (every 10 s): tit-for-tat, or round-robin while seeding, plus the optimistic
   * unchoke, rotated when `rotateOptimistic` (choker.ts); every interested peer while super-seeding.
   */
  chokeRound(rotateOptimistic: boolean): void {
    const peers = [...this.torrent.peers.values()].filter((p) => p.conn.open);
    const decision = chokeRound({
      peers: peers.map((p) => ({
        key: p,
        interested: p.conn.peerInterested,
        downloadRate: p.down.perSecond,
        unchoked: !p.conn.amChoking,
        lastUnchokedAt: p.lastUnchokedAt,
      })),
      seeding: this.torrent.complete,
      slots: this.deps.superSeed.active ? Number.POSITIVE_INFINITY : this.deps.options.uploadSlots,
      optimistic: this.optimistic,
      rotateOptimistic,
      now: Date.now(),
    });
    this.optimistic = decision.optimistic;
    for (const p of peers) this.setChoked(p, !decision.unchoke.has(p));
    this.clearIfIdle();
  }

  /** Drop the read windows: an idle session holds no piece data (`session-idle.ts`), and a fixity
   * repair changed the store's bytes. */
  clearCache(): void {
    this.cache.clear();
  }

  /** A peer asked for a block. */
  request(peer: Peer, block: BlockRef): void {
    const { have } = this.torrent;
    const fast = peer.conn.remote!.negotiated.fast;
    const offered = have?.has(block.index) === true && this.deps.superSeed.mayServe(peer, block.index);
    const servable = offered && !peer.conn.amChoking && peer.uploadQueue.length < MAX_QUEUE;
    if (!servable) {
      if (!offered) this.refused.notOffered++;
      else if (peer.conn.amChoking) this.refused.choked++;
      else this.refused.full++;
      if (fast) reject(peer, block);
      return;
    }
    // Only the block's fields: `block` is the parsed message, whose `type` is 'request'.
    peer.uploadQueue.push({ index: block.index, begin: block.begin, length: block.length });
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
      this.chokesSent++;
      const dropped = peer.uploadQueue;
      peer.uploadQueue = [];
      this.refused.choked += dropped.length;
      if (peer.conn.remote!.negotiated.fast) for (const b of dropped) reject(peer, b);
      this.clearIfIdle();
    } else {
      peer.lastUnchokedAt = Date.now();
    }
  }

  /** Unchoke an interested peer at once when an upload slot is free (no need to wait a round). */
  maybeUnchokeNow(peer: Peer): void {
    if (!peer.conn.peerInterested || !peer.conn.amChoking) return;
    let unchoked = 0;
    for (const p of this.torrent.peers.values()) if (!p.conn.amChoking) unchoked++;
    if (this.deps.superSeed.active || unchoked < (this.deps.options.uploadSlots ?? DEFAULT_UPLOAD_SLOTS))
      this.setChoked(peer, false);
  }

  /** Send queued blocks until the queue is empty or the socket is full. */
  async pump(peer: Peer): Promise<void> {
    if (peer.uploading) return;
    peer.uploading = true;
    try {
      const stopped = () => !peer.conn.open || peer.conn.amChoking || !this.torrent.running;
      while (peer.uploadQueue.length > 0 && peer.conn.open && !peer.conn.writableNeedDrain) {
        const limit = this.deps.options.uploadLimit;
        // Without a limit, the reads of the next blocks start together (read ahead): one read at a
        // time would leave the socket idle during each thread-pool round trip.
        let batch = limit ? [peer.uploadQueue.shift()!] : peer.uploadQueue.splice(0, READ_AHEAD);
        if (limit) {
          await limit.take(batch[0]!.length);
          if (stopped()) {
            if (peer.conn.open && peer.conn.remote!.negotiated.fast) reject(peer, batch[0]!);
            break;
          }
        }
        // Trusted start: a piece is hashed before its first block goes out (session-trusted.ts).
        batch = await this.servable(peer, batch);
        if (batch.length === 0) continue;
        const reads = batch.map((b) => this.readBlock(b));
        if (!limit) this.prefetch(peer.uploadQueue);
        // Blocks of the batch that will not be sent: release their reads and, with Fast, reject
        // them (a choke rejected only what was still queued; the peer waits for every answer).
        const dropFrom = (k: number) => {
          for (const r of reads.slice(k)) r.then((x) => x?.release(), noop);
          if (peer.conn.open && peer.conn.remote!.negotiated.fast)
            for (const b of batch.slice(k)) reject(peer, b);
        };
        for (const [k, block] of batch.entries()) {
          let read: Block | undefined;
          try {
            read = await reads[k];
          } catch (err) {
            reads[k] = Promise.resolve(undefined);
            dropFrom(k);
            throw err;
          }
          if (stopped()) {
            read?.release();
            reads[k] = Promise.resolve(undefined);
            dropFrom(k);
            return;
          }
          if (!read) continue;
          peer.conn.sendPiece(block.index, block.begin, read.data, read.release);
          this.deps.counters.sent(peer, block.length);
          peer.lastServedAt = Date.now();
        }
      }
    } catch (err) {
      if (!this.deps.ownsError(err)) {
        // Not the store's: whatever the peer's request made us trip on, the peer goes.
        this.torrent.log(`upload to ${peer.key}: ${describeError(err)}`);
        peer.conn.destroy(err as Error);
      } else if (isTransient(err)) {
        this.torrent.log(`upload to ${peer.key} skipped: ${describeError(err)}`);
      } else {
        this.deps.fail(err as Error);
      }
    } finally {
      peer.uploading = false;
    }
  }

  /** Empty the window cache (its buffers go back to the pool as their last writes finish). */
  clear(): void {
    for (const w of this.cache.values()) this.evict(w);
    this.cache.clear();
  }

  /** Empty the window cache when no peer is unchoked (nothing will be read soon). */
  clearIfIdle(): void {
    if (this.cache.size === 0) return;
    for (const p of this.torrent.peers.values()) if (p.conn.open && !p.conn.amChoking) return;
    this.clear();
  }

  private evict(w: Window): void {
    w.evicted = true;
    this.unref(w);
  }

  /** Drop one reference (the cache's own counts as one until evicted). */
  private unref(w: Window): void {
    if (--w.refs > 0 || !w.evicted || !w.buf) return;
    returnBuffer(w.buf);
    w.buf = undefined;
  }

  /**
   * The bytes of `block` and the call that releases them once sent, or undefined when the block
   * lies outside its piece.
   */
  /** The blocks of `batch` whose pieces may be sent; the others are refused (BEP 6 reject to a Fast peer). */
  private async servable(peer: Peer, batch: BlockRef[]): Promise<BlockRef[]> {
    const out: BlockRef[] = [];
    for (const block of batch) {
      const trusted = this.deps.trust.servable(block.index);
      if (trusted === true || (await trusted)) out.push(block);
      else if (peer.conn.open && peer.conn.remote!.negotiated.fast) reject(peer, block);
    }
    return out;
  }

  /**
   * The cached window holding `block` (its read started when it was not cached yet), or undefined
   * when the block lies outside its piece or straddles two windows.
   */
  private windowOf(block: BlockRef): { window: Window; start: number } | undefined {
    const { store, map } = this.torrent;
    const span = map!.piece(block.index);
    // v2: up to the piece's end on the wire; past the file's end the store reads zeros.
    const length = map!.wirePieceLength(block.index);
    if (block.begin + block.length > length) return undefined;
    const start = Math.floor(block.begin / READ_CHUNK) * READ_CHUNK;
    const windowLength = Math.min(READ_CHUNK, length - start);
    if (block.begin + block.length > start + windowLength) return undefined;
    const key = `${block.index}:${start}`;
    let w = this.cache.get(key);
    if (w) {
      this.cache.delete(key);
      this.cache.set(key, w); // most recently used last
      return { window: w, start };
    }
    const buf = takeBuffer(windowLength);
    const created: Window = { ready: undefined!, buf, refs: 1, evicted: false };
    created.ready = store!.read(span.offset + start, windowLength, buf).then(
      (data) => {
        if (data.buffer !== buf.buffer) {
          returnBuffer(buf); // the store made its own buffer
          created.buf = undefined;
        }
        return data;
      },
      (err: unknown) => {
        // Not back to the pool: a failed multi-part read may still be filling the buffer.
        created.buf = undefined;
        if (this.cache.get(key) === created) this.cache.delete(key);
        if (!created.evicted) this.evict(created);
        throw err;
      },
    );
    created.ready.catch(noop); // a prefetched window may never be awaited
    w = created;
    this.cache.set(key, w);
    if (this.cache.size > CACHE_WINDOWS) {
      const oldest = this.cache.keys().next().value!;
      this.evict(this.cache.get(oldest)!);
      this.cache.delete(oldest);
    }
    return { window: w, start };
  }

  /**
   * Start reading the windows of the blocks queued after the batch being sent (read ahead across
   * batches): the next batch then finds its window read, instead of the socket waiting a
   * thread-pool round trip per window.
   */
  private prefetch(queue: readonly BlockRef[]): void {
    let index = -1;
    let start = -1;
    for (let i = 0; i < queue.length && i < READ_AHEAD; i++) {
      const block = queue[i]!;
      const blockStart = Math.floor(block.begin / READ_CHUNK) * READ_CHUNK;
      if (block.index === index && blockStart === start) continue; // same window as the last one
      index = block.index;
      start = blockStart;
      if (this.torrent.have?.has(block.index)) this.windowOf(block);
    }
  }

  private async readBlock(block: BlockRef): Promise<Block | undefined> {
    const { store, map } = this.torrent;
    const found = this.windowOf(block);
    if (!found) {
      if (block.begin + block.length > map!.wirePieceLength(block.index)) return undefined;
      // Straddles two windows: read on its own.
      const at = map!.piece(block.index).offset + block.begin;
      return { data: await store!.read(at, block.length), release: noop };
    }
    const { window, start } = found;
    window.refs++; // held from here until the block is sent (or dropped)
    let data: Buffer;
    try {
      data = await window.ready;
    } catch (err) {
      this.unref(window);
      throw err;
    }
    let released = false;
    return {
      data: data.subarray(block.begin - start, block.begin - start + block.length),
      release: () => {
        if (released) return;
        released = true;
        this.unref(window);
      },
    };
  }
}
