/**
 * Addresses of the app's things: a show is `/shows/<id>` (`feedId`: 10 hex digits from its feed URL),
 * an episode `/episodes/<id>` (the download record's 16-hex id). Lookups throw the registry's
 * not-found errors, which the error handler turns into 404s.
 */

import { type DownloadRecord, type FeedState, feedId, findEpisode } from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';
import type { AppContext } from './context.js';
import { feedById, feedByUrl } from './library-index.js';

export const SHOW_ID = '^[0-9a-f]{10}$';
export const EPISODE_ID = '^[0-9a-f]{16}$';

export function showUrl(feed: FeedState): string {
  return `/shows/${feedId(feed.url)}`;
}

export function episodeUrl(record: DownloadRecord): string {
  return `/episodes/${record.id}`;
}

export function findShow(ctx: AppContext, id: string): FeedState {
  const feed = feedById(ctx, id);
  if (!feed) throw new SeedcastError('AGGREGATOR_NO_FEED', id);
  return feed;
}

/** The show an episode belongs to (undefined once unsubscribed). */
export function showOf(ctx: AppContext, record: DownloadRecord): FeedState | undefined {
  return feedByUrl(ctx, record.feed);
}

export function episodeById(ctx: AppContext, id: string): DownloadRecord {
  return findEpisode(ctx.aggregator, id);
}
