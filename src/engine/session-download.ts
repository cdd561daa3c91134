/**
 * The download part of a session: our interest in each peer and the request pipeline to it (one
 * write per batch; requests time out after 30 s, a `reject` gives the block back), and receiving
 * blocks (BEP 3 `piece` messages, BEP 19 web seed ranges): each block is
 * checked against what we asked the peer for, written to the store as it arrives (as libtorrent
 * does: no piece is ever held whole in memory), hashed on the way when it continues the piece in
 * order, and a piece whose blocks are all in is verified: the bytes not hashed on arrival are read
 * back from the store, a slice at a time (`PieceVerifier.complete`).
 *
 * A piece that fails verification is requested again from scratch and counts against every peer
 * that sent part of it; a peer with 3 bad pieces is banned. A peer that sends blocks we never asked
 * for (beyond a few late answers to cancelled requests), or a block of the wrong length, is dropped.
 * A store error (EIO, ENOSPC, a read-only store...) is thrown to the session, which fails.
 *
 * Blocks go to the store through a `BlockWriter` (`block-writer.ts`): copied into a window of their
 * piece as they arrive (a block from a socket read into a shared buffer, `wire/shared-read.ts`, is
 * only valid until `onBlock` first awaits), hashed in order from there, and written a window (up to
 * `WRITE_RUN`, 1 MiB) at a time; a write per 16 KiB block cost about half again the client's CPU per
 * GiB (`npm run bench:transfer`).
 *
 * Memory in flight per torrent is bounded: at most `MAX_IN_FLIGHT_BLOCKS` blocks (64 MiB) are
 * requested from peers, gathered for a write or waiting for the store (and the writer's windows are
 * bounded too), plus one `READ_CHUNK` (1 MiB) per piece being read back for its hash.
 */

import { SeedcastError } from '../errors.js';
import { BlockWriter, type PieceWrites, WRITE_RUN } from './block-writer.js';
import { describeError } from './fault.js';
import { blockKey, Peer } from './peer.js';
import type { BlockRequest, PiecePicker } from './picker.js';
import type { TransferCounters } from './session-stats.js';
import type { FaultSink, TorrentView } from './session-view.js';
import type { WebSeedWorker } from './web-seed-worker.js';

export const BAN_AFTER_BAD_PIECES = 3;
/** Most blocks requested from peers or waiting to be written, per torrent (64 MiB of 16 KiB blocks). */
export const MAX_IN_FLIGHT_BLOCKS = 4096;
/** Blocks never asked for that a peer may send before it is dropped. */
const MAX_UNREQUESTED = 8;
/** What `receive` returns when there is nothing to wait for. */
const DONE: Promise<void> = Promise.resolve();
/** A request unanswered this long goes back to the picker (ms). */
const REQUEST_TIMEOUT_MS = 30_000;

type Source = Peer | WebSeedWorker;

/** What the download part is given besides the torrent's view: its collaborators and callbacks. */
export interface DownloadDeps extends FaultSink {
  /** The picker, when there is one (made on demand, dropped while idle: `session-idle.ts`). */
  picker(): PiecePicker | undefined;
  readonly counters: Pick<TransferCounters, 'received' | 'wasted'>;
  /** Piece `index` passed verification and is stored. */
  pieceDone(index: number): void;
  /** A peer sent too many bad pieces: its address is refused from now on. */
  ban(host: string): void;
}

interface InFlightPiece extends PieceWrites {
  from: Set<Source>;
}

export class Downloader {
  private readonly pieces = new Map<number, InFlightPiece>();
  /** v2: complete, stored pieces whose hash is not known yet (their layer is being fetched). */
  private readonly waiting = new Map<number, InFlightPiece>();
  /**
   * The store held data when the session started (a resumed download): pieces the recheck could not
   * check for want of their hashes are read back once the hashes arrive.
   */
  storedBeforeStart = false;
  private writer: BlockWriter | undefined;

  constructor(
    private readonly torrent: TorrentView,
    private readonly deps: DownloadDeps,
  ) {}

  /** Blocks requested from peers or not yet written (the in-flight bound counts these). */
  inFlightBlocks(): number {
    let n = this.writer?.inFlight ?? 0;
    for (const peer of this.torrent.peers.values()) n += peer.outstanding.size;
    return n;
  }

  /**
   * A block from a peer or a web seed; never throws or rejects. A store error fails the session; any
   * other error drops the peer whose block caused it.
   */
  receive(from: Source, index: number, begin: number, block: Uint8Array): Promise<void> {
    let pending: Promise<void> | undefined;
    try {
      pending = this.onBlock(from, index, begin, block);
    } catch (err) {
      this.blockFailed(from, index, begin, err);
      return DONE;
    }
    return pending ? pending.catch((err: unknown) => this.blockFailed(from, index, begin, err)) : DONE;
  }

