/**
 * Metadata exchange (BEP 9, extension name `ut_metadata`): fetch the info dictionary from peers,
 * which is how a magnet link becomes a torrent.
 *
 * The info dictionary is cut into 16 KiB pieces (the last may be shorter). Each message is an
 * extended message whose payload is a bencoded dictionary, and for `data` the piece's raw bytes
 * right after it:
 *   request  d8:msg_typei0e5:piecei<n>ee
 *   data     d8:msg_typei1e5:piecei<n>e10:total_sizei<size>ee<up to 16384 raw bytes>
 *   reject   d8:msg_typei2e5:piecei<n>ee
 * An unknown `msg_type` is returned as `unknown` (BEP 9 says to ignore it). `MetadataAssembler`
 * collects the pieces and accepts the result only if it hashes to the info hash: SHA-1 for a v1 info
 * hash (20 bytes), SHA-256 for a v2 one (32 bytes).
 */

import { createHash } from 'node:crypto';
import { decodePrefix, encode, isDict } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import { DEFAULT_MAX_METADATA_SIZE } from './extended.js';

export const METADATA_PIECE_LENGTH = 16 * 1024;

export type MetadataMessage =
  | { kind: 'request'; piece: number }
  | { kind: 'data'; piece: number; totalSize: number; data: Uint8Array }
  | { kind: 'reject'; piece: number }
  | { kind: 'unknown'; msgType: number; piece: number };

const KIND_TO_TYPE = { request: 0, data: 1, reject: 2 } as const;

/** How many 16 KiB pieces `size` bytes of metadata make. */
export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_LENGTH);
}

/** The bytes of metadata piece `piece` (a view), for answering a request. */
export function metadataPiece(metadata: Uint8Array, piece: number): Uint8Array {
  const start = piece * METADATA_PIECE_LENGTH;
  if (!Number.isInteger(piece) || piece < 0 || start >= metadata.byteLength) {
    throw new SeedcastError('WIRE_PROTOCOL', `metadata piece ${piece} does not exist`);
  }
  return metadata.subarray(start, Math.min(start + METADATA_PIECE_LENGTH, metadata.byteLength));
}

/** Encode a ut_metadata payload (dictionary, plus the raw bytes for `data`) into one buffer. */
export function encodeMetadataMessage(message: Exclude<MetadataMessage, { kind: 'unknown' }>): Buffer {
  if (message.kind !== 'data') return encode({ msg_type: KIND_TO_TYPE[message.kind], piece: message.piece });
  const dict = encode({ msg_type: 1, piece: message.piece, total_size: message.totalSize });
  const out = Buffer.allocUnsafe(dict.length + message.data.byteLength);
  dict.copy(out, 0);
  out.set(message.data, dict.length);
  return out;
}

/** Parse a ut_metadata payload; `data` is a view of the payload. */
export function parseMetadataMessage(
  payload: Uint8Array,
  options: { maxMetadataSize?: number } = {},
): MetadataMessage {
  let head: ReturnType<typeof decodePrefix>;
  try {
    head = decodePrefix(payload, { maxDepth: 4, lenient: true }); // as libtorrent: any key order
  } catch (err) {
    throw new SeedcastError('WIRE_MALFORMED', 'ut_metadata message is not valid bencode', { cause: err });
  }
  const dict = head.value;
  if (!isDict(dict)) throw new SeedcastError('WIRE_MALFORMED', 'ut_metadata message is not a dictionary');
  const msgType = dict.get('msg_type');
  const piece = dict.get('piece');
  if (typeof msgType !== 'number' || typeof piece !== 'number' || piece < 0) {
    throw new SeedcastError('WIRE_MALFORMED', 'ut_metadata message without a valid msg_type and piece');
  }
  const rest = payload.subarray(head.end);
  if (msgType !== 1) {
    if (rest.byteLength > 0) throw new SeedcastError('WIRE_MALFORMED', 'bytes after a ut_metadata request');
    if (msgType === 0) return { kind: 'request', piece };
    if (msgType === 2) return { kind: 'reject', piece };
    return { kind: 'unknown', msgType, piece };
  }
  const totalSize = dict.get('total_size');
  const max = options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE;
  if (typeof totalSize !== 'number' || totalSize <= 0 || totalSize > max) {
    throw new SeedcastError('WIRE_MALFORMED', `ut_metadata total_size ${String(totalSize)} out of range`);
  }
  if (piece >= metadataPieceCount(totalSize)) {
    throw new SeedcastError('WIRE_MALFORMED', `ut_metadata piece ${piece} beyond total_size ${totalSize}`);
  }
  if (rest.byteLength > METADATA_PIECE_LENGTH) {
    throw new SeedcastError('WIRE_MALFORMED', `ut_metadata piece of ${rest.byteLength} bytes`);
  }
  return { kind: 'data', piece, totalSize, data: rest };
}

