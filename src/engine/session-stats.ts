/**
 * A session's transfer figures: bytes received, sent and wasted (counted by the downloader and the
 * uploader), the session's rates, and the summary `TorrentSession.stats()` reports (what the CLI
 * prints, trackers are told and the site shows).
 */

import { type Peer, Rate, type Transport } from './peer.js';
import type { TorrentView } from './session-view.js';

export interface SessionStats {
  name: string | undefined;
  length: number;
  pieceCount: number;
  have: number;
  left: number;
  downloaded: number;
  uploaded: number;
  wasted: number;
  fromWebSeeds: number;
  /** Block bytes sent to and received from peers, by transport (web seeds not included). */
  uploadedBy: Record<Transport, number>;
  downloadedBy: Record<Transport, number>;
  peers: number;
  seeds: number;
  downloadRate: number;
  uploadRate: number;
  complete: boolean;
}

/** The bytes a session moved, and its rates. */
export class TransferCounters {
  downloaded = 0;
  uploaded = 0;
  /** Bytes received and thrown away (duplicates, blocks not asked for, pieces that failed their check). */
  wasted = 0;
  /** `uploaded` and `downloaded` (peers only) split by transport. */
  readonly uploadedBy: Record<Transport, number> = { tcp: 0, webrtc: 0 };
  readonly downloadedBy: Record<Transport, number> = { tcp: 0, webrtc: 0 };
  readonly downRate = new Rate();
  readonly upRate = new Rate();

  /** Count bytes received (called by the downloader); `transport` for a peer's, none for a web seed's. */
  received(bytes: number, transport?: Transport): void {
    this.downRate.add(bytes);
    this.downloaded += bytes;
    if (transport) this.downloadedBy[transport] += bytes;
  }

  /** Count bytes sent to a peer (called by the uploader). */
  sent(peer: Peer, bytes: number): void {
    peer.up.add(bytes);
    this.upRate.add(bytes);
    this.uploaded += bytes;
    this.uploadedBy[peer.transport] += bytes;
  }

  /** Once a second: roll the rates. */
  tick(): void {
    this.downRate.tick();
    this.upRate.tick();
  }
}

/** The figures of session `s` now; `fromWebSeeds`: the bytes its web seeds delivered. */
export function sessionStats(
  s: Pick<TorrentView, 'meta' | 'map' | 'have' | 'peers' | 'complete'>,
  counters: TransferCounters,
  fromWebSeeds: number,
): SessionStats {
  const { meta } = s;
  const have = s.have?.count ?? 0;
  let left = 0;
  if (meta && s.map && s.have) {
    for (let i = 0; i < meta.pieceCount; i++) if (!s.have.has(i)) left += s.map.piece(i).length;
    left = Math.min(left, meta.length);
  }
  const peers = [...s.peers.values()];
  return {
    name: meta?.name,
    length: meta?.length ?? 0,
    pieceCount: meta?.pieceCount ?? 0,
    have,
    left,
    downloaded: counters.downloaded,
    uploaded: counters.uploaded,
    wasted: counters.wasted,
    fromWebSeeds,
    uploadedBy: { ...counters.uploadedBy },
    downloadedBy: { ...counters.downloadedBy },
    peers: peers.length,
    seeds: peers.filter((p) => p.isSeed).length,
    downloadRate: counters.downRate.perSecond,
    uploadRate: counters.upRate.perSecond,
    complete: s.complete,
  };
}
