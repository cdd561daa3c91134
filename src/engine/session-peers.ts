/**
 * The peers of a session, message by message (BEP 3 with BEP 6 Fast and BEP 10 extensions): taking
 * over a connection once its handshake is done (one connection per peer, our extended handshake and
 * what we have), dispatching each message to the part of the session that handles it, and keeping
 * each peer's state: the pieces it has (`bitfield`, `have`, `have all`/`have none`, held until the
 * metadata is known); our interest and requests are the download part's (`session-download.ts`). A
 * peer that closes gives back its requests and availability and may be retried later
 * (`session-swarm.ts`). The hub is given the peer map it keeps and the parts it routes to
 * (`PeerHandlerDeps`), never the session.
 */

import { type PeerAddress, type PeerConnection, type PeerMessage, pieceGeometry } from '../wire/index.js';
import { Bitfield } from './bitfield.js';
import { describeError } from './fault.js';
import type { HashAnswers } from './hash-answers.js';
import type { LayerFetch } from './layer-fetch.js';
import { Peer, type Transport } from './peer.js';
import type { PiecePicker } from './picker.js';
import type { Downloader } from './session-download.js';
import type { MetadataFetcher } from './session-metadata.js';
import type { SessionSuperSeed } from './session-super-seed.js';
import type { SwarmFinder } from './session-swarm.js';
import type { Uploader } from './session-upload.js';
import type { TorrentView } from './session-view.js';

/** What the peers hub is given: the peer registry it keeps, and the parts it routes messages to. */
export interface PeerHandlerDeps {
  readonly options: { readonly peerId: Buffer; readonly port: number; readonly maxPeers?: number };
  /** The connected peers (the session's map): this hub adds and removes them. */
  readonly peers: Map<PeerConnection, Peer>;
  isBanned(host: string): boolean;
  picker(): PiecePicker | undefined;
  readonly download: Pick<
    Downloader,
    'receive' | 'updateInterest' | 'requestMore' | 'releaseAll' | 'rejected'
  >;
  readonly upload: Pick<Uploader, 'request' | 'cancel' | 'pump' | 'maybeUnchokeNow'>;
  readonly superSeed: Pick<SessionSuperSeed, 'active' | 'attach' | 'detach' | 'peerHas' | 'setPieces'>;
  readonly swarm: Pick<SwarmFinder, 'add' | 'connectMore' | 'retryLater' | 'sendDhtPort' | 'onDhtPort'>;
  readonly metadata: Pick<MetadataFetcher, 'onMessage'>;
  readonly hashes: Pick<HashAnswers, 'onRequest'>;
  readonly layers: Pick<LayerFetch, 'active' | 'pump' | 'peerClosed' | 'onHashes' | 'onReject'>;
}

export class PeerHandler {
  constructor(
    private readonly torrent: Pick<TorrentView, 'meta' | 'map' | 'have' | 'running' | 'complete' | 'log'>,
    private readonly deps: PeerHandlerDeps,
  ) {}

