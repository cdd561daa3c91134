/**
 * What the Shows pages and the shows API do, in one place: follow a show from a pasted URL (a feed,
 * or a page naming its feed: `discoverFeed`), import OPML, change a show's options, unsubscribe, poll
 * now, and each show as JSON. Subscription changes go through `Aggregator.updateSubscriptions`, which
 * edits `state.json` first, so `seedcast subscribe`/`unsubscribe` run beside the app are never lost.
 * A new show is polled at once in the background; the answer waits for that poll only a moment (so a
 * fast feed's title and episodes are there when the page loads), never for a slow feed, and a failed
 * poll is the show's `lastError`, not an error of the request.
 */

import {
  type DiscoverOptions,
  type DownloadRecord,
  discoverFeed,
  type FeedOptions,
  type FeedState,
  importOpml,
  loadState,
  normalizeFeedUrl,
  setFeedOptions,
  subscribe,
  unsubscribe,
} from '../../aggregator/index.js';
import { SeedcastError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { episodesOfFeed, newCounts, showIdOf } from '../library-index.js';

/** How long an answer waits for a new show's first poll before it goes on without it. */
export const FIRST_POLL_WAIT_MS = 4000;

export interface ShowJson {
  id: string;
  url: string;
  title: string | null;
  error: string | null;
  /** Episodes known but not fetched (`new`). */
  newCount: number;
  /** Episodes listed (any state). */
  episodes: number;
  options: FeedOptions;
  description: string | null;
  image: string | null;
  htmlUrl: string | null;
  lastPolledAt: string | null;
  nextPollAt: string | null;
}

/** The show's name for people: its title, else its host name. */
export function showTitle(feed: FeedState): string {
  if (feed.title) return feed.title;
  try {
    return new URL(feed.url).hostname;
  } catch {
    return feed.url;
  }
}

/** The show's episodes (not the removed ones), newest first. */
export function showEpisodes(ctx: AppContext, feed: FeedState): DownloadRecord[] {
  return episodesOfFeed(ctx, feed.url);
}

/** How many of the show's episodes are `new` (`counts`: every show's, from `newCounts`, for lists). */
export function newCount(ctx: AppContext, feed: FeedState, counts?: Map<string, number>): number {
  return (counts ?? newCounts(ctx)).get(feed.url) ?? 0;
}

/** An image URL safe to put in a page (http or https only). */
export function imageUrl(feed: FeedState): string | undefined {
  return feed.image && /^https?:\/\//i.test(feed.image) ? feed.image : undefined;
}

export function showJson(ctx: AppContext, feed: FeedState, counts?: Map<string, number>): ShowJson {
  return {
    id: showIdOf(feed.url),
    url: feed.url,
    title: feed.title ?? null,
    error: feed.lastError ?? null,
    newCount: newCount(ctx, feed, counts),
    episodes: showEpisodes(ctx, feed).length,
    options: { ...feed.options },
    description: feed.description ?? null,
    image: imageUrl(feed) ?? null,
    htmlUrl: feed.htmlUrl ?? null,
    lastPolledAt: feed.lastPolledAt ?? null,
    nextPollAt: feed.nextPollAt ?? null,
  };
}

function running(ctx: AppContext, url: string): FeedState {
  const feed = ctx.aggregator.state.feeds.find((f) => f.url === url);
  if (!feed) throw new SeedcastError('AGGREGATOR_NO_FEED', url);
  return feed;
}

const caughtUp = new WeakMap<AppContext, { at: number; running?: Promise<void> }>();

/**
 * Take in the subscriptions `seedcast subscribe`/`unsubscribe` changed in `state.json` now, rather
 * than on the app's next periodic save (within 10 s): when the file's list or options differ from the
 * running state's, save, which merges them (`Aggregator.persist`). At most once a second.
 */
export async function catchUpWithCli(ctx: AppContext): Promise<void> {
  const last = caughtUp.get(ctx) ?? { at: 0 };
  caughtUp.set(ctx, last);
  if (last.running) return last.running;
  if (Date.now() - last.at < 1000) return;
  last.at = Date.now();
  last.running = (async () => {
    // Parsing the whole file (megabytes for a big library) only when someone else wrote it.
    if (!(await ctx.aggregator.changedOnDisk())) return;
    const disk = await loadState(ctx.aggregator.home).catch(() => undefined);
    const key = (feeds: readonly FeedState[]) =>
      JSON.stringify(
        feeds.map(({ url, options: o }) => [url, o.recent, o.autoDownload, o.keepLast, o.httpFallback]),
      );
    if (disk && key(disk.feeds) !== key(ctx.aggregator.state.feeds)) await ctx.aggregator.persist();
  })().finally(() => {
    last.running = undefined;
  });
  return last.running;
}

/** Resolves after `promise` or `ms`, whichever comes first (the work goes on). */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Poll `urls` now, four at a time, in the background; never rejects. */
export function pollInBackground(ctx: AppContext, urls: readonly string[]): Promise<void> {
  const queue = [...urls];
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift())
      await ctx.aggregator.pollNow(url).catch(() => undefined); // the feed's error is on the show
  };
  return Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker)).then(() => undefined);
}

