/**
 * Piece length for a new torrent: chosen from the total size, or checked when given.
 *
 * Automatic choice (as libtorrent and mktorrent's users do by hand): the smallest power of two from
 * 16 KiB to 16 MiB that gives at most 2000 pieces, so a torrent has roughly 1000–2000 pieces (fewer
 * only at the 16 KiB floor, more only at the 16 MiB ceiling). A given length must be a multiple of
 * the 16 KiB block for v1 (BEP 3 sets no rule, but peers request 16 KiB blocks) and a power of two of
 * at least 16 KiB for v2 and hybrid torrents (BEP 52: pieces are whole subtrees of 16 KiB leaves).
 */

import { SeedcastError } from '../errors.js';
import type { TorrentVersion } from './types.js';

export const BLOCK_SIZE = 16 * 1024;
export const MIN_PIECE_LENGTH = BLOCK_SIZE;
/** Largest piece length chosen automatically. */
export const MAX_AUTO_PIECE_LENGTH = 16 * 1024 * 1024;
/** Largest piece length accepted at all (libtorrent refuses bigger pieces). */
export const MAX_PIECE_LENGTH = 128 * 1024 * 1024;
const TARGET_MAX_PIECES = 2000;

/** The automatic piece length for `totalBytes` of content. */
export function choosePieceLength(totalBytes: number): number {
  let length = MIN_PIECE_LENGTH;
  while (length < MAX_AUTO_PIECE_LENGTH && Math.ceil(totalBytes / length) > TARGET_MAX_PIECES) length *= 2;
  return length;
}

/** True for 2^n, n >= 0. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Throws CREATE_OPTIONS unless `length` is a valid piece length for `version`. */
export function checkPieceLength(length: number, version: TorrentVersion): void {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new SeedcastError('CREATE_OPTIONS', `piece length must be a positive whole number, got ${length}`);
  }
  if (length > MAX_PIECE_LENGTH) {
    throw new SeedcastError(
      'CREATE_OPTIONS',
      `piece length ${length} is over the limit of ${MAX_PIECE_LENGTH}`,
    );
  }
  if (version === 'v1') {
    if (length % BLOCK_SIZE !== 0) {
      throw new SeedcastError(
        'CREATE_OPTIONS',
        `piece length ${length} is not a multiple of ${BLOCK_SIZE} (16 KiB)`,
      );
    }
    return;
  }
  if (length < MIN_PIECE_LENGTH || !isPowerOfTwo(length)) {
    throw new SeedcastError(
      'CREATE_OPTIONS',
      `piece length ${length} is not a power of two of at least 16384, as ${version} torrents need (BEP 52)`,
    );
  }
}