  /**
   * A connection whose handshake is complete joins the session (see `TorrentSession.attach`): one
   * connection per peer, then our extended handshake and what we have.
   */
  takeOver(
    conn: PeerConnection,
    address: PeerAddress,
    outgoing: boolean,
    transport: Transport = 'tcp',
  ): void {
    const max = this.deps.options.maxPeers ?? 60;
    if (this.deps.peers.size >= max && this.deps.superSeed.active) {
      // Seeds stay connected to a super-seed so their copies count; a newcomer takes a seed's place.
      const seed = [...this.deps.peers.values()].find((p) => p.isSeed);
      if (seed) {
        seed.conn.destroy();
        this.deps.peers.delete(seed.conn);
      }
    }
    if (!this.torrent.running || this.deps.isBanned(address.host) || this.deps.peers.size >= max) {
      conn.destroy();
      return;
    }
    for (const p of this.deps.peers.values()) {
      if (!p.conn.remote || !conn.remote || !p.conn.remote.peerId.equals(conn.remote.peerId)) continue;
      // Two connections to one peer (both sides dialled at once): both sides keep the one opened by
      // the peer with the lower peer id, so they agree on which to close.
      const weAreLower = Buffer.compare(this.deps.options.peerId, conn.remote.peerId) < 0;
      const keepNew = outgoing === weAreLower && p.outgoing !== weAreLower;
      if (!keepNew) {
        conn.destroy();
        return;
      }
      p.conn.destroy();
    }
    const peer = new Peer(conn, address, outgoing, transport);
    this.deps.peers.set(conn, peer);
    this.torrent.log(`peer ${peer.key} connected (${conn.remote?.peerId.subarray(0, 8).toString('latin1')})`);
    conn.on('message', (m) => {
      try {
        this.onMessage(peer, m);
      } catch (err) {
        // Whatever the message made us trip on, the peer that sent it goes; the session stays.
        this.torrent.log(`peer ${peer.key}: ${m.type}: ${describeError(err)}`);
        conn.destroy(err as Error);
      }
    });
    conn.on('drain', () => this.deps.upload.pump(peer));
    conn.on('close', (err) => this.onClose(peer, err));
    if (this.torrent.meta && this.torrent.map)
      conn.setGeometry(pieceGeometry(this.torrent.map.wireLength, this.torrent.meta.pieceLength));
    const negotiated = conn.remote!.negotiated;
    if (negotiated.extended) {
      conn.sendExtendedHandshake({
        v: 'Seedcast 0.1',
        p: this.deps.options.port,
        reqq: 500,
        ...(this.torrent.meta ? { metadataSize: this.torrent.meta.infoBytes.byteLength } : {}),
        // Not while super-seeding: libtorrent drops an upload-only peer that has nothing it wants,
        // which is what a super-seed looks like before its first `have`.
        ...(this.torrent.complete && !this.deps.superSeed.active ? { uploadOnly: true } : {}),
      });
    }
    this.deps.swarm.sendDhtPort(conn);
    if (this.deps.superSeed.active) {
      if (negotiated.fast) conn.send({ type: 'haveNone' });
      this.deps.superSeed.attach(peer);
    } else if (this.torrent.have && this.torrent.have.count > 0) {
      if (negotiated.fast && this.torrent.have.complete) conn.send({ type: 'haveAll' });
      else conn.send({ type: 'bitfield', bitfield: this.torrent.have.bytes });
    } else if (negotiated.fast) {
      conn.send({ type: 'haveNone' });
    }
    this.deps.upload.maybeUnchokeNow(peer);
  }

  /** The metadata is now known: the peers connected before it get their geometry, our pieces and theirs. */
  metadataKnown(): void {
    const { meta, map } = this.torrent;
    if (!meta || !map) return;
    const geometry = pieceGeometry(map.wireLength, meta.pieceLength);
    for (const peer of this.deps.peers.values()) {
      peer.conn.setGeometry(geometry);
      this.applyPendingBitfield(peer);
      this.announceHaves(peer);
      this.deps.download.updateInterest(peer);
    }
  }

  private onClose(peer: Peer, err: Error | undefined): void {
    this.deps.peers.delete(peer.conn);
    this.deps.superSeed.detach(peer);
    this.deps.layers.peerClosed(peer);
    this.torrent.log(`peer ${peer.key} closed${err ? `: ${err.message}` : ''}`);
    this.deps.picker()?.releasePeer(peer);
    if (peer.has) this.deps.picker()?.removeAvailability(peer.has);
    const redial = peer.outgoing && peer.transport === 'tcp'; // a data channel is not redialled
    if (this.torrent.running && redial && !this.torrent.complete && !this.deps.isBanned(peer.address.host)) {
      this.deps.swarm.retryLater(peer.address, err !== undefined);
    }
    if (this.torrent.running) this.deps.swarm.connectMore();
  }

