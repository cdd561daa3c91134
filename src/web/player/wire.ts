/**
 * The BitTorrent peer wire protocol (BEP 3) as the browser player speaks it over a WebRTC data
 * channel (the WebTorrent protocol): encoding of each message and a strict incremental decoder.
 * Plain bytes in, plain messages out: no DOM, so it is tested in Node.
 *
 * Handshake (68 bytes): `<19><"BitTorrent protocol"><8 reserved bytes, all zero here: no extensions>
 * <20-byte info hash><20-byte peer id>`. Then messages: `<4-byte big-endian length><1-byte id><payload>`,
 * length 0 being a keep-alive:
 *   0 choke, 1 unchoke, 2 interested, 3 not interested (no payload)
 *   4 have        `<4-byte piece index>`
 *   5 bitfield    `<ceil(pieces / 8) bytes, high bit first; spare bits zero>`
 *   6 request     `<4-byte index><4-byte begin><4-byte length>`
 *   7 piece       `<4-byte index><4-byte begin><block>`
 *   8 cancel      `<4-byte index><4-byte begin><4-byte length>`
 * Other ids (BEP 6, 10 messages a peer sends although we set no reserved bit) are skipped up to
 * the size limit. A frame longer than the limit, a wrong protocol string, another info hash, a
 * bitfield of the wrong size or with spare bits set, an index out of range, or a block longer than
 * `MAX_BLOCK` is a protocol error: the decoder throws `WireError` and the caller drops the peer.
 */

export const PROTOCOL = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 68;
/** The largest block we request or serve (16 KiB, what every client uses). */
export const BLOCK = 16 * 1024;
/** The largest block we accept in a `piece` message or serve for a `request`. */
export const MAX_BLOCK = 32 * 1024;