  private blockFailed(from: Source, index: number, begin: number, err: unknown): void {
    if (from instanceof Peer && !this.deps.ownsError(err)) {
      this.torrent.log(`peer ${from.key}: block ${index}:${begin}: ${describeError(err)}`);
      from.conn.destroy(err as Error);
    } else {
      this.deps.fail(err as Error);
    }
  }

  /**
   * A block from a peer or a web seed. Throws (or rejects with) store errors: the session fails.
   * Synchronous unless the block started a write or completed its piece: then it returns the
   * promise of that work (no promise, closure or microtask per block in a steady download).
   */
  onBlock(from: Source, index: number, begin: number, block: Uint8Array): Promise<void> | undefined {
    const s = this.torrent;
    const picker = this.deps.picker();
    const { counters } = this.deps;
    const { map } = s;
    if (!picker || !map || s.failure || !s.running) return undefined;
    const fromPeer = from instanceof Peer ? from : undefined;
    if (fromPeer && !this.wasRequested(fromPeer, index, begin, block.byteLength)) return undefined;
    if (fromPeer) {
      const now = Date.now();
      fromPeer.down.add(block.byteLength);
      fromPeer.requests.onBlock(block.byteLength, now);
      fromPeer.lastBlockAt = now;
    }
    counters.received(block.byteLength, fromPeer?.transport);
    const result = picker.received(from, { index, begin, length: block.byteLength });
    for (const other of result.cancel) {
      if (other instanceof Peer && other.conn.open) {
        other.forgetRequest(blockKey(index, begin));
        other.conn.send({ type: 'cancel', index, begin, length: block.byteLength });
      }
    }
    if (!result.fresh) {
      counters.wasted += block.byteLength;
      if (fromPeer) this.requestMore(fromPeer);
      return undefined;
    }
    const piece = this.piece(index);
    piece.from.add(from);
    // Copied, hashed as far as the piece is in order, written a window at a time (block-writer.ts).
    const write = this.blockWriter().add(piece, begin, block, result.pieceComplete);
    if (fromPeer) this.requestMore(fromPeer); // keep the pipeline full while the store writes
    if (result.pieceComplete) return this.completeAfter(write, index);
    return write;
  }

  private async completeAfter(write: Promise<void> | undefined, index: number): Promise<void> {
    await write;
    await this.finishPiece(index);
  }

  /** Forget pieces in flight (the session stopped or failed). */
  clear(): void {
    this.pieces.clear();
    this.waiting.clear();
    this.writer?.clear();
  }

  private blockWriter(): BlockWriter {
    const s = this.torrent;
    this.writer ??= new BlockWriter(() => s.store!, Math.min(WRITE_RUN, s.map!.pieceLength));
    return this.writer;
  }

  /** Whether `peer` was asked for this block; drops a peer that sends what nobody asked for. */
  private wasRequested(peer: Peer, index: number, begin: number, length: number): boolean {
    const key = blockKey(index, begin);
    const asked = peer.outstanding.get(key);
    if (asked) {
      peer.outstanding.delete(key);
      if (asked.block.length === length) return true;
      peer.conn.destroy(
        new SeedcastError(
          'WIRE_PROTOCOL',
          `block ${index}:${begin} of ${length} bytes, ${asked.block.length} asked for`,
        ),
      );
      return false;
    }
    this.deps.counters.wasted += length;
    if (peer.cancelled.delete(key)) return false; // a late answer to a request we gave up on
    peer.unrequested++;
    if (peer.unrequested > MAX_UNREQUESTED) {
      this.torrent.log(`peer ${peer.key} dropped: ${peer.unrequested} blocks never requested`);
      peer.conn.destroy(new SeedcastError('WIRE_PROTOCOL', `${peer.unrequested} blocks never requested`));
    }
    return false;
  }

  private piece(index: number): InFlightPiece {
    let piece = this.pieces.get(index);
    if (!piece) {
      const span = this.torrent.map!.piece(index);
      const check = this.torrent.verifier!.check(index);
      piece = { ...this.blockWriter().piece(span.offset, span.length, check), from: new Set() };
      this.pieces.set(index, piece);
    }
    return piece;
  }

  private async finishPiece(index: number): Promise<void> {
    const s = this.torrent;
    const piece = this.pieces.get(index);
    if (!piece) return;
    this.pieces.delete(index);
    await Promise.all(piece.writes);
    if (!s.verifier!.hashKnown(index)) {
      this.waiting.set(index, piece); // checked once its hashes arrive (`hashesArrived`)
      return;
    }
    await this.settle(index, piece);
  }

