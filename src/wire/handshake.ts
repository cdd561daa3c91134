/**
 * The BitTorrent handshake (BEP 3) and its reserved bits (BEP 5, 6, 10).
 *
 * Wire format, 68 bytes:
 *   offset  0  1 byte   pstrlen = 19
 *   offset  1  19 bytes pstr = "BitTorrent protocol"
 *   offset 20  8 bytes  reserved; bits used here:
 *                         byte 5 & 0x10  extension protocol (BEP 10)
 *                         byte 7 & 0x04  Fast extension (BEP 6)
 *                         byte 7 & 0x01  DHT (BEP 5)
 *   offset 28  20 bytes info hash (SHA-1 of the info dict; for v2, SHA-256 truncated to 20 bytes)
 *   offset 48  20 bytes peer id
 *
 * It is read in two steps from a `ChunkQueue`, because bytes may arrive split anywhere: the *head*
 * (the first 48 bytes, up to the info hash) lets a listening peer pick the torrent before it answers,
 * then the peer id follows. Anything that is not a BitTorrent handshake is rejected as soon as the
 * first wrong byte arrives, so an HTTP request or random bytes cost nothing. Message stream encryption
 * (MSE/PE) is not spoken: clients that try it first (libtorrent, Transmission) retry in the clear.
 */

import { SeedcastError } from '../errors.js';
import type { ChunkQueue } from './chunks.js';

export const PROTOCOL = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 68;
export const HANDSHAKE_HEAD_LENGTH = 48;
const PSTR = Buffer.from(PROTOCOL, 'latin1');

/** The protocol extensions one side announces in its reserved bytes. */
export interface Extensions {
  /** BEP 10 extension protocol. */
  extended: boolean;
  /** BEP 6 Fast extension. */
  fast: boolean;
  /** BEP 5 DHT (the peer will also send a `port` message). */
  dht: boolean;
}

/** The first 48 bytes of a handshake. */
export interface HandshakeHead {
  reserved: Buffer;
  infoHash: Buffer;
  extensions: Extensions;
}

export interface Handshake extends HandshakeHead {
  peerId: Buffer;
}

/** Build the 8 reserved bytes for the extensions we support. */
export function reservedBytes(extensions: Partial<Extensions>): Buffer {
  const reserved = Buffer.alloc(8);
  if (extensions.extended) reserved[5]! |= 0x10;
  if (extensions.fast) reserved[7]! |= 0x04;
  if (extensions.dht) reserved[7]! |= 0x01;
  return reserved;
}

/** Which extensions 8 reserved bytes announce. */
export function parseReserved(reserved: Uint8Array): Extensions {
  return {
    extended: (reserved[5]! & 0x10) !== 0,
    fast: (reserved[7]! & 0x04) !== 0,
    dht: (reserved[7]! & 0x01) !== 0,
  };
}

/** The extensions both sides announced: only those may be used on the connection. */
export function negotiate(ours: Partial<Extensions>, theirs: Extensions): Extensions {
  return {
    extended: Boolean(ours.extended) && theirs.extended,
    fast: Boolean(ours.fast) && theirs.fast,
    dht: Boolean(ours.dht) && theirs.dht,
  };
}

/** Encode our 68-byte handshake. */
export function encodeHandshake(
  infoHash: Uint8Array,
  peerId: Uint8Array,
  options: { extensions?: Partial<Extensions> } = {},
): Buffer {
  checkId(infoHash, 'info hash');
  checkId(peerId, 'peer id');
  const out = Buffer.allocUnsafe(HANDSHAKE_LENGTH);
  out[0] = PSTR.length;
  PSTR.copy(out, 1);
  reservedBytes(options.extensions ?? {}).copy(out, 20);
  out.set(infoHash, 28);
  out.set(peerId, 48);
  return out;
}

/** Parse a complete 68-byte handshake. */
export function parseHandshake(bytes: Uint8Array): Handshake {
  if (bytes.byteLength !== HANDSHAKE_LENGTH) {
    throw new SeedcastError('WIRE_HANDSHAKE', `a handshake is 68 bytes, got ${bytes.byteLength}`);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkProtocol(buf, 20);
  return { ...headFrom(buf.subarray(20, 48)), peerId: Buffer.from(buf.subarray(48, 68)) };
}

/**
 * Read the handshake head from the queue once its 48 bytes are there; `null` while waiting. Throws
 * `WIRE_HANDSHAKE` as soon as the queued bytes cannot be the start of a BitTorrent handshake.
 */
export function readHandshakeHead(queue: ChunkQueue): HandshakeHead | null {
  const available = Math.min(queue.length, 20);
  if (available > 0) {
    const probe = Buffer.allocUnsafe(available);
    for (let i = 0; i < available; i++) probe[i] = queue.byteAt(i);
    checkProtocol(probe, available);
  }
  if (queue.length < HANDSHAKE_HEAD_LENGTH) return null;
  queue.skip(20);
  return headFrom(queue.take(28));
}

/** Read the 20-byte peer id that ends the handshake; `null` while waiting. */
export function readPeerId(queue: ChunkQueue): Buffer | null {
  if (queue.length < 20) return null;
  return Buffer.from(queue.take(20));
}

function headFrom(bytes: Buffer): HandshakeHead {
  const reserved = Buffer.from(bytes.subarray(0, 8));
  return { reserved, infoHash: Buffer.from(bytes.subarray(8, 28)), extensions: parseReserved(reserved) };
}

/** Check the first `count` bytes (at most 20) of `bytes` against pstrlen + pstr. */
function checkProtocol(bytes: Buffer, count: number): void {
  if (count > 0 && bytes[0] !== PSTR.length) {
    throw new SeedcastError(
      'WIRE_HANDSHAKE',
      `not a plaintext BitTorrent handshake: protocol name length ${bytes[0]}, expected 19 (encrypted, MSE?)`,
    );
  }
  for (let i = 1; i < count; i++) {
    if (bytes[i] !== PSTR[i - 1]) {
      throw new SeedcastError(
        'WIRE_HANDSHAKE',
        'not a plaintext BitTorrent handshake: protocol name is not "BitTorrent protocol" (encrypted, MSE?)',
      );
    }
  }
}

function checkId(id: Uint8Array, what: string): void {
  if (id.byteLength !== 20) {
    throw new SeedcastError('WIRE_HANDSHAKE', `${what} must be 20 bytes, got ${id.byteLength}`);
  }
}