export interface AddShowOptions {
  /** Find the feed behind the URL (default); false: subscribe to the URL as given. */
  discover?: boolean;
  /** Milliseconds to wait for the first poll before answering (default `FIRST_POLL_WAIT_MS`). */
  waitMs?: number;
  /** For tests: the discovery's fetch limits. */
  discovery?: DiscoverOptions;
  /** The show's settings from the start (before its first poll queues anything). */
  settings?: Partial<Pick<FeedOptions, 'keepLast' | 'autoDownload' | 'httpFallback'>>;
}

/** Follow the show `input` names; returns it and whether it is new. */
export async function addShow(
  ctx: AppContext,
  input: string,
  options: AddShowOptions = {},
): Promise<{ feed: FeedState; added: boolean }> {
  const found =
    options.discover === false
      ? { url: normalizeFeedUrl(input), title: undefined }
      : await discoverFeed(input, options.discovery);
  const added = await ctx.aggregator.updateSubscriptions(
    (state) =>
      subscribe(state, found.url, { ...options.settings, ...(found.title ? { title: found.title } : {}) })
        .added,
  );
  const feed = running(ctx, found.url);
  if (added) await atMost(pollInBackground(ctx, [feed.url]), options.waitMs ?? FIRST_POLL_WAIT_MS);
  return { feed, added };
}

/** Follow every feed of an OPML document; returns how many were new (polled in the background). */
export async function importShows(
  ctx: AppContext,
  document: string | Uint8Array,
  options: { waitMs?: number } = {},
): Promise<number> {
  const fresh: string[] = [];
  const added = await ctx.aggregator.updateSubscriptions((state) => {
    const before = new Set(state.feeds.map((f) => f.url));
    const n = importOpml(state, document);
    fresh.push(...state.feeds.filter((f) => !before.has(f.url)).map((f) => f.url));
    return n;
  });
  if (fresh.length > 0) await atMost(pollInBackground(ctx, fresh), options.waitMs ?? FIRST_POLL_WAIT_MS);
  return added;
}

export async function updateShow(
  ctx: AppContext,
  feed: FeedState,
  options: Partial<Pick<FeedOptions, 'keepLast' | 'autoDownload' | 'httpFallback'>>,
): Promise<FeedState> {
  await ctx.aggregator.updateSubscriptions((state) => setFeedOptions(state, feed.url, options));
  const now = running(ctx, feed.url);
  ctx.aggregator.pump(); // queued episodes may be fetched now (e.g. HTTP allowed again)
  return now;
}

export async function removeShow(ctx: AppContext, feed: FeedState): Promise<void> {
  const removed = await ctx.aggregator.updateSubscriptions((state) => unsubscribe(state, feed.url));
  if (!removed) throw new SeedcastError('AGGREGATOR_NO_FEED', feed.url);
}

/** Poll the show now, waiting at most `waitMs` (default 10 s) for the answer. */
export async function refreshShow(ctx: AppContext, feed: FeedState, waitMs = 10_000): Promise<FeedState> {
  await atMost(pollInBackground(ctx, [feed.url]), waitMs);
  return running(ctx, feed.url);
}