  private onMessage(peer: Peer, m: PeerMessage): void {
    switch (m.type) {
      case 'bitfield':
        if (!this.torrent.meta || !this.deps.picker()) peer.holdAnnouncement(m.bitfield);
        else this.setPeerPieces(peer, new Bitfield(this.torrent.meta.pieceCount, m.bitfield));
        break;
      case 'haveAll':
        if (!this.torrent.meta || !this.deps.picker()) peer.holdAnnouncement('all');
        else this.setPeerPieces(peer, Bitfield.full(this.torrent.meta.pieceCount));
        break;
      case 'haveNone':
        if (!this.torrent.meta || !this.deps.picker()) peer.holdAnnouncement('none');
        else this.setPeerPieces(peer, new Bitfield(this.torrent.meta.pieceCount));
        break;
      case 'have':
        // Before the metadata (and the picker) the piece count is unknown: held, applied later.
        if (!this.torrent.meta || !this.deps.picker()) {
          peer.holdHave(m.index);
          break;
        }
        peer.initPieces(this.torrent.meta.pieceCount);
        if (!peer.has!.has(m.index)) {
          peer.has!.set(m.index);
          peer.lastHaveAt = Date.now();
          this.deps.picker()?.addAvailability(m.index);
          const wanted = !this.torrent.have!.has(m.index);
          if (wanted && !peer.conn.amInterested) peer.conn.send({ type: 'interested' });
          this.deps.superSeed.peerHas(peer, m.index);
          // At once, not at the next tick: a super-seed reveals a few pieces at a time, and waiting
          // a second per round made a download from it crawl at about 1 MiB/s.
          if (wanted && !peer.conn.peerChoking) this.deps.download.requestMore(peer);
        }
        if (this.torrent.complete && peer.isSeed && !this.deps.superSeed.active) peer.conn.destroy();
        break;
      case 'unchoke':
        this.deps.download.requestMore(peer);
        break;
      case 'choke':
        if (!peer.conn.remote!.negotiated.fast) this.deps.download.releaseAll(peer);
        break;
      case 'reject':
        this.deps.download.rejected(peer, m);
        break;
      case 'piece':
        void this.deps.download.receive(peer, m.index, m.begin, m.block);
        break;
      case 'request':
        this.deps.upload.request(peer, m);
        break;
      case 'cancel':
        this.deps.upload.cancel(peer, m);
        break;
      case 'interested':
        this.deps.upload.maybeUnchokeNow(peer);
        break;
      case 'extendedHandshake':
      case 'metadata':
        this.deps.metadata.onMessage(peer, m);
        break;
      case 'pex':
        if (!this.torrent.meta?.private) for (const p of m.pex.added.slice(0, 50)) this.deps.swarm.add(p);
        break;
      case 'port':
        if (peer.transport === 'tcp') this.deps.swarm.onDhtPort(peer.address.host, m.port);
        break;
      case 'hashRequest':
        this.deps.hashes.onRequest(peer, m);
        break;
      case 'hashes':
        this.deps.layers.onHashes(peer, m); // throws (the peer is dropped) on hashes that do not verify
        break;
      case 'hashReject':
        this.deps.layers.onReject(peer, m);
        break;
      default:
        break;
    }
  }

  /** What the peer announced before the metadata: its bitfield (or have all/none) and the haves since. */
  private applyPendingBitfield(peer: Peer): void {
    if (!this.torrent.meta) return;
    const held = peer.takeHeld(this.torrent.meta.pieceCount);
    if (held === 'wrongLength') {
      peer.conn.destroy(new Error('bitfield of the wrong length'));
      return;
    }
    if (held) this.setPeerPieces(peer, held);
  }

  private announceHaves(peer: Peer): void {
    if (!this.torrent.have || !peer.conn.open) return;
    for (let i = 0; i < this.torrent.have.length; i++)
      if (this.torrent.have.has(i)) peer.conn.send({ type: 'have', index: i });
  }

  private setPeerPieces(peer: Peer, bits: Bitfield): void {
    if (peer.has) this.deps.picker()?.removeAvailability(peer.has);
    peer.has = bits;
    this.deps.picker()?.addAvailability(bits);
    this.deps.superSeed.setPieces(peer, bits);
    if (this.deps.layers.active) this.deps.layers.pump();
    if (this.torrent.complete && peer.isSeed && !this.deps.superSeed.active) {
      peer.conn.destroy();
      return;
    }
    this.deps.download.updateInterest(peer);
  }
}
