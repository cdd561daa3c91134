/**
 * From a feed's new items to download records: what to fetch (`chooseEnclosures`: the swarm when
 * offered, the HTTP media as the fallback), what the feed promised (length, `podcast:integrity`), and
 * a unique, safe place in the library (`library/<feed title>/<item title>`).
 */

import { createHash } from 'node:crypto';
import { chooseEnclosures, type FeedItem } from '../feeds/index.js';
import { inside, libraryDir, safeName } from './paths.js';
import type { DownloadRecord, FeedState, State } from './state.js';

/** Stable id of an item of a feed. */
export function recordId(feedUrl: string, guid: string): string {
  return createHash('sha1').update(`${feedUrl}\n${guid}`).digest('hex').slice(0, 16);
}

/** The library folder of a feed: its title, or its host name before the first poll. */
export function feedFolder(home: string, feed: FeedState): string {
  let fallback = 'feed';
  try {
    fallback = new URL(feed.url).hostname || fallback;
  } catch {
    // keep "feed"
  }
  return inside(libraryDir(home), safeName(feed.title ?? fallback, { fallback }));
}

function uniqueBase(state: State, folder: string, title: string): string {
  const taken = new Set(state.downloads.filter((d) => d.status !== 'removed').map((d) => d.base));
  const name = safeName(title, { maxBytes: 100 });
  let base = inside(folder, name);
  for (let n = 2; taken.has(base); n++) base = inside(folder, `${name} (${n})`);
  return base;
}

/** A record for `item`, or undefined when it offers nothing to fetch or is already known. */
export function recordFor(
  state: State,
  item: FeedItem,
  options: { home: string; feed: FeedState; now?: Date },
): DownloadRecord | undefined {
  const { home, feed, now = new Date() } = options;
  const id = recordId(feed.url, item.guid);
  if (state.downloads.some((d) => d.id === id)) return undefined;
  const choice = chooseEnclosures(item);
  if (choice.prefer === 'none') return undefined;
  const record: DownloadRecord = {
    id,
    feed: feed.url,
    guid: item.guid,
    title: item.title || item.guid,
    base: uniqueBase(state, feedFolder(home, feed), item.title || item.guid),
    status: 'queued',
    attempts: 0,
    queuedAt: now.toISOString(),
  };
  if (item.published) record.published = item.published;
  if (choice.media) record.media = choice.media.url;
  if (choice.media?.type) record.mediaType = choice.media.type;
  if (choice.torrent) record.torrent = choice.torrent;
  if (choice.magnet) record.magnet = choice.magnet;
  if (choice.length !== undefined) record.length = choice.length;
  // podcast:integrity sits in an alternateEnclosure; it vouches for every enclosure with the same URL.
  const sri = item.enclosures
    .filter((e) => e.url === choice.media?.url)
    .flatMap((e) => e.integrity ?? [])
    .filter((i) => i.type === 'sri')
    .map((i) => i.value);
  if (sri.length > 0) record.integrity = sri;
  return record;
}
