/**
 * Peer wire messages (BEP 3), the Fast extension's (BEP 6) and the extended message (BEP 10): their
 * ids, one plain type for all of them, and the encoder.
 *
 * Every message is `<length: uint32 BE><id: 1 byte><payload>`, where length counts id + payload;
 * integers are big-endian uint32 unless noted. Byte by byte:
 *   keep-alive      00 00 00 00                                 (no id)
 *   choke           00 00 00 01  00
 *   unchoke         00 00 00 01  01
 *   interested      00 00 00 01  02
 *   not interested  00 00 00 01  03
 *   have            00 00 00 05  04  <index>
 *   bitfield        <1 + n>      05  <n bytes, piece 0 = high bit of byte 0, spare bits zero>
 *   request         00 00 00 0d  06  <index> <begin> <length>
 *   piece           <9 + n>      07  <index> <begin> <n bytes of block>
 *   cancel          00 00 00 0d  08  <index> <begin> <length>
 *   port            00 00 00 03  09  <DHT port: uint16 BE>                 (BEP 5)
 *   suggest piece   00 00 00 05  0d  <index>                               (BEP 6)
 *   have all        00 00 00 01  0e                                        (BEP 6)
 *   have none       00 00 00 01  0f                                        (BEP 6)
 *   reject request  00 00 00 0d  10  <index> <begin> <length>              (BEP 6)
 *   allowed fast    00 00 00 05  11  <index>                               (BEP 6)
 *   extended        <2 + n>      14  <extended id: 1 byte> <n bytes>       (BEP 10)
 *   hash request    00 00 00 31  15  <pieces root: 32> <base> <index> <length> <proof layers>  (BEP 52)
 *   hashes          <49 + 32n>   16  <the same 48 bytes> <n hashes of 32 bytes>            (BEP 52)
 *   hash reject     00 00 00 31  17  <the same 48 bytes as the request>                    (BEP 52)
 * (the BEP 52 layouts are detailed in `hash-messages.ts`)
 *
 * Each encoder writes one buffer of the exact size. A piece can instead be sent as its 13-byte
 * header (`encodePieceHeader`) followed by the block itself, so the block is never copied.
 */

import { SeedcastError } from '../errors.js';
import { encodeHashHeader, HASH_HEADER_LENGTH, type HashRequest } from './hash-messages.js';

export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
  extended: 20,
  hashRequest: 21,
  hashes: 22,
  hashReject: 23,
} as const;

/** The largest block a peer may request or send (BEP 3 "All current implementations use 2^14"). */
export const BLOCK_LENGTH = 16 * 1024;

export interface BlockRef {
  index: number;
  begin: number;
  length: number;
}

export type Message =
  | { type: 'keepAlive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'notInterested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bitfield: Uint8Array }
  | ({ type: 'request' } & BlockRef)
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | ({ type: 'cancel' } & BlockRef)
  | { type: 'port'; port: number }
  | { type: 'suggest'; index: number }
  | { type: 'haveAll' }
  | { type: 'haveNone' }
  | ({ type: 'reject' } & BlockRef)
  | { type: 'allowedFast'; index: number }
  | { type: 'extended'; id: number; payload: Uint8Array }
  | ({ type: 'hashRequest' } & HashRequest)
  /** `hashes`: the run (`length` hashes) then the uncle hashes, bottom-up, 32 bytes each. */
  | ({ type: 'hashes' } & HashRequest & { hashes: Uint8Array; uncles: Uint8Array })
  | ({ type: 'hashReject' } & HashRequest)
  /** A message id this implementation does not know: ignored, as BEP 3 asks. */
  | { type: 'unknown'; id: number; payload: Uint8Array };

export type MessageType = Message['type'];

/** Messages from the Fast extension: only allowed once both sides set its reserved bit. */
export const FAST_MESSAGES: ReadonlySet<MessageType> = new Set([
  'suggest',
  'haveAll',
  'haveNone',
  'reject',
  'allowedFast',
]);

