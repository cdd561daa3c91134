/**
 * What a peer may send, and when (BEP 3, 6, 10): the checks that turn a well-formed but
 * out-of-protocol message into a typed error, so the engine drops the peer.
 *
 * - `bitfield`, `have all`, `have none` announce what the peer has. BEP 3 sends the bitfield right
 *   after the handshake, but real clients send announcements later too: aria2 sends an updated
 *   bitfield (or have all) instead of a run of `have`s. So a later announcement is no error: it
 *   replaces what the peer has, and the engine must treat it so;
 * - Fast messages (BEP 6) need the Fast bit on both sides, extended messages (BEP 10) the extension bit;
 * - with the torrent's geometry known: indexes below the piece count, a bitfield of exactly
 *   ceil(pieces / 8) bytes with its spare bits zero, requests of 1..16 KiB inside their piece, blocks
 *   inside their piece. (For a magnet link the geometry comes with the metadata; until then only the
 *   size limits apply and the engine checks the bitfield with `checkBitfield` once it knows.)
 * Violations of shape are `WIRE_MALFORMED`, of sequence or range `WIRE_PROTOCOL`.
 */

import { SeedcastError } from '../errors.js';
import type { Extensions } from './handshake.js';
import { BLOCK_LENGTH, type BlockRef, FAST_MESSAGES, type Message } from './messages.js';

/** How a torrent is cut into pieces. */
export interface PieceGeometry {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
}

/** The geometry of a torrent with `totalLength` bytes in pieces of `pieceLength`. */
export function pieceGeometry(totalLength: number, pieceLength: number): PieceGeometry {
  return { pieceCount: Math.ceil(totalLength / pieceLength), pieceLength, totalLength };
}

/** The size of piece `index` (the last one may be short). */
export function pieceSize(geometry: PieceGeometry, index: number): number {
  if (index === geometry.pieceCount - 1) {
    return geometry.totalLength - geometry.pieceLength * (geometry.pieceCount - 1);
  }
  return geometry.pieceLength;
}

/** Check a bitfield's length and spare bits against the piece count (`WIRE_MALFORMED`). */
export function checkBitfield(bitfield: Uint8Array, pieceCount: number): void {
  const expected = Math.ceil(pieceCount / 8);
  if (bitfield.byteLength !== expected) {
    throw new SeedcastError(
      'WIRE_MALFORMED',
      `bitfield of ${bitfield.byteLength} bytes for ${pieceCount} pieces (expected ${expected})`,
    );
  }
  const spare = expected * 8 - pieceCount;
  if (spare > 0 && (bitfield[expected - 1]! & ((1 << spare) - 1)) !== 0) {
    throw new SeedcastError('WIRE_MALFORMED', 'bitfield has spare bits set');
  }
}

/** Check that a block lies inside its piece and is 1..`maxLength` bytes (`WIRE_PROTOCOL`). */
export function checkBlock(
  geometry: PieceGeometry | undefined,
  block: BlockRef,
  options: { maxLength?: number; what?: string } = {},
): void {
  const what = options.what ?? 'block';
  const maxLength = options.maxLength ?? BLOCK_LENGTH;
  if (block.length === 0 || block.length > maxLength) {
    throw new SeedcastError('WIRE_PROTOCOL', `${what} of ${block.length} bytes (1..${maxLength} allowed)`);
  }
  if (!geometry) return;
  checkIndex(geometry, block.index, what);
  const size = pieceSize(geometry, block.index);
  if (block.begin + block.length > size) {
    throw new SeedcastError(
      'WIRE_PROTOCOL',
      `${what} ${block.index}:${block.begin}+${block.length} runs past the end of its ${size}-byte piece`,
    );
  }
}

function checkIndex(geometry: PieceGeometry | undefined, index: number, what: string): void {
  if (geometry && index >= geometry.pieceCount) {
    throw new SeedcastError('WIRE_PROTOCOL', `${what} for piece ${index} of ${geometry.pieceCount}`);
  }
}

/** Checks each message a peer sends against what was negotiated and what it sent before. */
export class ProtocolRules {
  private geometry: PieceGeometry | undefined;
  private readonly maxRequestLength: number;

  constructor(
    private readonly extensions: Extensions,
    options: { geometry?: PieceGeometry; maxRequestLength?: number } = {},
  ) {
    this.geometry = options.geometry;
    this.maxRequestLength = options.maxRequestLength ?? BLOCK_LENGTH;
  }

  /** Set the geometry once known (a magnet download learns it with the metadata). */
  setGeometry(geometry: PieceGeometry): void {
    this.geometry = geometry;
  }

  /** Throw `WIRE_PROTOCOL` or `WIRE_MALFORMED` if the peer may not send `message` now. */
  check(message: Message): void {
    const type = message.type;
    if (FAST_MESSAGES.has(type) && !this.extensions.fast) {
      throw new SeedcastError('WIRE_PROTOCOL', `${type} without the Fast extension negotiated`);
    }
    const geometry = this.geometry;
    switch (message.type) {
      case 'bitfield':
        if (geometry) checkBitfield(message.bitfield, geometry.pieceCount);
        return;
      case 'have':
        checkIndex(geometry, message.index, 'have');
        return;
      case 'suggest':
      case 'allowedFast':
        checkIndex(geometry, message.index, type);
        return;
      case 'request':
      case 'cancel':
      case 'reject':
        checkBlock(geometry, message, { maxLength: this.maxRequestLength, what: type });
        return;
      case 'piece':
        checkBlock(
          geometry,
          { index: message.index, begin: message.begin, length: message.block.byteLength },
          { maxLength: Number.MAX_SAFE_INTEGER, what: 'piece' },
        );
        return;
      case 'extended':
        if (!this.extensions.extended) {
          throw new SeedcastError(
            'WIRE_PROTOCOL',
            'extended message without the extension protocol negotiated',
          );
        }
        return;
      default:
        return;
    }
  }
}
