/**
 * Polling one feed: a conditional GET (RFC 9110 section 13: `If-None-Match` with the stored ETag,
 * `If-Modified-Since` with the stored Last-Modified), redirects followed up to a limit, the body capped
 * in size, then `parseFeed`. Updates the feed's bookkeeping: validators, the interval the feed asks for
 * (RSS `ttl`, RSS 1.0 `sy:updatePeriod`/`sy:updateFrequency`), the next poll time, and on failure an
 * exponential backoff. Returns the items not seen before (on the first successful poll only the newest
 * `recent` ones; the rest are marked seen).
 */

import { DEFAULT_MAX_BYTES, type Feed, type FeedItem, parseFeed } from '../feeds/index.js';
import { httpGet, readLimited } from './http.js';
import type { FeedState } from './state.js';

export const DEFAULT_INTERVAL_MINUTES = 60;
const MIN_INTERVAL_MINUTES = 5;
const MAX_INTERVAL_MINUTES = 24 * 60;
const BACKOFF_BASE_MINUTES = 5;
const MAX_SEEN = 2000;
/** Older items listed as `new` on a show's first poll (the rest are only marked seen). */
const MAX_OLDER = 100;

export type PollResult =
  | { ok: true; changed: boolean; feed?: Feed; fresh: FeedItem[]; older: FeedItem[] }
  | { ok: false; error: string };

export interface PollOptions {
  now?: Date;
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
}

/** Minutes until the next poll of a healthy feed. */
export function pollInterval(feed: Pick<FeedState, 'intervalMinutes'>): number {
  const asked = feed.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES;
  return Math.min(MAX_INTERVAL_MINUTES, Math.max(MIN_INTERVAL_MINUTES, asked));
}

/** Minutes until the next try after `errors` failures in a row: 5, 10, 20 ... at most a day. */
export function backoffMinutes(errors: number): number {
  return Math.min(MAX_INTERVAL_MINUTES, BACKOFF_BASE_MINUTES * 2 ** Math.min(20, Math.max(0, errors - 1)));
}

function at(now: Date, minutes: number): string {
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}

/** True when the feed is due at `now`. */
export function isDue(feed: FeedState, now: Date): boolean {
  return !feed.nextPollAt || Date.parse(feed.nextPollAt) <= now.getTime();
}

/** Items newest first: by date where both have one, else in document order (feeds list newest first). */
function newestFirst(items: FeedItem[]): FeedItem[] {
  const dated = items.map((item, index) => ({
    item,
    index,
    t: Date.parse(item.published ?? item.updated ?? ''),
  }));
  dated.sort((a, b) =>
    Number.isNaN(a.t) || Number.isNaN(b.t) ? a.index - b.index : b.t - a.t || a.index - b.index,
  );
  return dated.map((d) => d.item);
}

/** Poll `feed` (changing its bookkeeping in place). Never throws: a failure is `{ ok: false }`. */
export async function pollFeed(feed: FeedState, options: PollOptions = {}): Promise<PollResult> {
  const now = options.now ?? new Date();
  feed.lastPolledAt = now.toISOString();
  const headers: Record<string, string> = {
    accept:
      'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5',
  };
  if (feed.etag) headers['if-none-match'] = feed.etag;
  if (feed.lastModified) headers['if-modified-since'] = feed.lastModified;
  let parsed: Feed;
  try {
    const { response, url } = await httpGet(feed.url, {
      headers,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRedirects: options.maxRedirects ?? 5,
    });
    if (response.status === 304) {
      await response.body?.cancel();
      succeeded(feed, now);
      return { ok: true, changed: false, fresh: [], older: [] };
    }
    const body = await readLimited(response, { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, url });
    parsed = parseFeed(body, { url, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
    const etag = response.headers.get('etag');
    const modified = response.headers.get('last-modified');
    if (etag) feed.etag = etag;
    else delete feed.etag;
    if (modified) feed.lastModified = modified;
    else delete feed.lastModified;
  } catch (err) {
    feed.errors++;
    feed.lastError = (err as Error).message.split('\n')[0]!;
    feed.nextPollAt = at(now, backoffMinutes(feed.errors));
    return { ok: false, error: feed.lastError };
  }
  if (parsed.title) feed.title = parsed.title;
  if (parsed.link && !feed.htmlUrl) feed.htmlUrl = parsed.link;
  if (parsed.descriptionText) feed.description = parsed.descriptionText.slice(0, 2000);
  if (parsed.image) feed.image = parsed.image;
  const asked = parsed.ttl ?? parsed.updateInterval;
  if (asked !== undefined && asked > 0) feed.intervalMinutes = asked;
  else delete feed.intervalMinutes;
  succeeded(feed, now);
  const seen = new Set(feed.seen);
  const unseen = newestFirst(parsed.items.filter((i) => !seen.has(i.guid)));
  const fresh = feed.initialized ? unseen : unseen.slice(0, feed.options.recent);
  const older = unseen.slice(fresh.length, fresh.length + MAX_OLDER);
  feed.initialized = true;
  feed.seen = [...unseen.map((i) => i.guid), ...feed.seen].slice(0, Math.max(MAX_SEEN, parsed.items.length));
  return { ok: true, changed: true, feed: parsed, fresh, older };
}

function succeeded(feed: FeedState, now: Date): void {
  feed.errors = 0;
  delete feed.lastError;
  feed.nextPollAt = at(now, pollInterval(feed));
}
