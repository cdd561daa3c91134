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
import type { SwarmOptions } from './session-swarm.js';
import type { TorrentView } from './session-view.js';
import { fetchTorrentSource } from './torrent-source.js';

/** What the metadata part is given besides the torrent's view: its options and callbacks. */
export interface MetadataDeps {
  readonly options: Pick<SwarmOptions, 'policy' | 'trusted'>;
  /** A peer was sent every piece of our metadata (the super-seed announces again). */
  metadataSent(peer: Peer): void;
  /** Verified metadata, given once: the session sets itself up with it. */
  found(meta: Metainfo): void;
  /** Metadata that did not verify or parse, an `xs=` that failed: the `warning` event. */
  warn(message: string): void;
}

export class MetadataFetcher {
  private assembler: MetadataAssembler | undefined;
  private done = false;
  /** Metadata pieces sent to each peer (a peer can ask for each at most once per piece count). */
  private readonly sentTo = new WeakMap<Peer, Set<number>>();

  constructor(
    private readonly torrent: Pick<
      TorrentView,
      'infoHash' | 'infoHashV2' | 'meta' | 'peers' | 'running' | 'log'
    >,
    private readonly deps: MetadataDeps,
  ) {}

  onMessage(peer: Peer, m: Extract<PeerMessage, { type: 'extendedHandshake' | 'metadata' }>): void {
    if (m.type === 'extendedHandshake') {
      if (!this.torrent.meta && m.handshake.metadataSize !== undefined)
        this.requestFrom(peer, m.handshake.metadataSize);
      return;
    }
    const message = m.message;
    if (message.kind === 'request') {
      const meta = this.torrent.meta;
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
    if (sent.size === metadataPieceCount(size)) this.deps.metadataSent(peer);
  }

  private requestFrom(peer: Peer, size: number): void {
    if (!peer.conn.supportsExtension('ut_metadata')) return;
    try {
      this.assembler ??= new MetadataAssembler(this.torrent.infoHashV2 ?? this.torrent.infoHash, size);
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
      this.deps.warn((err as Error).message);
      for (const peer of this.torrent.peers.values()) {
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
      this.deps.warn(`metadata from peers is not a valid torrent: ${(err as Error).message}`);
      return;
    }
    this.accept(meta);
  }

  /**
   * A magnet link's `xs=` URLs (at most 3, http/https): the `.torrent` fetched over HTTP under the
   * session's outbound policy, alongside the peers; whichever gives verified metadata first wins.
   */
  fetchSources(urls: readonly string[]): void {
    const { policy, trusted } = this.deps.options;
    const infoHash = this.torrent.infoHash.toString('hex');
    void (async () => {
      for (const url of urls.slice(0, 3)) {
        if (this.done || this.torrent.meta || !this.torrent.running) return;
        try {
          const meta = await fetchTorrentSource(url, infoHash, {
            policy: policy && !trusted?.(url) ? policy : undefined,
          });
          this.torrent.log(`metadata from ${url}`);
          this.accept(meta);
          return;
        } catch (err) {
          this.deps.warn(`xs ${describeError(err)}`);
        }
      }
    })();
  }

  /** Verified metadata (from peers or an `xs=` URL): set the session up with it, once. */
  private accept(meta: Metainfo): void {
    if (this.done || this.torrent.meta || !this.torrent.running) return;
    this.done = true;
    this.deps.found(meta); // the store, recheck and peers' bitfields come now
  }
}
