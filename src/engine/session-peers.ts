/**
 * The peers of a session, message by message (BEP 3 with BEP 6 Fast and BEP 10 extensions): taking
 * over a connection once its handshake is done (one connection per peer, our extended handshake and
 * what we have), dispatching each message to the part of the session that handles it, and keeping
 * each peer's state: the pieces it has (`bitfield`, `have`, `have all`/`have none`, held until the
 * metadata is known), our interest in it and our request pipeline to it. A peer that closes gives
 * back its requests and availability and may be retried later (`session-swarm.ts`).
 */

import { type PeerAddress, type PeerConnection, type PeerMessage, pieceGeometry } from '../wire/index.js';
import { Bitfield } from './bitfield.js';
import { describeError } from './fault.js';
import { Peer, type Transport } from './peer.js';
import type { TorrentSession } from './session.js';

export class PeerHandler {
  constructor(private readonly session: TorrentSession) {}

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
    const s = this.session;
    const max = s.options.maxPeers ?? 60;
    if (s.peers.size >= max && s.superSeed.active) {
      // Seeds stay connected to a super-seed so their copies count; a newcomer takes a seed's place.
      const seed = [...s.peers.values()].find((p) => p.isSeed);
      if (seed) {
        seed.conn.destroy();
        s.peers.delete(seed.conn);
      }
    }
    if (!s.running || s.banned.has(address.host) || s.peers.size >= max) {
      conn.destroy();
      return;
    }
    for (const p of s.peers.values()) {
      if (!p.conn.remote || !conn.remote || !p.conn.remote.peerId.equals(conn.remote.peerId)) continue;
      // Two connections to one peer (both sides dialled at once): both sides keep the one opened by
      // the peer with the lower peer id, so they agree on which to close.
      const weAreLower = Buffer.compare(s.options.peerId, conn.remote.peerId) < 0;
      const keepNew = outgoing === weAreLower && p.outgoing !== weAreLower;
      if (!keepNew) {
        conn.destroy();
        return;
      }
      p.conn.destroy();
    }
    const peer = new Peer(conn, address, outgoing, transport);
    s.peers.set(conn, peer);
    s.log(`peer ${peer.key} connected (${conn.remote?.peerId.subarray(0, 8).toString('latin1')})`);
    conn.on('message', (m) => {
      try {
        this.onMessage(peer, m);
      } catch (err) {
        // Whatever the message made us trip on, the peer that sent it goes; the session stays.
        s.log(`peer ${peer.key}: ${m.type}: ${describeError(err)}`);
        conn.destroy(err as Error);
      }
    });
    conn.on('drain', () => s.uploader.pump(peer));
    conn.on('close', (err) => this.onClose(peer, err));
    if (s.meta && s.map) conn.setGeometry(pieceGeometry(s.map.wireLength, s.meta.pieceLength));
    const negotiated = conn.remote!.negotiated;
    if (negotiated.extended) {
      conn.sendExtendedHandshake({
        v: 'Seedcast 0.1',
        p: s.options.port,
        reqq: 500,
        ...(s.meta ? { metadataSize: s.meta.infoBytes.byteLength } : {}),
        // Not while super-seeding: libtorrent drops an upload-only peer that has nothing it wants,
        // which is what a super-seed looks like before its first `have`.
        ...(s.complete && !s.superSeed.active ? { uploadOnly: true } : {}),
      });
    }
    s.swarm.sendDhtPort(conn);
    if (s.superSeed.active) {
      if (negotiated.fast) conn.send({ type: 'haveNone' });
      s.superSeed.attach(peer);
    } else if (s.have && s.have.count > 0) {
      if (negotiated.fast && s.have.complete) conn.send({ type: 'haveAll' });
      else conn.send({ type: 'bitfield', bitfield: s.have.bytes });
    } else if (negotiated.fast) {
      conn.send({ type: 'haveNone' });
    }
    s.uploader.maybeUnchokeNow(peer);
  }

  /** The metadata is now known: the peers connected before it get their geometry, our pieces and theirs. */
  metadataKnown(): void {
    const s = this.session;
    const { meta, map } = s;
    if (!meta || !map) return;
    const geometry = pieceGeometry(map.wireLength, meta.pieceLength);
    for (const peer of s.peers.values()) {
      peer.conn.setGeometry(geometry);
      this.applyPendingBitfield(peer);
      this.announceHaves(peer);
      s.downloader.updateInterest(peer);
    }
  }

  private onClose(peer: Peer, err: Error | undefined): void {
    const s = this.session;
    s.peers.delete(peer.conn);
    s.superSeed.detach(peer);
    s.layerFetch.peerClosed(peer);
    s.log(`peer ${peer.key} closed${err ? `: ${err.message}` : ''}`);
    s.picker?.releasePeer(peer);
    if (peer.has) s.picker?.removeAvailability(peer.has);
    const redial = peer.outgoing && peer.transport === 'tcp'; // a data channel is not redialled
    if (s.running && redial && !s.complete && !s.banned.has(peer.address.host)) {
      s.swarm.retryLater(peer.address, err !== undefined);
    }
    if (s.running) s.connectMore();
  }

  private onMessage(peer: Peer, m: PeerMessage): void {
    const s = this.session;
    switch (m.type) {
      case 'bitfield':
        if (!s.meta || !s.picker) peer.holdAnnouncement(m.bitfield);
        else this.setPeerPieces(peer, new Bitfield(s.meta.pieceCount, m.bitfield));
        break;
      case 'haveAll':
        if (!s.meta || !s.picker) peer.holdAnnouncement('all');
        else this.setPeerPieces(peer, Bitfield.full(s.meta.pieceCount));
        break;
      case 'haveNone':
        if (!s.meta || !s.picker) peer.holdAnnouncement('none');
        else this.setPeerPieces(peer, new Bitfield(s.meta.pieceCount));
        break;
      case 'have':
        // Before the metadata (and the picker) the piece count is unknown: held, applied later.
        if (!s.meta || !s.picker) {
          peer.holdHave(m.index);
          break;
        }
        peer.initPieces(s.meta.pieceCount);
        if (!peer.has!.has(m.index)) {
          peer.has!.set(m.index);
          peer.lastHaveAt = Date.now();
          s.picker?.addAvailability(m.index);
          const wanted = !s.have!.has(m.index);
          if (wanted && !peer.conn.amInterested) peer.conn.send({ type: 'interested' });
          s.superSeed.peerHas(peer, m.index);
          // At once, not at the next tick: a super-seed reveals a few pieces at a time, and waiting
          // a second per round made a download from it crawl at about 1 MiB/s.
          if (wanted && !peer.conn.peerChoking) s.downloader.requestMore(peer);
        }
        if (s.complete && peer.isSeed && !s.superSeed.active) peer.conn.destroy();
        break;
      case 'unchoke':
        s.downloader.requestMore(peer);
        break;
      case 'choke':
        if (!peer.conn.remote!.negotiated.fast) s.downloader.releaseAll(peer);
        break;
      case 'reject':
        s.downloader.rejected(peer, m);
        break;
      case 'piece':
        void s.onBlock(peer, m.index, m.begin, m.block);
        break;
      case 'request':
        s.uploader.request(peer, m);
        break;
      case 'cancel':
        s.uploader.cancel(peer, m);
        break;
      case 'interested':
        s.uploader.maybeUnchokeNow(peer);
        break;
      case 'extendedHandshake':
      case 'metadata':
        s.metadata.onMessage(peer, m);
        break;
      case 'pex':
        if (!s.meta?.private) for (const p of m.pex.added.slice(0, 50)) s.addPeerAddress(p);
        break;
      case 'port':
        if (peer.transport === 'tcp') s.swarm.onDhtPort(peer.address.host, m.port);
        break;
      case 'hashRequest':
        s.hashAnswers.onRequest(peer, m);
        break;
      case 'hashes':
        s.layerFetch.onHashes(peer, m); // throws (the peer is dropped) on hashes that do not verify
        break;
      case 'hashReject':
        s.layerFetch.onReject(peer, m);
        break;
      default:
        break;
    }
  }

  /** What the peer announced before the metadata: its bitfield (or have all/none) and the haves since. */
  private applyPendingBitfield(peer: Peer): void {
    const s = this.session;
    if (!s.meta) return;
    const held = peer.takeHeld(s.meta.pieceCount);
    if (held === 'wrongLength') {
      peer.conn.destroy(new Error('bitfield of the wrong length'));
      return;
    }
    if (held) this.setPeerPieces(peer, held);
  }

  private announceHaves(peer: Peer): void {
    const s = this.session;
    if (!s.have || !peer.conn.open) return;
    for (let i = 0; i < s.have.length; i++) if (s.have.has(i)) peer.conn.send({ type: 'have', index: i });
  }

  private setPeerPieces(peer: Peer, bits: Bitfield): void {
    const s = this.session;
    if (peer.has) s.picker?.removeAvailability(peer.has);
    peer.has = bits;
    s.picker?.addAvailability(bits);
    s.superSeed.setPieces(peer, bits);
    if (s.layerFetch.active) s.layerFetch.pump();
    if (s.complete && peer.isSeed && !s.superSeed.active) {
      peer.conn.destroy();
      return;
    }
    s.downloader.updateInterest(peer);
  }
}
