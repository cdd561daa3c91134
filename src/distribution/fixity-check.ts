/**
 * The fixity check (issue 22, slice 3): re-hash an item's stored files against its torrent's piece
 * hashes (BEP 3 SHA-1 pieces, BEP 52 SHA-256 piece layers) and list the pieces that no longer
 * match. The files are read through the engine's `PieceStore` (the site's `BlobPieceStore`, local
 * disk or S3) and hashed by the engine's `PieceVerifier`, a slice (`READ_CHUNK`, 1 MiB) at a time,
 * so a piece is never held whole in memory.
 *
 * Bandwidth: every slice waits for its bytes in a token bucket (the engine's `RateLimiter`) before
 * it is read, so a pass over a large site reads at most `bytesPerSecond` on average (a short burst
 * after an idle spell, as the bucket allows). A missing or short blob reads as zeros, so its pieces
 * are reported damaged, not thrown; other storage errors are thrown (the job is retried).
 */

import { PieceMap, type PieceStore, PieceVerifier } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import type { Metainfo } from '../torrent/index.js';

/** What the check reads its bytes against: the engine's rate limiter, or any token bucket. */
export interface ByteBudget {
  take(bytes: number): Promise<void>;
}

export interface CheckOptions {
  /** Bytes read wait for their tokens here (absent: no limit). */
  budget?: ByteBudget;
  /** Stops the pass (the job is cancelled or the worker stops): throws FIXITY_ABORTED. */
  signal?: AbortSignal;
  /** Told the fraction of the pieces checked, after each piece. */
  progress?: (fraction: number) => void;
  /** Only these pieces (a re-check after a repair); default every piece. */
  pieces?: readonly number[];
  /** Start at this position of the list (a pass carried on by another job); default 0. */
  from?: number;
  /** Stop after the piece that ends past this time (ms since the epoch): `next` says where to go on. */
  until?: number;
}

export interface CheckResult {
  /** Indexes of the pieces that failed their hash, in order. */
  damaged: number[];
  /** Pieces checked. */
  pieces: number;
  /** Bytes read from storage. */
  bytes: number;
  /** Files covered (padding files not counted). */
  files: number;
  /** Where to carry on when `until` stopped the pass early (a position in the list of pieces). */
  next?: number;
}

/** Re-hashes the pieces of `meta` as `store` holds them. */
export async function checkPieces(
  meta: Metainfo,
  store: PieceStore,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const map = new PieceMap(meta);
  const verifier = new PieceVerifier(meta, map);
  let bytes = 0;
  const budget = options.budget;
  // The verifier reads a slice at a time: each slice waits for its tokens first.
  const metered: PieceStore = {
    read: async (offset, length) => {
      if (options.signal?.aborted) throw new SeedcastError('FIXITY_ABORTED', 'the check was stopped');
      if (budget) await budget.take(length);
      bytes += length;
      return store.read(offset, length);
    },
    write: () => Promise.reject(new SeedcastError('INTERNAL', 'the fixity check never writes')),
    close: async () => {},
  };
  const pieces = options.pieces ?? Array.from({ length: meta.pieceCount }, (_, i) => i);
  const damaged: number[] = [];
  let n = Math.max(0, options.from ?? 0);
  for (; n < pieces.length; n++) {
    if (options.until !== undefined && Date.now() >= options.until && n > (options.from ?? 0)) break;
    const index = pieces[n]!;
    if (options.signal?.aborted) throw new SeedcastError('FIXITY_ABORTED', 'the check was stopped');
    if (!(await verifier.verifyStored(index, metered))) damaged.push(index);
    options.progress?.((n + 1) / pieces.length);
  }
  return {
    damaged: damaged.sort((a, b) => a - b),
    pieces: n - Math.max(0, options.from ?? 0),
    bytes,
    files: meta.files.filter((f) => !f.padding).length,
    ...(n < pieces.length ? { next: n } : {}),
  };
}
