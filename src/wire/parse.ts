/**
 * Decode one framed message (BEP 3, 6, 10, 52) into a `Message`, checking its exact length.
 *
 * A frame is the bytes after the 4-byte length prefix: `<id: 1 byte><payload>` (see `messages.ts`
 * for every layout). Fixed-size messages must have exactly their size, a piece at least its 8-byte
 * header and an extended message its 1-byte extended id; anything else is `WIRE_MALFORMED`. Unknown
 * ids become `{ type: 'unknown' }` so the caller can ignore them, as BEP 3 asks. Byte payloads
 * (bitfield, block, extended payload) are views into the frame, never copies.
 */

import { SeedcastError } from '../errors.js';
import { HASH_HEADER_LENGTH, parseHashes, parseHashHeader } from './hash-messages.js';
import { type Message, MessageId } from './messages.js';

/** Frame length (id + payload) of each fixed-size message, by id. */
export const FIXED_FRAME_LENGTH: ReadonlyMap<number, number> = new Map([
  [MessageId.choke, 1],
  [MessageId.unchoke, 1],
  [MessageId.interested, 1],
  [MessageId.notInterested, 1],
  [MessageId.have, 5],
  [MessageId.request, 13],
  [MessageId.cancel, 13],
  [MessageId.port, 3],
  [MessageId.suggest, 5],
  [MessageId.haveAll, 1],
  [MessageId.haveNone, 1],
  [MessageId.reject, 13],
  [MessageId.allowedFast, 5],
  [MessageId.hashRequest, 1 + HASH_HEADER_LENGTH],
  [MessageId.hashReject, 1 + HASH_HEADER_LENGTH],
]);

const NAMES = new Map<number, string>(Object.entries(MessageId).map(([name, id]) => [id, name]));

/** Check a frame's declared length against its id: exact for fixed-size messages, minimum otherwise. */
export function checkFrameLength(id: number, length: number): void {
  const fixed = FIXED_FRAME_LENGTH.get(id);
  if (fixed !== undefined && length !== fixed) {
    throw new SeedcastError(
      'WIRE_MALFORMED',
      `${NAMES.get(id)} message of length ${length}, expected ${fixed}`,
    );
  }
  if (id === MessageId.piece && length < 9) {
    throw new SeedcastError('WIRE_MALFORMED', `piece message of length ${length}, at least 9 expected`);
  }
  if (
    id === MessageId.hashes &&
    (length < 1 + HASH_HEADER_LENGTH || (length - 1 - HASH_HEADER_LENGTH) % 32 !== 0)
  ) {
    throw new SeedcastError('WIRE_MALFORMED', `hashes message of length ${length}`);
  }
  if (id === MessageId.extended && length < 2) {
    throw new SeedcastError('WIRE_MALFORMED', 'extended message without an extended id');
  }
}

/** Decode a frame (`<id><payload>`, without the length prefix); an empty frame is a keep-alive. */
export function parseFrame(frame: Uint8Array): Message {
  if (frame.byteLength === 0) return { type: 'keepAlive' };
  const buf = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const id = buf[0]!;
  checkFrameLength(id, buf.length);
  switch (id) {
    case MessageId.choke:
      return { type: 'choke' };
    case MessageId.unchoke:
      return { type: 'unchoke' };
    case MessageId.interested:
      return { type: 'interested' };
    case MessageId.notInterested:
      return { type: 'notInterested' };
    case MessageId.haveAll:
      return { type: 'haveAll' };
    case MessageId.haveNone:
      return { type: 'haveNone' };
    case MessageId.have:
      return { type: 'have', index: buf.readUInt32BE(1) };
    case MessageId.suggest:
      return { type: 'suggest', index: buf.readUInt32BE(1) };
    case MessageId.allowedFast:
      return { type: 'allowedFast', index: buf.readUInt32BE(1) };
    case MessageId.request:
    case MessageId.cancel:
    case MessageId.reject:
      return {
        type: id === MessageId.request ? 'request' : id === MessageId.cancel ? 'cancel' : 'reject',
        index: buf.readUInt32BE(1),
        begin: buf.readUInt32BE(5),
        length: buf.readUInt32BE(9),
      };
    case MessageId.bitfield:
      return { type: 'bitfield', bitfield: buf.subarray(1) };
    case MessageId.piece:
      return {
        type: 'piece',
        index: buf.readUInt32BE(1),
        begin: buf.readUInt32BE(5),
        block: buf.subarray(9),
      };
    case MessageId.port:
      return { type: 'port', port: buf.readUInt16BE(1) };
    case MessageId.extended:
      return { type: 'extended', id: buf[1]!, payload: buf.subarray(2) };
    case MessageId.hashRequest:
      return { type: 'hashRequest', ...parseHashHeader(buf.subarray(1)) };
    case MessageId.hashReject:
      return { type: 'hashReject', ...parseHashHeader(buf.subarray(1)) };
    case MessageId.hashes:
      return { type: 'hashes', ...parseHashes(buf.subarray(1)) };
    default:
      return { type: 'unknown', id, payload: buf.subarray(1) };
  }
}
