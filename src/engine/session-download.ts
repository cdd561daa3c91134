/**
 * Receiving blocks for a session (BEP 3 `piece` messages, BEP 19 web seed ranges): each block is
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
import { Peer } from './peer.js';
import type { TorrentSession } from './session.js';
import type { WebSeedWorker } from './web-seed-worker.js';

export const BAN_AFTER_BAD_PIECES = 3;
/** Most blocks requested from peers or waiting to be written, per torrent (64 MiB of 16 KiB blocks). */
export const MAX_IN_FLIGHT_BLOCKS = 4096;
/** Blocks never asked for that a peer may send before it is dropped. */
const MAX_UNREQUESTED = 8;

type Source = Peer | WebSeedWorker;

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

  constructor(private readonly session: TorrentSession) {}

  /** Blocks requested from peers or not yet written (the in-flight bound counts these). */
  inFlightBlocks(): number {
    let n = this.writer?.inFlight ?? 0;
    for (const peer of this.session.peers.values()) n += peer.outstanding.size;
    return n;
  }

  /** A block from a peer or a web seed. Throws store errors (the session fails). */
  async onBlock(from: Source, index: number, begin: number, block: Uint8Array): Promise<void> {
    const s = this.session;
    const { picker, map, counters } = s;
    if (!picker || !map || s.failure || !s.running) return;
    const fromPeer = from instanceof Peer ? from : undefined;
    if (fromPeer && !this.wasRequested(fromPeer, index, begin, block.byteLength)) return;
    if (fromPeer) {
      const now = Date.now();
      fromPeer.down.add(block.byteLength);
      fromPeer.requests.onBlock(block.byteLength, now);
      fromPeer.lastBlockAt = now;
    }
    s.counters.received(block.byteLength, fromPeer?.transport);
    const result = picker.received(from, { index, begin, length: block.byteLength });
    for (const other of result.cancel) {
      if (other instanceof Peer && other.conn.open) {
        other.forgetRequest(`${index}:${begin}`);
        other.conn.send({ type: 'cancel', index, begin, length: block.byteLength });
      }
    }
    if (!result.fresh) {
      counters.wasted += block.byteLength;
      if (fromPeer) s.peerHandler.requestMore(fromPeer);
      return;
    }
    const piece = this.piece(index);
    piece.from.add(from);
    // Copied, hashed as far as the piece is in order, written a window at a time (block-writer.ts).
    const write = this.blockWriter().add(piece, begin, block, result.pieceComplete);
    if (fromPeer) s.peerHandler.requestMore(fromPeer); // keep the pipeline full while the store writes
    await write;
    if (result.pieceComplete) await this.finishPiece(index);
  }

  /** Forget pieces in flight (the session stopped or failed). */
  clear(): void {
    this.pieces.clear();
    this.waiting.clear();
    this.writer?.clear();
  }

  private blockWriter(): BlockWriter {
    const s = this.session;
    this.writer ??= new BlockWriter(() => s.store!, Math.min(WRITE_RUN, s.map!.pieceLength));
    return this.writer;
  }

  /** Whether `peer` was asked for this block; drops a peer that sends what nobody asked for. */
  private wasRequested(peer: Peer, index: number, begin: number, length: number): boolean {
    const key = `${index}:${begin}`;
    const asked = peer.outstanding.get(key);
    if (asked) {
      peer.outstanding.delete(key);
      if (asked.block.length === length) return true;
      peer.conn.destroy(
        new SeedcastError(
          'WIRE_PROTOCOL',
          `block ${key} of ${length} bytes, ${asked.block.length} asked for`,
        ),
      );
      return false;
    }
    this.session.counters.wasted += length;
    if (peer.cancelled.delete(key)) return false; // a late answer to a request we gave up on
    peer.unrequested++;
    if (peer.unrequested > MAX_UNREQUESTED) {
      this.session.log(`peer ${peer.key} dropped: ${peer.unrequested} blocks never requested`);
      peer.conn.destroy(new SeedcastError('WIRE_PROTOCOL', `${peer.unrequested} blocks never requested`));
    }
    return false;
  }

  private piece(index: number): InFlightPiece {
    let piece = this.pieces.get(index);
    if (!piece) {
      const span = this.session.map!.piece(index);
      const check = this.session.verifier!.check(index);
      piece = { ...this.blockWriter().piece(span.offset, span.length, check), from: new Set() };
      this.pieces.set(index, piece);
    }
    return piece;
  }

  private async finishPiece(index: number): Promise<void> {
    const s = this.session;
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
    const s = this.session;
    for (const index of indexes) {
      const piece = this.waiting.get(index);
      if (!s.running || s.failure) return;
      try {
        if (piece) {
          this.waiting.delete(index);
          await this.settle(index, piece);
        } else if (this.storedBeforeStart && !s.have!.has(index) && !this.pieces.has(index)) {
          const ok = await s.verifier!.verifyStored(index, s.store!);
          if (ok && s.running && !s.have!.has(index)) s.pieceDone(index);
        }
      } catch (err) {
        s.fail(err as Error); // only the store throws here
        return;
      }
    }
  }

  /** Verify a complete, stored piece: it counts as had, or is fetched again and held against its peers. */
  private async settle(index: number, piece: InFlightPiece): Promise<void> {
    const s = this.session;
    const ok = await s.verifier!.complete(index, piece.check, s.store!);
    if (!s.running || s.failure) return;
    if (!ok) {
      s.picker!.pieceFailed(index);
      s.counters.wasted += s.map!.piece(index).length;
      for (const source of piece.from) {
        if (!(source instanceof Peer)) continue;
        source.badPieces++;
        if (source.badPieces >= BAN_AFTER_BAD_PIECES) {
          s.banned.add(source.address.host);
          source.conn.destroy(new Error(`banned after ${source.badPieces} bad pieces`));
        }
      }
      s.log(`piece ${index} failed verification`);
      return;
    }
    s.pieceDone(index);
    if (s.complete) this.writer?.finished();
  }
}
