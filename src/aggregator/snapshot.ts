/** The live view's data at one moment: feeds, running downloads (progress and rates), seeding torrents. */

import type { TorrentSession } from '../engine/index.js';
import type { DownloadRecord, FeedState } from './state.js';
import type { SyncSnapshot } from './view.js';

/** A download in progress, as the sync loop tracks it. */
export interface ActiveDownload {
  record: DownloadRecord;
  via: 'http' | 'swarm';
  done: number;
  total: number | undefined;
  startedAt: number;
  /** Bytes already there when this attempt started (rates count only what arrives). */
  startDone: number;
  session?: TorrentSession;
  /** Aborts this download alone (the app's Delete); it then goes back to `new`. */
  cancel?: AbortController;
}

/**
 * A running download's rate in bytes a second: the swarm's, or over HTTP what arrived since this
 * attempt started (0 in its first half second).
 */
export function downloadRate(a: ActiveDownload, now = Date.now()): number {
  const stats = a.session?.stats();
  if (stats) return stats.downloadRate;
  const elapsed = (now - a.startedAt) / 1000;
  return elapsed > 0.5 ? Math.max(0, a.done - a.startDone) / elapsed : 0;
}

export function buildSnapshot(
  feeds: FeedState[],
  options: {
    active: ActiveDownload[];
    seeding: { record: DownloadRecord; session: TorrentSession }[];
    now?: number;
  },
): SyncSnapshot {
  const now = options.now ?? Date.now();
  return {
    feeds: feeds.map((f) => ({
      title: f.title ?? f.url,
      error: f.lastError ?? null,
      nextPollAt: f.nextPollAt ?? null,
    })),
    downloads: options.active.map((a) => {
      const stats = a.session?.stats();
      return {
        title: a.record.title,
        via: a.via,
        done: a.done,
        total: a.total ?? null,
        downloadRate: downloadRate(a, now),
        uploadRate: stats?.uploadRate ?? 0,
        peers: stats?.peers ?? 0,
      };
    }),
    seeding: options.seeding.map(({ record, session }) => {
      const stats = session.stats();
      const uploaded = record.seeding?.uploaded ?? 0;
      return {
        title: record.title,
        uploaded,
        ratio: stats.length > 0 ? uploaded / stats.length : 0,
        uploadRate: stats.uploadRate,
        peers: stats.peers,
      };
    }),
  };
}

/** Run `fn` over `items`, at most `limit` at a time. */
export async function runLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
