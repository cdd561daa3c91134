/**
 * What a session knows about one connected peer: the connection (BEP 3 wire, from `src/wire`), the
 * pieces it has, the blocks we asked it for, the blocks it asked us for, and transfer rates.
 */

import type { PeerAddress, PeerConnection } from '../wire/index.js';
import { Bitfield } from './bitfield.js';
import type { BlockRequest } from './picker.js';
import { RequestPipeline } from './pipeline.js';

/** Bytes per second over a sliding window of one-second buckets. */
export class Rate {
  private readonly buckets: number[];
  private current = 0;
  total = 0;

  constructor(private readonly seconds = 5) {
    this.buckets = new Array(seconds).fill(0);
  }

  add(bytes: number): void {
    this.current += bytes;
    this.total += bytes;
  }

  /** Close the current second (call once a second). */
  tick(): void {
    this.buckets.shift();
    this.buckets.push(this.current);
    this.current = 0;
  }

  get perSecond(): number {
    return this.buckets.reduce((a, b) => a + b, 0) / this.seconds;
  }
}

/** How a peer is connected: a TCP socket, or a WebRTC data channel (the WebTorrent protocol). */
export type Transport = 'tcp' | 'webrtc';

const MAX_CANCELLED = 2048;
/** `have`s held per peer before the metadata is known (a super-seed reveals a few at a time). */
const MAX_PENDING_HAVES = 4096;
/** No torrent has more pieces than a 2 MiB bitfield holds (the wire layer's message limit). */
const MAX_PIECES = 16 * 1024 * 1024;

/**
 * The key of a block (`index`, `begin`) in a peer's request maps: a number, not an `index:begin`
 * string, so receiving a block builds and hashes no string. Exact: a block lies inside its piece
 * (at most 128 MiB, 2^27 bytes) and no torrent has 2^26 pieces (its metadata would be over 1 GiB).
 */
export function blockKey(index: number, begin: number): number {
  return index * 0x8000000 + begin;
}

export interface Outstanding {
  block: BlockRequest;
  sentAt: number;
}

export class Peer {
  /** The peer's pieces; undefined until it sent a bitfield / have all / have none or a have. */
  has: Bitfield | undefined;
  /**
   * What the peer announced before the piece count was known (a magnet link's metadata not yet
   * fetched), applied once it is (`session-peers.ts`), as libtorrent does: its last `bitfield`,
   * `have all` or `have none` (`announced`), and the `have`s since (a super-seed reveals pieces only
   * with `have`s; dropping them would leave us never interested). At most `MAX_PENDING_HAVES`.
   */
  pendingBitfield: Uint8Array | undefined;
  hasAll = false;
  announced = false;
  readonly pendingHaves = new Set<number>();
  /** Blocks we requested from the peer, by `blockKey(index, begin)`. */
  readonly outstanding = new Map<number, Outstanding>();
  /**
   * Requests we gave up on (cancelled, timed out, released on a choke), by `blockKey`: their
   * blocks may still arrive and are not held against the peer. Bounded (oldest forgotten first).
   */
  readonly cancelled = new Set<number>();
  /** Blocks the peer sent that we never asked for. */
  unrequested = 0;
  /** Blocks the peer requested from us, in order. */
  uploadQueue: BlockRequest[] = [];
  uploading = false;
  readonly down = new Rate();
  readonly up = new Rate();
  lastUnchokedAt: number | undefined;
  /** When we last sent the peer a block (ms). */
  lastServedAt: number | undefined;
  /** When the peer last announced a piece it did not have (`have`, ms). */
  lastHaveAt: number | undefined;
  /** Pieces this peer sent data for that then failed verification. */
  badPieces = 0;
  /** How many requests to keep in flight: the bandwidth-delay product (`pipeline.ts`). */
  readonly requests: RequestPipeline;
  /** When the peer last sent us a block (ms). */
  lastBlockAt = Date.now();
  readonly connectedAt = Date.now();

  constructor(
    readonly conn: PeerConnection,
    readonly address: PeerAddress,
    /** We opened the connection. */
    readonly outgoing = false,
    /** TCP, or a WebRTC data channel (its address is not one to dial or share by PEX). */
    readonly transport: Transport = 'tcp',
  ) {
    this.requests = RequestPipeline.forPeer(address.host, transport);
  }

  /** Requests to keep in flight now. */
  get pipeline(): number {
    return this.requests.size;
  }

  /** How many requests to send now (0 until a batch's worth is free; see `RequestPipeline.want`). */
  wantRequests(): number {
    return this.requests.want(this.outstanding.size, this.conn.remoteExtended?.reqq);
  }

  /** Peers we told this peer about with ut_pex (BEP 11), as `host:port`. */
  readonly pexSent = new Set<string>();

  /** Where the peer accepts connections: its address with the port from its extended handshake. */
  get listenAddress(): PeerAddress {
    const port = this.conn.remoteExtended?.p;
    return port ? { host: this.address.host, port } : this.address;
  }

  get key(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  /** Forget a request we will not wait for (its block may still come). */
  forgetRequest(key: number): void {
    if (!this.outstanding.delete(key)) return;
    this.cancelled.add(key);
    if (this.cancelled.size > MAX_CANCELLED) this.cancelled.delete(this.cancelled.values().next().value!);
  }

  /** Set up `has` once the piece count is known. */
  initPieces(pieceCount: number): void {
    if (this.has && this.has.length === pieceCount) return;
    this.has = this.hasAll ? Bitfield.full(pieceCount) : new Bitfield(pieceCount);
  }

  /** A `bitfield`, `have all` or `have none` before the metadata: replaces what was held. */
  holdAnnouncement(bitfield: Uint8Array | 'all' | 'none'): void {
    this.announced = true;
    this.hasAll = bitfield === 'all';
    this.pendingBitfield = typeof bitfield === 'string' ? undefined : Buffer.from(bitfield);
    this.pendingHaves.clear();
  }

  /** A `have` before the metadata (indexes past what any torrent may have are ignored). */
  holdHave(index: number): void {
    if (index < MAX_PIECES && this.pendingHaves.size < MAX_PENDING_HAVES) this.pendingHaves.add(index);
  }

  /**
   * What was held, for a torrent of `pieceCount` pieces (undefined: nothing was announced); haves
   * out of range are dropped. `wrongLength` when the held bitfield does not fit the torrent.
   */
  takeHeld(pieceCount: number): Bitfield | 'wrongLength' | undefined {
    const { pendingBitfield, hasAll, announced, pendingHaves } = this;
    this.pendingBitfield = undefined;
    this.announced = false;
    if (!announced && pendingHaves.size === 0) return undefined;
    if (pendingBitfield && pendingBitfield.byteLength !== Math.ceil(pieceCount / 8)) return 'wrongLength';
    const bits = hasAll ? Bitfield.full(pieceCount) : new Bitfield(pieceCount, pendingBitfield);
    for (const index of pendingHaves) bits.set(index); // out of range: ignored by `set`
    pendingHaves.clear();
    return bits;
  }

  get isSeed(): boolean {
    return this.has?.complete === true;
  }
}