/** True when `metadata` hashes to `infoHash` (SHA-1 for 20 bytes, SHA-256 for 32). */
export function verifyMetadata(metadata: Uint8Array, infoHash: Uint8Array): boolean {
  const algorithm = infoHash.byteLength === 32 ? 'sha256' : infoHash.byteLength === 20 ? 'sha1' : undefined;
  if (!algorithm) return false;
  return createHash(algorithm).update(metadata).digest().equals(infoHash);
}

/** Collects ut_metadata pieces of one size and returns the info dictionary once it verifies. */
export class MetadataAssembler {
  readonly pieceCount: number;
  private readonly buffer: Buffer;
  private readonly have: boolean[];
  private received = 0;

  constructor(
    private readonly infoHash: Uint8Array,
    readonly size: number,
    options: { maxMetadataSize?: number } = {},
  ) {
    const max = options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE;
    if (!Number.isInteger(size) || size <= 0 || size > max) {
      throw new SeedcastError('WIRE_METADATA', `metadata size ${size} out of range (1..${max})`);
    }
    this.pieceCount = metadataPieceCount(size);
    this.buffer = Buffer.alloc(size);
    this.have = new Array<boolean>(this.pieceCount).fill(false);
  }

  get complete(): boolean {
    return this.received === this.pieceCount;
  }

  /** Pieces still missing, in order. */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.pieceCount; i++) if (!this.have[i]) out.push(i);
    return out;
  }

  /** Store one piece; a wrong size is `WIRE_METADATA`. Returns true once every piece is in. */
  add(piece: number, data: Uint8Array): boolean {
    if (!Number.isInteger(piece) || piece < 0 || piece >= this.pieceCount) {
      throw new SeedcastError('WIRE_METADATA', `metadata piece ${piece} of ${this.pieceCount}`);
    }
    const start = piece * METADATA_PIECE_LENGTH;
    const expected = Math.min(METADATA_PIECE_LENGTH, this.size - start);
    if (data.byteLength !== expected) {
      throw new SeedcastError(
        'WIRE_METADATA',
        `metadata piece ${piece} of ${data.byteLength} bytes, expected ${expected}`,
      );
    }
    this.buffer.set(data, start);
    if (!this.have[piece]) {
      this.have[piece] = true;
      this.received++;
    }
    return this.complete;
  }

  /**
   * The verified info dictionary. If it does not hash to the info hash, every piece is forgotten
   * (so it can be fetched again, from other peers) and `WIRE_METADATA` is thrown.
   */
  finish(): Buffer {
    if (!this.complete) throw new SeedcastError('WIRE_METADATA', `${this.missing().length} piece(s) missing`);
    if (!verifyMetadata(this.buffer, this.infoHash)) {
      this.have.fill(false);
      this.received = 0;
      throw new SeedcastError('WIRE_METADATA', 'metadata does not hash to the info hash');
    }
    return this.buffer;
  }
}
