/**
 * One peer connection over a byte stream (a `net.Socket`): the handshake (BEP 3), framing, the
 * protocol rules, the extension protocol with ut_metadata and ut_pex (BEP 9, 10, 11), keep-alives
 * and timeouts. The engine builds its peers on it.
 *
 * Life of a connection:
 *   - outgoing (`infoHash` given): `start()` writes our handshake, then waits for the peer's (same info hash);
 *   - incoming: waits for the peer's handshake head, asks `acceptInfoHash`, then answers for that hash;
 *   - once both are exchanged it emits `handshake` (with the extensions both sides support), then one
 *     `message` per message. Extended messages arrive decoded: `extendedHandshake`, `metadata`
 *     (ut_metadata) and `pex` (ut_pex), under the ids we announce in `LOCAL_EXTENSIONS`.
 *   - it emits `close` exactly once, with the reason: a `SeedcastError` (`WIRE_*`) when the peer broke
 *     the protocol or timed out, the socket's error, or nothing for an orderly close. A bad peer is
 *     destroyed here; the engine only has to forget it (and may count the code against it).
 * Received payloads (blocks, bitfields) are views of the received chunks: copy what you keep; with
 * `sharedRead` a block is valid only while its `message` listener runs. Writes leave once per turn
 * (`turn-cork.ts`); on `false` wait for `drain` before sending more blocks. `pause()`/`resume()` stop
 * and restart reading, for the engine's disk backpressure.
 */

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { SeedcastError } from '../errors.js';
import { ChunkQueue } from './chunks.js';
import { type ExtendedHandshake, encodeExtendedHandshake } from './extended.js';
import { type FrameLimits, MessageFramer } from './framer.js';
import {
  type Extensions,
  encodeHandshake,
  type Handshake,
  type HandshakeHead,
  negotiate,
  readHandshakeHead,
  readPeerId,
} from './handshake.js';
import { encodeExtended, encodeMessage, encodePieceHeader, FAST_MESSAGES, type Message } from './messages.js';
import { encodeMetadataMessage, type MetadataMessage } from './metadata.js';
import { decodeExtended, LOCAL_EXTENSIONS, type PeerMessage } from './peer-message.js';
import { encodePex } from './pex.js';
import { type PieceGeometry, ProtocolRules } from './rules.js';
import type { SharedRead } from './shared-read.js';
import { corkForTurn, flushTurn } from './turn-cork.js';

const DEFAULT_EXTENSIONS: Partial<Extensions> = { extended: true, fast: true };

export interface RemoteHandshake extends Handshake {
  /** The extensions both sides announced: only these are used. */
  negotiated: Extensions;
}

export interface PeerConnectionOptions extends FrameLimits {
  /** Our 20-byte peer id. */
  peerId: Uint8Array;
  /** The torrent we connect for (outgoing connections). */
  infoHash?: Uint8Array;
  /** For incoming connections: whether we serve the info hash the peer asks for. */
  acceptInfoHash?: (infoHash: Buffer) => boolean;
  /** The extensions we announce (default: extension protocol and Fast). */
  extensions?: Partial<Extensions>;
  /** The torrent's geometry, for range checks (set later with `setGeometry` for a magnet link). */
  geometry?: PieceGeometry;
  /** Largest `metadata_size` accepted (default 32 MiB). */
  maxMetadataSize?: number;
  /** Send a keep-alive after at most this long without sending anything (ms, default 60 s; 0: never). */
  keepAliveInterval?: number;
  /** Drop the peer after this long without receiving anything (ms, default 150 s; 0: never). */
  idleTimeout?: number;
  /** Drop the peer if the handshake is not complete after this long (ms, default 20 s; 0: never). */
  handshakeTimeout?: number;
  /** The socket's `onread` (`sharedRead()`): a block is valid only while its listener runs. */
  sharedRead?: SharedRead;
}

export interface PeerConnectionEvents {
  handshake: [handshake: RemoteHandshake];
  message: [message: PeerMessage];
  drain: [];
  close: [error: Error | undefined];
}

