/**
 * When a session is idle, and what it holds then. A session is idle when it has nothing to fetch (a
 * complete torrent, or a seed-only one: it never downloads), no peer connected and no address to dial
 * or being dialled, and no fixity repair under way: the engine's scheduler (`scheduler.ts`) then stops ticking it until its next
 * tracker or DHT announce is due (BEP 3, BEP 5), or until a peer arrives (`wake`).
 *
 * Going idle drops what only peers need: the picker (availability counts, partial pieces: made again
 * when a peer connects) and the uploader's read cache (up to 32 MiB of windows). What stays per idle
 * torrent is its metainfo, the `have` bitfield, counters and a few small objects.
 */

import { PiecePicker } from './picker.js';
import type { SwarmFinder } from './session-swarm.js';
import type { TorrentView } from './session-view.js';

/** What deciding idleness reads of a session, and what going idle drops. */
export interface IdleHost extends TorrentView {
  /** A fixity repair is under way (`session-repair.ts`). */
  readonly repairing: boolean;
  readonly swarm: Pick<SwarmFinder, 'idle' | 'nextDue'>;
  /** Drop the picker and the uploader's read cache (made again when a peer connects). */
  dropPeerState(): void;
}

/** The session's picker over its `have` (undefined before the metadata). */
export function makePicker(s: Pick<TorrentView, 'meta' | 'map' | 'have'>): PiecePicker | undefined {
  const { meta, map, have } = s;
  if (!meta || !map || !have) return undefined;
  return new PiecePicker({ pieceCount: meta.pieceCount, pieceSize: (i) => map.piece(i).length }, have);
}

/** Undefined while `s` has work each second; else when it needs its next tick (ms; Infinity: none due). */
export function idleUntil(s: IdleHost): number | undefined {
  if (!s.running || s.failure || !s.meta || !(s.complete || s.seedOnly)) return undefined;
  // A fixity repair fetches pieces: it keeps its picker (over the batch) and its ticks.
  if (s.repairing) return undefined;
  if (s.peers.size > 0 || !s.swarm.idle(Date.now())) return undefined;
  s.dropPeerState();
  return s.swarm.nextDue();
}
