/**
 * What the parts of a torrent session share (BEP 3): the torrent as it stands, read-only. The
 * session (`session.ts`) is the only writer; each part (download, upload, swarm, metadata: see
 * docs/engine.md, "The session's parts") reads this view and reports back through the callbacks it
 * was given, so no part holds the session itself or changes what it owns.
 *
 * `TorrentSession` satisfies the view structurally: it is passed as one, typed this narrowly.
 */

import type { Metainfo } from '../torrent/index.js';
import type { PeerConnection } from '../wire/index.js';
import type { Bitfield } from './bitfield.js';
import type { PieceStore } from './file-store.js';
import type { Peer } from './peer.js';
import type { PieceMap } from './piece-map.js';
import type { PieceVerifier } from './verify.js';

export interface TorrentView {
  /** The v1 info hash (or a v2-only torrent's truncated v2 hash), 20 bytes. */
  readonly infoHash: Buffer;
  /** The v2 info hash (32 bytes) of a v2 magnet, before its metadata tells it. */
  readonly infoHashV2: Buffer | undefined;
  /** Undefined until the metadata is known (a magnet link). */
  readonly meta: Metainfo | undefined;
  readonly map: PieceMap | undefined;
  /** Pieces verified and stored (a mutable bitfield: only the session and its repair change it). */
  readonly have: Bitfield | undefined;
  readonly store: PieceStore | undefined;
  readonly verifier: PieceVerifier | undefined;
  /** The connected peers, by connection. */
  readonly peers: ReadonlyMap<PeerConnection, Peer>;
  readonly running: boolean;
  /** Why the session stopped, when a store error stopped it. */
  readonly failure: Error | undefined;
  readonly complete: boolean;
  /** The store is read-only: nothing is downloaded (the site's blobs). */
  readonly seedOnly: boolean;
  log(message: string): void;
}

/** How a part reports a fault (`fault.ts`): the store's errors fail the session, others stay local. */
export interface FaultSink {
  /** True when `err` came from this torrent's store (it fails the session, not a peer). */
  ownsError(err: unknown): boolean;
  /** Stop the session because of `reason` (see `TorrentSession.fail`). */
  fail(reason: Error): void;
}