/** Encode one message into a buffer of exact size. */
export function encodeMessage(message: Message): Buffer {
  switch (message.type) {
    case 'keepAlive':
      return Buffer.alloc(4);
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'notInterested':
    case 'haveAll':
    case 'haveNone':
      return header(MessageId[message.type], 0);
    case 'have':
    case 'suggest':
    case 'allowedFast': {
      const out = header(MessageId[message.type], 4);
      out.writeUInt32BE(u32(message.index, 'index'), 5);
      return out;
    }
    case 'request':
    case 'cancel':
    case 'reject': {
      const out = header(MessageId[message.type], 12);
      out.writeUInt32BE(u32(message.index, 'index'), 5);
      out.writeUInt32BE(u32(message.begin, 'begin'), 9);
      out.writeUInt32BE(u32(message.length, 'length'), 13);
      return out;
    }
    case 'bitfield': {
      const out = header(MessageId.bitfield, message.bitfield.byteLength);
      out.set(message.bitfield, 5);
      return out;
    }
    case 'piece': {
      const out = pieceHeader(message.index, message.begin, message.block.byteLength, true);
      out.set(message.block, 13);
      return out;
    }
    case 'port': {
      if (!Number.isInteger(message.port) || message.port < 0 || message.port > 0xffff) {
        throw new SeedcastError('WIRE_MALFORMED', `port ${message.port} out of range`);
      }
      const out = header(MessageId.port, 2);
      out.writeUInt16BE(message.port, 5);
      return out;
    }
    case 'extended':
      return encodeExtended(message.id, message.payload);
    case 'hashRequest':
    case 'hashReject': {
      const out = header(MessageId[message.type], HASH_HEADER_LENGTH);
      encodeHashHeader(out, 5, message);
      return out;
    }
    case 'hashes': {
      const body = message.hashes.byteLength + message.uncles.byteLength;
      const out = header(MessageId.hashes, HASH_HEADER_LENGTH + body);
      encodeHashHeader(out, 5, message);
      out.set(message.hashes, 5 + HASH_HEADER_LENGTH);
      out.set(message.uncles, 5 + HASH_HEADER_LENGTH + message.hashes.byteLength);
      return out;
    }
    case 'unknown': {
      const out = header(u8(message.id, 'message id'), message.payload.byteLength);
      out.set(message.payload, 5);
      return out;
    }
  }
}

/** The 13 bytes in front of a block: `<9 + blockLength><07><index><begin>`; send the block after it. */
export function encodePieceHeader(index: number, begin: number, blockLength: number): Buffer {
  return pieceHeader(index, begin, blockLength, false);
}

function pieceHeader(index: number, begin: number, blockLength: number, withRoom: boolean): Buffer {
  const out = header(MessageId.piece, 8 + (withRoom ? blockLength : 0), 8 + blockLength);
  out.writeUInt32BE(u32(index, 'index'), 5);
  out.writeUInt32BE(u32(begin, 'begin'), 9);
  return out;
}

/** An extended message (BEP 10): `<2 + n><14><extended id><payload>`. */
export function encodeExtended(id: number, payload: Uint8Array): Buffer {
  const out = header(MessageId.extended, 1 + payload.byteLength);
  out[5] = u8(id, 'extended message id');
  out.set(payload, 6);
  return out;
}

/** A buffer with `<length><id>` written and `bodyLength` more bytes; `declared` overrides the length. */
function header(id: number, bodyLength: number, declared = bodyLength): Buffer {
  const out = Buffer.allocUnsafe(5 + bodyLength);
  out.writeUInt32BE(1 + declared, 0);
  out[4] = id;
  return out;
}

function u32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new SeedcastError('WIRE_MALFORMED', `${what} ${n} is not a 32-bit unsigned integer`);
  }
  return n;
}

function u8(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) {
    throw new SeedcastError('WIRE_MALFORMED', `${what} ${n} is not a byte`);
  }
  return n;
}