export interface ConnectionStats {
  /** Bytes received / sent on the socket, everything included. */
  bytesRead: number;
  bytesWritten: number;
  /** Block payload bytes received / sent in piece messages. */
  downloaded: number;
  uploaded: number;
}

type Step = { kind: 'handshake'; handshake: RemoteHandshake } | { kind: 'message'; message: PeerMessage };

export class PeerConnection extends EventEmitter<PeerConnectionEvents> {
  /** The peer's handshake, once received. */
  remote: RemoteHandshake | undefined;
  /** The peer's latest extended handshake (BEP 10), and the extension ids it receives under. */
  remoteExtended: ExtendedHandshake | undefined;
  readonly remoteExtensionIds = new Map<string, number>();
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  readonly stats: ConnectionStats = { bytesRead: 0, bytesWritten: 0, downloaded: 0, uploaded: 0 };

  private stage: 'new' | 'head' | 'peerId' | 'open' | 'closed' = 'new';
  private infoHash: Buffer | undefined;
  private head: HandshakeHead | undefined;
  private readonly queue = new ChunkQueue();
  private readonly framer: MessageFramer;
  private rules: ProtocolRules | undefined;
  private geometry: PieceGeometry | undefined;
  private paused = false;
  private processing = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Checks every half interval whether anything was sent since the last check (no timer work per write). */
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private writtenAtCheck = 0;

  constructor(
    readonly socket: Duplex,
    private readonly options: PeerConnectionOptions,
  ) {
    super();
    if (options.peerId.byteLength !== 20)
      throw new SeedcastError('WIRE_HANDSHAKE', 'our peer id must be 20 bytes');
    if (!options.infoHash && !options.acceptInfoHash) {
      throw new SeedcastError('WIRE_HANDSHAKE', 'give infoHash (outgoing) or acceptInfoHash (incoming)');
    }
    this.infoHash = options.infoHash ? Buffer.from(options.infoHash) : undefined;
    this.geometry = options.geometry;
    this.framer = new MessageFramer(this.queue, options);
    if (options.sharedRead) options.sharedRead.deliver = (chunk) => this.onData(chunk, true);
  }

  get closed(): boolean {
    return this.stage === 'closed';
  }

  get open(): boolean {
    return this.stage === 'open';
  }

  /** True while the socket's write buffer is over its high-water mark. */
  get writableNeedDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Start: listen to the socket, and for an outgoing connection send our handshake. */
  start(): void {
    if (this.stage !== 'new') return;
    this.stage = 'head';
    const socket = this.socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', (err) => this.destroy(err));
    socket.on('end', () => this.destroy());
    socket.on('close', () => this.destroy());
    this.idleTimer = this.timer(this.options.handshakeTimeout ?? 20_000, () =>
      this.destroy(new SeedcastError('WIRE_TIMEOUT', 'no handshake')),
    );
    if (this.infoHash) this.sendHandshake();
  }

  /** Close the connection; `error` is the reason given to `close` listeners. */
  destroy(error?: Error): void {
    if (this.stage === 'closed') return;
    this.stage = 'closed';
    clearTimeout(this.idleTimer);
    clearInterval(this.keepAliveTimer);
    this.queue.drain();
    flushTurn(this.socket); // what was written before closing still goes out
    this.socket.destroy();
    this.emit('close', error);
  }

