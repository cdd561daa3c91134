/**
 * What the site tells about archiving a torrent-only item (issue 16, "torrent-only publishing that
 * tells the truth"): one `ArchiveStatus` for `GET /api/v1/items/:id` (`"archive"`) and the item page,
 * made from the archiver's bookkeeping on the item (`archive_state`, `archive_error`,
 * `archive_attempts`: migration 0011) and the live download session when there is one.
 *
 * `state` is what a publisher needs to know:
 * - `waiting`: nothing is coming in: no peer connected yet (the publisher's client is not reachable
 *   or not running), or the item waits for its turn (`phase` `queued`);
 * - `archiving`: the site is connected to peers and fetching pieces (`progress`, 0..1);
 * - `archived`: the site holds every file and seeds it;
 * - `failed`: with `error`; `retryAt` when the site tries again by itself, otherwise the owner or an
 *   admin asks again (`POST /api/v1/items/:id/archive`).
 * `phase` is the archiver's own finer state: `queued`, `downloading`, `failed`, `gave-up`, `done`.
 */

import type { Item } from '../catalog/index.js';
import type { ArchiveState } from '../db/index.js';

/** How far a download under way has come (the live session's numbers). */
export interface ArchiveProgress {
  pieces: number;
  have: number;
  /** Bytes downloaded from peers since this run started (not counting what was resumed). */
  downloaded: number;
  peers: number;
}

export type ArchiveView = 'waiting' | 'archiving' | 'archived' | 'failed';

/** What `GET /api/v1/items/:id` says about a torrent-only item's archiving (`"archive"`). */
export interface ArchiveStatus {
  state: ArchiveView;
  phase: ArchiveState;
  /** Share of the pieces verified, 0..1 (while downloading, and 1 once archived). */
  progress?: number;
  /** Peers connected to the site's download. */
  peers?: number;
  error?: string;
  attempts?: number;
  /** When a failed item is tried again (ISO time). */
  retryAt?: string;
}

/** What the archiver knows of one item beyond its row. */
export interface ArchiveLive {
  /** The download session's numbers, when one runs. */
  progress?: ArchiveProgress;
  /** Waiting in the archiver's queue. */
  queued?: boolean;
  /** When a retry is planned (ms since the epoch). */
  retryAt?: number;
}

/** The status of a torrent-only item that is not archived yet. */
export function archiveStatus(item: Item, live: ArchiveLive): ArchiveStatus {
  const p = live.progress;
  if (p) {
    const progress = p.pieces > 0 ? Math.floor((p.have / p.pieces) * 1000) / 1000 : 0;
    return { state: p.peers > 0 ? 'archiving' : 'waiting', phase: 'downloading', progress, peers: p.peers };
  }
  const stored = item.archiveState ?? 'queued';
  if (live.queued || stored === 'queued' || stored === 'downloading' || stored === 'done')
    return { state: 'waiting', phase: 'queued' };
  return {
    state: 'failed',
    phase: stored,
    error: item.archiveError ?? (stored === 'gave-up' ? 'gave up' : 'archiving failed'),
    ...(item.archiveAttempts ? { attempts: item.archiveAttempts } : {}),
    ...(live.retryAt ? { retryAt: new Date(live.retryAt).toISOString() } : {}),
  };
}

/** The status of an item whose files the site holds. */
export const ARCHIVED: Readonly<ArchiveStatus> = Object.freeze({
  state: 'archived',
  phase: 'done',
  progress: 1,
});

/** The short words the item page shows: `waiting for peers`, `archiving 43%`, `archived`, `failed: reason`. */
export function archiveLabel(status: ArchiveStatus): string {
  switch (status.state) {
    case 'waiting':
      return status.phase === 'queued' ? 'waiting for its turn' : 'waiting for peers';
    case 'archiving':
      return `archiving ${Math.floor((status.progress ?? 0) * 100)}%`;
    case 'archived':
      return 'archived';
    case 'failed':
      return `failed: ${(status.error ?? 'unknown reason').replace(/^archive: /, '')}`;
  }
}
