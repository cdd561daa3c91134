/**
 * One remote peer over a WebRTC data channel (or any message channel): sends our handshake and
 * bitfield, decodes what it sends (`wire.ts`), keeps its state (choking us, interested in us, the
 * pieces it has) and reports events to the swarm. A protocol error, or a peer silent for two
 * minutes, closes the channel. No DOM types: the channel is a small interface, so it is tested in
 * Node.
 */

import {
  Bitfield,
  encodeHandshake,
  encodeMessage,
  WireDecoder,
  WireError,
  type WireMessage,
} from './wire.js';

/** What the peer needs of an `RTCDataChannel`. */
export interface MessageChannelLike {
  send(data: Uint8Array<ArrayBuffer>): void;
  close(): void;
  readonly bufferedAmount: number;
}

export interface PeerEvents {
  message(peer: Peer, message: WireMessage): void;
  close(peer: Peer, reason: string): void;
}

export class Peer {
  readonly has: Bitfield;
  choking = true;
  interested = false;
  amChoking = true;
  amInterested = false;
  remoteId = '';
  closed = false;
  bytesIn = 0;
  bytesOut = 0;
  lastHeard = Date.now();
  private readonly decoder: WireDecoder;

  constructor(
    readonly id: string,
    private readonly channel: MessageChannelLike,
    private readonly infoHash: Uint8Array,
    private readonly events: PeerEvents,
    pieceCount: number,
  ) {
    this.has = new Bitfield(pieceCount);
    this.decoder = new WireDecoder(infoHash, pieceCount);
  }

  /** Sends our handshake and, when we have any piece, our bitfield. */
  start(peerId: Uint8Array, ours: Bitfield): void {
    this.write(encodeHandshake(this.infoHash, peerId));
    if (ours.size > 0) this.send({ type: 'bitfield', bits: ours.bytes });
  }

  /** Bytes from the channel. */
  receive(data: Uint8Array): void {
    if (this.closed) return;
    this.lastHeard = Date.now();
    let messages: WireMessage[];
    try {
      messages = this.decoder.push(data);
    } catch (err) {
      this.close(err instanceof WireError ? err.message : 'bad data');
      return;
    }
    for (const m of messages) {
      if (this.closed) return;
      this.apply(m);
      this.events.message(this, m);
    }
  }

  private apply(m: WireMessage): void {
    switch (m.type) {
      case 'handshake':
        this.remoteId = Array.from(m.peerId, (b) => String.fromCharCode(b)).join('');
        break;
      case 'choke':
        this.choking = true;
        break;
      case 'unchoke':
        this.choking = false;
        break;
      case 'interested':
        this.interested = true;
        break;
      case 'not-interested':
        this.interested = false;
        break;
      case 'have':
        this.has.set(m.index);
        break;
      case 'bitfield':
        this.has.bytes.set(m.bits);
        break;
      case 'piece':
        this.bytesIn += m.block.length;
        break;
      default:
        break;
    }
  }

  send(m: Parameters<typeof encodeMessage>[0]): void {
    if (m.type === 'choke' || m.type === 'unchoke') this.amChoking = m.type === 'choke';
    if (m.type === 'interested' || m.type === 'not-interested') this.amInterested = m.type === 'interested';
    if (m.type === 'piece') this.bytesOut += m.block.length;
    this.write(encodeMessage(m));
  }

  hasPiece(index: number): boolean {
    return this.has.has(index);
  }

  get buffered(): number {
    return this.channel.bufferedAmount;
  }

  private write(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.closed) return;
    try {
      this.channel.send(bytes);
    } catch {
      this.close('send failed');
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.channel.close();
    } catch {
      // already closed
    }
    this.events.close(this, reason);
  }
}
