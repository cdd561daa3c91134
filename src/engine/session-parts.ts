/**
 * The composition of a torrent session from its parts (docs/engine.md, "The session's parts"): the
 * one place that knows both the session and each part, and wires what each part is given.
 *
 * - download (`session-download.ts`, `web-seed-worker.ts`): picker, requests, block writing,
 *   verification, endgame (BEP 3, 19, 52);
 * - upload (`session-upload.ts`, `session-super-seed.ts`, `session-trusted.ts`): choker, serving
 *   requests, super-seeding, trusted start (BEP 3, 6, 16);
 * - swarm (`session-swarm.ts`, `session-peers.ts`): known addresses, connecting, tracker, DHT and
 *   PEX, and the connected peers' messages routed to the other parts (BEP 3, 5, 10, 11, 12, 27);
 * - metadata (`session-metadata.ts`, `hash-answers.ts`, `layer-fetch.ts`): BEP 9 for magnets, the
 *   BEP 52 hash exchange.
 *
 * Each part reads the session as a `TorrentView` (read-only) and gets its collaborators and the
 * callbacks back to the session here; no part imports the session.
 */

import type { Metainfo } from '../torrent/index.js';
import { ownerOf } from './fault.js';
import { HashAnswers } from './hash-answers.js';
import { LayerFetch } from './layer-fetch.js';
import type { TorrentSession } from './session.js';
import { Downloader } from './session-download.js';
import { MetadataFetcher } from './session-metadata.js';
import { PeerHandler } from './session-peers.js';
import { SessionSuperSeed } from './session-super-seed.js';
import { SwarmFinder } from './session-swarm.js';
import { markDamaged, TrustedPieces } from './session-trusted.js';
import { Uploader } from './session-upload.js';
import type { FaultSink } from './session-view.js';
import type { TrackerTiers } from './tracker-tiers.js';
import type { WebSeedHost } from './web-seed-worker.js';

export interface SessionParts {
  readonly trust: TrustedPieces;
  readonly superSeed: SessionSuperSeed;
  readonly uploader: Uploader;
  readonly downloader: Downloader;
  readonly swarm: SwarmFinder;
  readonly metadata: MetadataFetcher;
  readonly hashAnswers: HashAnswers;
  readonly layerFetch: LayerFetch;
  readonly peerHandler: PeerHandler;
}

/** Make the parts of `s`, each given only what it needs. Nothing runs until the session starts. */
export function composeParts(s: TorrentSession, tiers: TrackerTiers): SessionParts {
  const { options } = s;
  const faults: FaultSink = { ownsError: (err) => ownerOf(err) === s, fail: (err) => s.fail(err) };
  const warn = (message: string) => void s.emit('warning', message);
  const picker = () => s.picker;

  // Upload.
  const trust = new TrustedPieces(
    s,
    () => options.trustStored === true,
    (index) => {
      s.have?.clear(index);
      markDamaged(s, [index]);
    },
  );
  const superSeed = new SessionSuperSeed(s, () => options.superSeed === true);
  const uploader = new Uploader(s, { options, superSeed, trust, counters: s.counters, ...faults });

  // Download.
  const downloader = new Downloader(s, {
    picker,
    counters: s.counters,
    pieceDone: (index) => s.pieceDone(index),
    ban: (host) => s.banned.add(host),
    ...faults,
  });

  // Swarm.
  const swarm = new SwarmFinder(
    s,
    {
      options,
      isBanned: (host) => s.banned.has(host),
      wake: () => s.wake(),
      attach: (conn, address, outgoing) => s.attach(conn, address, outgoing),
      stats: () => s.stats(),
      warn,
    },
    tiers,
  );

  // Metadata.
  const metadata = new MetadataFetcher(s, {
    options,
    metadataSent: (peer) => superSeed.metadataSent(peer),
    found: (meta) => {
      s.emit('metadata', meta);
      // The store, recheck and peers' bitfields come now; a store error fails the session.
      void s.useMetadata(meta).catch((err: Error) => s.fail(err));
    },
    warn,
  });
  const hashAnswers = new HashAnswers(s, faults);
  const layerFetch = new LayerFetch(s, (pieces) => downloader.hashesArrived(pieces));

  // The peers hub routes each peer's messages to the parts above.
  const peerHandler = new PeerHandler(s, {
    options,
    peers: s.peers,
    isBanned: (host) => s.banned.has(host),
    picker,
    download: downloader,
    upload: uploader,
    superSeed,
    swarm,
    metadata,
    hashes: hashAnswers,
    layers: layerFetch,
  });
  return { trust, superSeed, uploader, downloader, swarm, metadata, hashAnswers, layerFetch, peerHandler };
}

/** What a web seed worker of `s` is given: the download part's picks and blocks, its URL's policy. */
export function webSeedHost(s: TorrentSession, meta: Metainfo): WebSeedHost {
  const { policy, trusted } = s.options;
  return {
    meta,
    map: s.map!,
    policyFor: (url) => (policy && !trusted?.(url) ? policy : undefined),
    done: () => s.complete,
    pick: (worker, max) => s.downloader.pickForWebSeed(worker, max),
    release: (worker, block) => s.picker?.release(worker, block),
    receive: (worker, index, begin, block) => s.downloader.receive(worker, index, begin, block),
    warn: (message) => void s.emit('warning', message),
    fail: (err) => s.fail(err),
  };
}
