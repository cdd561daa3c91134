/**
 * Subscriptions as changes to the state: subscribe (with options), unsubscribe, and OPML 2.0 import and
 * export (http://opml.org/spec2.opml) through `src/feeds`. Pure functions over `State`; the commands
 * load and save it.
 */

import { SeedcastError } from '../errors.js';
import { buildOpml, parseOpml, type Subscription } from '../feeds/index.js';
import { DEFAULT_FEED_OPTIONS, type FeedOptions, type FeedState, type State } from './state.js';

/** The canonical form of a feed URL (WHATWG URL serialisation); only http and https. */
export function normalizeFeedUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new SeedcastError('USAGE', `"${input}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SeedcastError('USAGE', `"${input}" is not an http(s) URL`);
  url.hash = '';
  return url.href;
}

export function findFeed(state: State, url: string): FeedState | undefined {
  return state.feeds.find((f) => f.url === url);
}

/** Subscribe to `url` (or update its options); returns the feed and whether it is new. */
export function subscribe(
  state: State,
  input: string,
  options: Partial<FeedOptions> & { title?: string; htmlUrl?: string; category?: string; now?: Date } = {},
): { feed: FeedState; added: boolean } {
  const url = normalizeFeedUrl(input);
  const { title, htmlUrl, category, now, ...opts } = options;
  const known = findFeed(state, url);
  if (known) {
    Object.assign(known.options, definedOnly(opts));
    return { feed: known, added: false };
  }
  const feed: FeedState = {
    url,
    options: { ...DEFAULT_FEED_OPTIONS, ...definedOnly(opts) },
    addedAt: (now ?? new Date()).toISOString(),
    errors: 0,
    initialized: false,
    seen: [],
  };
  if (title) feed.title = title;
  if (htmlUrl) feed.htmlUrl = htmlUrl;
  if (category) feed.category = category;
  state.feeds.push(feed);
  return { feed, added: true };
}

/** Change a subscribed feed's options (AGGREGATOR_NO_FEED when it is not subscribed: never subscribes). */
export function setFeedOptions(state: State, input: string, options: Partial<FeedOptions>): FeedState {
  const feed = findFeed(state, normalizeFeedUrl(input));
  if (!feed) throw new SeedcastError('AGGREGATOR_NO_FEED', input);
  Object.assign(feed.options, definedOnly(options));
  return feed;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Unsubscribe from `url`; true when it was subscribed. Downloads already made stay in the library. */
export function unsubscribe(state: State, input: string): boolean {
  const url = normalizeFeedUrl(input);
  const before = state.feeds.length;
  state.feeds = state.feeds.filter((f) => f.url !== url);
  for (const d of state.downloads) {
    if (d.feed === url && d.seeding) d.seeding.done = true; // stop seeding what it brought
    if (d.feed === url && (d.status === 'queued' || d.status === 'downloading')) {
      d.status = 'failed';
      d.error = 'unsubscribed';
    }
  }
  return state.feeds.length < before;
}

/** Subscribe to every feed of an OPML document; returns how many were new. */
export function importOpml(
  state: State,
  document: Uint8Array | string,
  options: Partial<FeedOptions> = {},
): number {
  let added = 0;
  for (const s of parseOpml(document).subscriptions) {
    const r = subscribe(state, s.url, {
      ...options,
      ...(s.title && s.title !== s.url ? { title: s.title } : {}), // buildOpml names untitled feeds by URL
      ...(s.htmlUrl ? { htmlUrl: s.htmlUrl } : {}),
      ...(s.category ? { category: s.category } : {}),
    });
    if (r.added) added++;
  }
  return added;
}

/** The subscriptions as an OPML 2.0 document. */
export function exportOpml(state: State, options: { date?: Date } = {}): string {
  const subs: Subscription[] = state.feeds.map((f) => ({
    url: f.url,
    ...(f.title ? { title: f.title } : {}),
    ...(f.htmlUrl ? { htmlUrl: f.htmlUrl } : {}),
    ...(f.category ? { category: f.category } : {}),
  }));
  return buildOpml(subs, options);
}

/** The subscriptions on disk (authoritative for membership and options) with a running sync's bookkeeping. */
export function mergeFeeds(disk: FeedState[], mine: FeedState[]): FeedState[] {
  const byUrl = new Map(mine.map((f) => [f.url, f]));
  return disk.map((d) => {
    const m = byUrl.get(d.url);
    if (!m) return d;
    m.options = d.options; // the same object: a poll in flight keeps updating what is saved
    if (!m.title && d.title) m.title = d.title;
    return m;
  });
}
