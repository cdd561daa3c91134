/**
 * Metadata exchange for a session (BEP 9 over BEP 10): fetching the info dictionary of a magnet
 * link from peers, and serving ours to peers that ask.
 *
 * Fetching: the first peer whose extended handshake gives a `metadata_size` (within 32 MiB) fixes the
 * size; every peer that supports ut_metadata is asked for the missing 16 KiB pieces; once all are in
 * they must hash to the info hash, or they are dropped and fetched again. A magnet link's `xs=`
 * (the `.torrent` URL) is fetched at the same time (`torrent-source.ts`); the first verified
 * metadata wins.
 *
 * Serving: each piece asked for, or `reject`; once a peer was sent every piece, the session's
 * super-seed is told (it announces again the pieces it revealed while the peer had no metadata).
 */

import type { Metainfo } from '../torrent/index.js';
import { parseTorrent } from '../torrent/index.js';
import { MetadataAssembler, metadataPiece, metadataPieceCount, type PeerMessage } from '../wire/index.js';
import { describeError } from './fault.js';
import type { Peer } from './peer.js';
import type { TorrentSession } from './session.js';
import { fetchTorrentSource } from './torrent-source.js';

export class MetadataFetcher {
  private assembler: MetadataAssembler | undefined;
  private done = false;
  /** Metadata pieces sent to each peer (a peer can ask for each at most once per piece count). */
  private readonly sentTo = new WeakMap<Peer, Set<number>>();

  constructor(private readonly session: TorrentSession) {}

  onMessage(peer: Peer, m: Extract<PeerMessage, { type: 'extendedHandshake' | 'metadata' }>): void {
    if (m.type === 'extendedHandshake') {
      if (!this.session.meta && m.handshake.metadataSize !== undefined)
        this.requestFrom(peer, m.handshake.metadataSize);
      return;
    }
    const message = m.message;
    if (message.kind === 'request') {
      const meta = this.session.meta;
      if (!meta || !peer.conn.supportsExtension('ut_metadata')) {
        if (peer.conn.supportsExtension('ut_metadata'))
          peer.conn.sendMetadata({ kind: 'reject', piece: message.piece });
        return;
      }
      try {
        const data = metadataPiece(meta.infoBytes, message.piece);
        peer.conn.sendMetadata({
          kind: 'data',
          piece: message.piece,
          totalSize: meta.infoBytes.byteLength,
          data,
        });
      } catch {
        peer.conn.sendMetadata({ kind: 'reject', piece: message.piece });
        return;
      }
      this.served(peer, message.piece, meta.infoBytes.byteLength);
      return;
    }
    if (message.kind === 'data' && this.assembler && !this.done) {
      try {
        if (message.totalSize !== this.assembler.size) return;
        if (this.assembler.add(message.piece, message.data)) this.finish();
      } catch (err) {
        peer.conn.destroy(err as Error);
      }
    }
  }

  /**
   * Count the metadata pieces sent to a peer; once it has them all it can place `have`s, and a
   * super-seed announces again what it revealed before (see `session-super-seed.ts`).
   */
  private served(peer: Peer, piece: number, size: number): void {
    let sent = this.sentTo.get(peer);
    if (!sent) {
      sent = new Set();
      this.sentTo.set(peer, sent);
    }
    if (sent.has(piece)) return;
    sent.add(piece);
    if (sent.size === metadataPieceCount(size)) this.session.superSeed.metadataSent(peer);
  }

  private requestFrom(peer: Peer, size: number): void {
    if (!peer.conn.supportsExtension('ut_metadata')) return;
    try {
      this.assembler ??= new MetadataAssembler(this.session.infoHashV2 ?? this.session.infoHash, size);
    } catch (err) {
      peer.conn.destroy(err as Error);
      return;
    }
    if (size !== this.assembler.size) return;
    for (const piece of this.assembler.missing()) peer.conn.sendMetadata({ kind: 'request', piece });
  }

  private finish(): void {
    let info: Buffer;
    try {
      info = this.assembler!.finish();
    } catch (err) {
      this.session.emit('warning', (err as Error).message);
      for (const peer of this.session.peers.values()) {
        if (
          peer.conn.supportsExtension('ut_metadata') &&
          peer.conn.remoteExtended?.metadataSize === this.assembler!.size
        ) {
          for (const piece of this.assembler!.missing()) peer.conn.sendMetadata({ kind: 'request', piece });
        }
      }
      return;
    }
    let meta: Metainfo;
    try {
      meta = parseTorrent(Buffer.concat([Buffer.from('d4:info'), info, Buffer.from('e')]), {
        requirePieceLayers: false,
      });
    } catch (err) {
      this.done = true;
      this.session.emit('warning', `metadata from peers is not a valid torrent: ${(err as Error).message}`);
      return;
    }
    this.accept(meta);
  }

  /**
   * A magnet link's `xs=` URLs (at most 3, http/https): the `.torrent` fetched over HTTP under the
   * session's outbound policy, alongside the peers; whichever gives verified metadata first wins.
   */
  fetchSources(urls: readonly string[]): void {
    const { policy, trusted } = this.session.options;
    const infoHash = this.session.infoHash.toString('hex');
    void (async () => {
      for (const url of urls.slice(0, 3)) {
        if (this.done || this.session.meta || !this.session.running) return;
        try {
          const meta = await fetchTorrentSource(url, infoHash, {
            policy: policy && !trusted?.(url) ? policy : undefined,
          });
          this.session.log(`metadata from ${url}`);
          this.accept(meta);
          return;
        } catch (err) {
          this.session.emit('warning', `xs ${describeError(err)}`);
        }
      }
    })();
  }

  /** Verified metadata (from peers or an `xs=` URL): set the session up with it, once. */
  private accept(meta: Metainfo): void {
    if (this.done || this.session.meta || !this.session.running) return;
    this.done = true;
    this.session.emit('metadata', meta);
    // The store, recheck and peers' bitfields come now; a store error fails the session.
    void this.session.useMetadata(meta).catch((err: Error) => this.session.fail(err));
  }
}