  /** Stop reading from the socket (messages already received are held until `resume`). */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
    this.process();
  }

  /** Set the torrent geometry once known, so later messages are range-checked. */
  setGeometry(geometry: PieceGeometry): void {
    this.geometry = geometry;
    this.rules?.setGeometry(geometry);
  }

  /** Whether the peer receives extension `name` (from its extended handshake). */
  supportsExtension(name: string): boolean {
    return this.remoteExtensionIds.has(name);
  }

  /** Send one message; returns false when the caller should wait for `drain` (or when closed). */
  send(message: Message): boolean {
    if (!this.checkSendable(message.type)) return false;
    switch (message.type) {
      case 'choke':
      case 'unchoke':
        this.amChoking = message.type === 'choke';
        break;
      case 'interested':
      case 'notInterested':
        this.amInterested = message.type === 'interested';
        break;
      case 'piece':
        this.stats.uploaded += message.block.byteLength;
        break;
    }
    return this.write(encodeMessage(message));
  }

  /** Send a block as its 13-byte header and the block itself, without copying the block; `done`:
   * called once the socket no longer needs `block` (written, failed, or never sent). */
  sendPiece(index: number, begin: number, block: Uint8Array, done?: () => void): boolean {
    if (!this.checkSendable('piece')) {
      done?.();
      return false;
    }
    this.stats.uploaded += block.byteLength;
    this.write(encodePieceHeader(index, begin, block.byteLength)); // one writev with it (turn-cork.ts)
    return this.write(block, done);
  }

  /** Send our extended handshake (BEP 10); `m` is always `LOCAL_EXTENSIONS`. */
  sendExtendedHandshake(fields: Omit<Partial<ExtendedHandshake>, 'm'> = {}): boolean {
    if (!this.remote?.negotiated.extended) {
      throw new SeedcastError('WIRE_PROTOCOL', 'the extension protocol was not negotiated');
    }
    return this.write(
      encodeExtended(0, encodeExtendedHandshake({ ...fields, m: new Map(LOCAL_EXTENSIONS) })),
    );
  }

  /** Send an extended message under the id the peer gave extension `name`. */
  sendExtended(name: string, payload: Uint8Array): boolean {
    const id = this.remoteExtensionIds.get(name);
    if (id === undefined) throw new SeedcastError('WIRE_PROTOCOL', `the peer does not support ${name}`);
    return this.write(encodeExtended(id, payload));
  }

  /** Send a ut_metadata message (BEP 9). */
  sendMetadata(message: Exclude<MetadataMessage, { kind: 'unknown' }>): boolean {
    return this.sendExtended('ut_metadata', encodeMetadataMessage(message));
  }

  /** Send a ut_pex message (BEP 11). */
  sendPex(pex: Parameters<typeof encodePex>[0]): boolean {
    return this.sendExtended('ut_pex', encodePex(pex));
  }

  /** False when closed (sending then is a no-op, so the engine need not race the peer's close). */
  private checkSendable(type: Message['type']): boolean {
    if (this.stage === 'closed') return false;
    if (this.stage !== 'open') {
      throw new SeedcastError('WIRE_PROTOCOL', `cannot send ${type} before the handshake`);
    }
    if (FAST_MESSAGES.has(type) && !this.remote!.negotiated.fast) {
      throw new SeedcastError('WIRE_PROTOCOL', `cannot send ${type}: the Fast extension was not negotiated`);
    }
    return true;
  }

  private write(bytes: Uint8Array, done?: () => void): boolean {
    if (this.stage === 'closed') return false; // (sendPiece checked the stage before)
    this.stats.bytesWritten += bytes.byteLength;
    corkForTurn(this.socket);
    return this.socket.write(bytes, done);
  }

  private sendHandshake(): void {
    const extensions = this.options.extensions ?? DEFAULT_EXTENSIONS;
    this.write(encodeHandshake(this.infoHash!, this.options.peerId, { extensions }));
  }

  private timer(ms: number, fire: () => void): NodeJS.Timeout | undefined {
    if (ms <= 0) return undefined;
    return setTimeout(fire, ms).unref();
  }

  private onData(chunk: Buffer, transient = false): void {
    if (this.stage === 'closed') return;
    this.stats.bytesRead += chunk.length;
    // The handshake timeout is a deadline; after it, any bytes show the peer is alive.
    if (this.stage === 'open') this.idleTimer?.refresh();
    this.queue.push(chunk, transient);
    this.process();
  }

  /** Handle everything queued; protocol errors destroy the connection, listener errors propagate. */
  private process(): void {
    if (this.processing) return; // resume() from a listener: the running loop carries on
    this.processing = true;
    try {
      while (!this.paused && this.stage !== 'closed') {
        let step: Step | null;
        try {
          step = this.step();
        } catch (err) {
          this.destroy(err as Error);
          return;
        }
        if (!step) return;
        if (step.kind === 'handshake') this.emit('handshake', step.handshake);
        else this.emit('message', step.message);
      }
    } finally {
      this.processing = false;
      this.queue.settle(); // a transient read buffer is reused once we return
    }
  }

  private step(): Step | null {
    if (this.stage === 'head') {
      const head = readHandshakeHead(this.queue);
      if (!head) return null;
      if (this.infoHash && !head.infoHash.equals(this.infoHash))
        throw new SeedcastError('WIRE_HANDSHAKE', 'wrong info hash');
      if (!this.infoHash) {
        if (!this.options.acceptInfoHash!(head.infoHash))
          throw new SeedcastError('WIRE_HANDSHAKE', `unknown info hash ${head.infoHash.toString('hex')}`);
        this.infoHash = head.infoHash;
        this.sendHandshake();
      }
      this.stage = 'peerId';
      this.head = head;
    }
    if (this.stage === 'peerId') {
      const peerId = readPeerId(this.queue);
      if (!peerId) return null;
      if (peerId.equals(this.options.peerId))
        throw new SeedcastError('WIRE_HANDSHAKE', 'connected to ourselves');
      const head = this.head!;
      const negotiated = negotiate(this.options.extensions ?? DEFAULT_EXTENSIONS, head.extensions);
      const remote: RemoteHandshake = { ...head, peerId, negotiated };
      this.remote = remote;
      this.rules = new ProtocolRules(negotiated, {
        geometry: this.geometry,
        maxRequestLength: this.options.maxBlockLength,
      });
      this.stage = 'open';
      clearTimeout(this.idleTimer);
      this.idleTimer = this.timer(this.options.idleTimeout ?? 150_000, () =>
        this.destroy(new SeedcastError('WIRE_TIMEOUT', 'nothing received')),
      );
      const keepAlive = this.options.keepAliveInterval ?? 60_000;
      if (keepAlive > 0) this.keepAliveTimer = setInterval(() => this.keepAlive(), keepAlive / 2).unref();
      return { kind: 'handshake', handshake: remote };
    }
    const message = this.framer.next();
    if (!message) return null;
    this.rules!.check(message);
    return { kind: 'message', message: this.receive(message) };
  }

  /** Every half interval: a keep-alive when nothing was sent since the last check. */
  private keepAlive(): void {
    if (this.stage !== 'open') return;
    if (this.stats.bytesWritten === this.writtenAtCheck) this.write(encodeMessage({ type: 'keepAlive' }));
    this.writtenAtCheck = this.stats.bytesWritten;
  }

  /** Update state for a received message, and decode the extended messages we announced. */
  private receive(message: Message): PeerMessage {
    switch (message.type) {
      case 'choke':
      case 'unchoke':
      case 'interested':
      case 'notInterested':
        if (message.type === 'choke' || message.type === 'unchoke')
          this.peerChoking = message.type === 'choke';
        else this.peerInterested = message.type === 'interested';
        return message;
      case 'piece':
        this.stats.downloaded += message.block.byteLength;
        return message;
      case 'extended':
        return this.receiveExtended(message.id, message.payload);
      default:
        return message;
    }
  }

  private receiveExtended(id: number, payload: Uint8Array): PeerMessage {
    const message = decodeExtended(id, payload, { maxMetadataSize: this.options.maxMetadataSize });
    if (message.type === 'extendedHandshake') {
      for (const [name, remoteId] of message.handshake.m) {
        if (remoteId === 0) this.remoteExtensionIds.delete(name);
        else this.remoteExtensionIds.set(name, remoteId);
      }
      this.remoteExtended = message.handshake;
    }
    return message;
  }
}
