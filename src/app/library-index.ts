/**
 * Lookups the app's pages make many times per request, kept fast for a big library (hundreds of
 * shows, tens of thousands of episodes): shows by URL and by id, episodes newest first and per show,
 * and each episode's search text. Each index is rebuilt only when the list it reads was replaced or
 * changed length (records are added, never reordered; a removed one keeps its place with status
 * `removed`, which the callers skip), so most requests reuse it.
 */

import { type DownloadRecord, type FeedState, feedId } from '../aggregator/index.js';
import type { AppContext } from './context.js';

interface FeedIndex {
  length: number;
  byUrl: Map<string, FeedState>;
  byId: Map<string, FeedState>;
}

interface EpisodeIndex {
  length: number;
  /** Every record, newest first (by the feed's date, else when it was recorded). */
  newest: DownloadRecord[];
  /** Per feed URL, newest first. */
  byFeed: Map<string, DownloadRecord[]>;
}

const feedIndexes = new WeakMap<FeedState[], FeedIndex>();
const episodeIndexes = new WeakMap<DownloadRecord[], EpisodeIndex>();
const searchTexts = new WeakMap<DownloadRecord, string>();
const showIds = new Map<string, string>();

/** `feedId(url)` (a SHA-256), remembered: lists ask it for every episode. */
export function showIdOf(url: string): string {
  let id = showIds.get(url);
  if (id === undefined) {
    if (showIds.size > 10_000) showIds.clear();
    id = feedId(url);
    showIds.set(url, id);
  }
  return id;
}

function feedIndex(ctx: AppContext): FeedIndex {
  const feeds = ctx.aggregator.state.feeds;
  let index = feedIndexes.get(feeds);
  if (!index || index.length !== feeds.length) {
    index = { length: feeds.length, byUrl: new Map(), byId: new Map() };
    for (const f of feeds) {
      index.byUrl.set(f.url, f);
      index.byId.set(feedId(f.url), f);
    }
    feedIndexes.set(feeds, index);
  }
  return index;
}

/** The show with feed URL `url`, if followed. */
export function feedByUrl(ctx: AppContext, url: string): FeedState | undefined {
  const feed = feedIndex(ctx).byUrl.get(url);
  // A feed object replaced in place (same length) is found by a scan.
  return feed && feed.url === url ? feed : ctx.aggregator.state.feeds.find((f) => f.url === url);
}

/** The show with id `id` (`feedId` of its URL), if followed. */
export function feedById(ctx: AppContext, id: string): FeedState | undefined {
  const feed = feedIndex(ctx).byId.get(id);
  return feed ?? ctx.aggregator.state.feeds.find((f) => feedId(f.url) === id);
}

function time(r: DownloadRecord): number {
  return Date.parse(r.published ?? '') || Date.parse(r.queuedAt) || 0;
}

function episodeIndex(ctx: AppContext): EpisodeIndex {
  const downloads = ctx.aggregator.state.downloads;
  let index = episodeIndexes.get(downloads);
  if (!index || index.length !== downloads.length) {
    const times = new Map(downloads.map((d) => [d, time(d)]));
    const newest = [...downloads].sort((a, b) => times.get(b)! - times.get(a)!);
    const byFeed = new Map<string, DownloadRecord[]>();
    for (const d of newest) {
      const list = byFeed.get(d.feed);
      if (list) list.push(d);
      else byFeed.set(d.feed, [d]);
    }
    index = { length: downloads.length, newest, byFeed };
    episodeIndexes.set(downloads, index);
  }
  return index;
}

/** Every listed episode (not removed), newest first. */
export function episodesNewestFirst(ctx: AppContext): DownloadRecord[] {
  return episodeIndex(ctx).newest.filter((d) => d.status !== 'removed');
}

/** A show's listed episodes, newest first. */
export function episodesOfFeed(ctx: AppContext, url: string): DownloadRecord[] {
  return (episodeIndex(ctx).byFeed.get(url) ?? []).filter((d) => d.status !== 'removed');
}

/** How many of each show's episodes are `new`, by feed URL (one pass). */
export function newCounts(ctx: AppContext): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of ctx.aggregator.state.downloads)
    if (d.status === 'new') counts.set(d.feed, (counts.get(d.feed) ?? 0) + 1);
  return counts;
}

/** An episode's title and description in lower case, for search (they never change). */
export function searchText(record: DownloadRecord): string {
  let text = searchTexts.get(record);
  if (text === undefined) {
    text = `${record.title}\n${record.description ?? ''}`.toLowerCase();
    searchTexts.set(record, text);
  }
  return text;
}
