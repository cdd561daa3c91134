/**
 * The local library: what the aggregator fetched (or is fetching), as `library --json` prints it
 * (CONTRACT.md: `[{ "feed", "title", "path", "complete" }]`, plus a few more fields).
 */

import type { State } from './state.js';

export interface LibraryEntry {
  /** The feed's URL. */
  feed: string;
  feedTitle: string | null;
  title: string;
  /** Absolute path of the file (or a multi-file torrent's folder); null until it is known. */
  path: string | null;
  complete: boolean;
  status: string;
  via: 'http' | 'swarm' | null;
  infoHash: string | null;
  published: string | null;
}

/** Every download that is in the library or on its way there, newest first per feed. */
export function libraryEntries(state: State): LibraryEntry[] {
  const titles = new Map(state.feeds.map((f) => [f.url, f.title ?? null]));
  return state.downloads
    .filter((d) => d.status === 'complete' || d.status === 'downloading' || d.status === 'queued')
    .map((d) => ({
      feed: d.feed,
      feedTitle: titles.get(d.feed) ?? null,
      title: d.title,
      path: d.path ?? null,
      complete: d.status === 'complete',
      status: d.status,
      via: d.via ?? null,
      infoHash: d.infoHash ?? null,
      published: d.published ?? null,
    }));
}