export type WireMessage =
  | { type: 'handshake'; infoHash: Uint8Array; peerId: Uint8Array; reserved: Uint8Array }
  | { type: 'keep-alive' }
  | { type: 'choke' | 'unchoke' | 'interested' | 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bits: Uint8Array }
  | { type: 'request' | 'cancel'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | { type: 'unknown'; id: number };

export class WireError extends Error {}

const SIMPLE = ['choke', 'unchoke', 'interested', 'not-interested'] as const;

export function encodeHandshake(infoHash: Uint8Array, peerId: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out[0] = PROTOCOL.length;
  for (let i = 0; i < PROTOCOL.length; i++) out[1 + i] = PROTOCOL.charCodeAt(i);
  out.set(infoHash.subarray(0, 20), 28);
  out.set(peerId.subarray(0, 20), 48);
  return out;
}

function frame(id: number, payloadLength: number): { out: Uint8Array<ArrayBuffer>; view: DataView } {
  const out = new Uint8Array(5 + payloadLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, 1 + payloadLength);
  out[4] = id;
  return { out, view };
}

export function encodeMessage(
  message: Exclude<WireMessage, { type: 'handshake' | 'unknown' }>,
): Uint8Array<ArrayBuffer> {
  switch (message.type) {
    case 'keep-alive':
      return new Uint8Array(4);
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'not-interested':
      return frame(SIMPLE.indexOf(message.type), 0).out;
    case 'have': {
      const { out, view } = frame(4, 4);
      view.setUint32(5, message.index);
      return out;
    }
    case 'bitfield': {
      const { out } = frame(5, message.bits.length);
      out.set(message.bits, 5);
      return out;
    }
    case 'request':
    case 'cancel': {
      const { out, view } = frame(message.type === 'request' ? 6 : 8, 12);
      view.setUint32(5, message.index);
      view.setUint32(9, message.begin);
      view.setUint32(13, message.length);
      return out;
    }
    case 'piece': {
      const { out, view } = frame(7, 8 + message.block.length);
      view.setUint32(5, message.index);
      view.setUint32(9, message.begin);
      out.set(message.block, 13);
      return out;
    }
  }
}

/**
 * Decodes what one peer sends, chunk by chunk (a data channel delivers messages of any size).
 * `push` returns the complete messages so far; it throws `WireError` on a protocol violation.
 */
export class WireDecoder {
  private buffer = new Uint8Array(0);
  private handshaken = false;
  private readonly bitfieldBytes: number;
  private readonly maxFrame: number;

  constructor(
    private readonly infoHash: Uint8Array,
    private readonly pieceCount: number,
  ) {
    this.bitfieldBytes = Math.ceil(pieceCount / 8);
    this.maxFrame = Math.max(9 + MAX_BLOCK, 1 + this.bitfieldBytes);
  }

  push(chunk: Uint8Array): WireMessage[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const messages: WireMessage[] = [];
    let at = 0;
    for (;;) {
      if (!this.handshaken) {
        if (joined.length - at < HANDSHAKE_LENGTH) {
          this.checkProtocol(joined.subarray(at));
          break;
        }
        messages.push(this.handshake(joined.subarray(at, at + HANDSHAKE_LENGTH)));
        at += HANDSHAKE_LENGTH;
        this.handshaken = true;
        continue;
      }
      if (joined.length - at < 4) break;
      const view = new DataView(joined.buffer, joined.byteOffset + at);
      const length = view.getUint32(0);
      if (length > this.maxFrame) throw new WireError(`frame of ${length} bytes is over the limit`);
      if (joined.length - at < 4 + length) break;
      messages.push(this.message(joined.subarray(at + 4, at + 4 + length)));
      at += 4 + length;
    }
    this.buffer = joined.slice(at);
    return messages;
  }

  private checkProtocol(start: Uint8Array): void {
    if (start.length > 0 && start[0] !== PROTOCOL.length) throw new WireError('not a BitTorrent handshake');
    for (let i = 1; i < Math.min(start.length, 20); i++) {
      if (start[i] !== PROTOCOL.charCodeAt(i - 1)) throw new WireError('not a BitTorrent handshake');
    }
  }

  private handshake(bytes: Uint8Array): WireMessage {
    this.checkProtocol(bytes);
    const infoHash = bytes.slice(28, 48);
    for (let i = 0; i < 20; i++) {
      if (infoHash[i] !== this.infoHash[i]) throw new WireError('handshake for another torrent');
    }
    return { type: 'handshake', reserved: bytes.slice(20, 28), infoHash, peerId: bytes.slice(48, 68) };
  }

  private index(view: DataView, at: number): number {
    const index = view.getUint32(at);
    if (index >= this.pieceCount) throw new WireError(`piece index ${index} out of range`);
    return index;
  }

  private message(body: Uint8Array): WireMessage {
    if (body.length === 0) return { type: 'keep-alive' };
    const id = body[0]!;
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const expect = (n: number) => {
      if (body.length !== n) throw new WireError(`message ${id} of ${body.length} bytes, expected ${n}`);
    };
    switch (id) {
      case 0:
      case 1:
      case 2:
      case 3:
        expect(1);
        return { type: SIMPLE[id]! };
      case 4:
        expect(5);
        return { type: 'have', index: this.index(view, 1) };
      case 5: {
        expect(1 + this.bitfieldBytes);
        const bits = body.slice(1);
        const spare = this.bitfieldBytes * 8 - this.pieceCount;
        if (spare > 0 && (bits[bits.length - 1]! & ((1 << spare) - 1)) !== 0)
          throw new WireError('bitfield has spare bits set');
        return { type: 'bitfield', bits };
      }
      case 6:
      case 8: {
        expect(13);
        const length = view.getUint32(9);
        if (length === 0 || length > MAX_BLOCK) throw new WireError(`request of ${length} bytes`);
        return {
          type: id === 6 ? 'request' : 'cancel',
          index: this.index(view, 1),
          begin: view.getUint32(5),
          length,
        };
      }
      case 7: {
        if (body.length < 9) throw new WireError('piece message too short');
        if (body.length - 9 > MAX_BLOCK) throw new WireError('block over the limit');
        return { type: 'piece', index: this.index(view, 1), begin: view.getUint32(5), block: body.slice(9) };
      }
      default:
        return { type: 'unknown', id };
    }
  }
}

/** A bitfield of `count` pieces: test, set, count, and the wire form. */
export class Bitfield {
  readonly bytes: Uint8Array;

  constructor(
    readonly count: number,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ? bytes.slice() : new Uint8Array(Math.ceil(count / 8));
  }

  has(index: number): boolean {
    return index >= 0 && index < this.count && (this.bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number): void {
    if (index >= 0 && index < this.count) this.bytes[index >> 3]! |= 0x80 >> (index & 7);
  }

  get size(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.has(i)) n++;
    return n;
  }
}