  /** The hashes of these pieces arrived (BEP 52): check those that were waiting for them. */
  async hashesArrived(indexes: number[]): Promise<void> {
    const s = this.torrent;
    for (const index of indexes) {
      const piece = this.waiting.get(index);
      if (!s.running || s.failure) return;
      try {
        if (piece) {
          this.waiting.delete(index);
          await this.settle(index, piece);
        } else if (this.storedBeforeStart && !s.have!.has(index) && !this.pieces.has(index)) {
          const ok = await s.verifier!.verifyStored(index, s.store!);
          if (ok && s.running && !s.have!.has(index)) this.deps.pieceDone(index);
        }
      } catch (err) {
        this.deps.fail(err as Error); // only the store throws here
        return;
      }
    }
  }

  /** Verify a complete, stored piece: it counts as had, or is fetched again and held against its peers. */
  private async settle(index: number, piece: InFlightPiece): Promise<void> {
    const s = this.torrent;
    const ok = await s.verifier!.complete(index, piece.check, s.store!);
    if (!s.running || s.failure) return;
    if (!ok) {
      this.deps.picker()!.pieceFailed(index);
      this.deps.counters.wasted += s.map!.piece(index).length;
      for (const source of piece.from) {
        if (!(source instanceof Peer)) continue;
        source.badPieces++;
        if (source.badPieces >= BAN_AFTER_BAD_PIECES) {
          this.deps.ban(source.address.host);
          source.conn.destroy(new Error(`banned after ${source.badPieces} bad pieces`));
        }
      }
      s.log(`piece ${index} failed verification`);
      return;
    }
    this.deps.pieceDone(index);
    if (s.complete) this.writer?.finished();
  }

  /** Tell the peer whether we want something it has (BEP 3 `interested`), and ask it when we do. */
  updateInterest(peer: Peer): void {
    const s = this.torrent;
    if (!peer.conn.open || !s.have || !peer.has) return;
    let wanted = false;
    if (!s.have.complete && !s.seedOnly) {
      for (let i = 0; i < s.have.length && !wanted; i++) wanted = peer.has.has(i) && !s.have.has(i);
    }
    if (wanted && !peer.conn.amInterested) peer.conn.send({ type: 'interested' });
    if (!wanted && peer.conn.amInterested) peer.conn.send({ type: 'notInterested' });
    if (wanted && !peer.conn.peerChoking) this.requestMore(peer);
  }

  /** Keep the peer's request pipeline full (`pipeline.ts`), within the torrent's in-flight bound. */
  requestMore(peer: Peer): void {
    const s = this.torrent;
    const picker = this.deps.picker();
    if (!picker || !peer.has || peer.conn.peerChoking || !peer.conn.open || s.complete) return;
    if (s.seedOnly || s.failure || !s.running) return;
    const room = MAX_IN_FLIGHT_BLOCKS - this.inFlightBlocks();
    const want = Math.min(peer.wantRequests(), room);
    if (want <= 0) return;
    const now = Date.now();
    const blocks = picker.pick(peer, peer.has, want);
    if (blocks.length === 0) return;
    // One write for the whole batch: many tiny writes cost a syscall (and a packet) each.
    peer.conn.socket.cork();
    for (const block of blocks) {
      peer.outstanding.set(blockKey(block.index, block.begin), { block, sentAt: now });
      peer.conn.send({ type: 'request', ...block });
    }
    peer.conn.socket.uncork();
  }

  /** Requests to `peer` unanswered for `REQUEST_TIMEOUT_MS` go back to the picker (each second). */
  expireRequests(peer: Peer, now: number): void {
    for (const [key, o] of peer.outstanding) {
      if (now - o.sentAt > REQUEST_TIMEOUT_MS) {
        peer.forgetRequest(key);
        this.deps.picker()?.release(peer, o.block);
      }
    }
  }

  /** Every request to `peer` goes back to the picker (it choked us without Fast, or we leave a repair). */
  releaseAll(peer: Peer): void {
    const picker = this.deps.picker();
    for (const [key, { block }] of [...peer.outstanding]) {
      picker?.release(peer, block);
      peer.forgetRequest(key);
    }
  }

  /** A `reject` (BEP 6): the block goes back to the picker. */
  rejected(peer: Peer, block: BlockRequest): void {
    peer.forgetRequest(blockKey(block.index, block.begin));
    this.deps.picker()?.release(peer, block);
  }

  /** Blocks not yet received that the picker offers to a web seed. */
  pickForWebSeed(worker: WebSeedWorker, max: number): BlockRequest[] {
    const s = this.torrent;
    const picker = this.deps.picker();
    return picker && !s.complete && !s.seedOnly && !s.failure ? picker.pick(worker, 'all', max) : [];
  }
}
