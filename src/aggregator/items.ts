/**
 * From a feed's new items to download records: what to fetch (`chooseEnclosures`: the swarm when
 * offered, the HTTP media as the fallback), what the feed promised (length, `podcast:integrity`), and
 * a unique, safe place in the library (`library/<feed title>/<item title>`).
 *
 * Anyone can give a feed any title: a feed whose title names a folder holding another feed's
 * downloads gets a folder of its own (`<title> [<id from its URL>]`), so it cannot write over the
 * other feed's episodes; libraries made before keep their folders.
 */

import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { chooseEnclosures, type FeedItem } from '../feeds/index.js';
import { inside, libraryDir, safeExtension, safeName } from './paths.js';
import type { DownloadRecord, FeedState, State } from './state.js';

/** Stable id of an item of a feed. */
export function recordId(feedUrl: string, guid: string): string {
  return createHash('sha1').update(`${feedUrl}\n${guid}`).digest('hex').slice(0, 16);
}

/** A short, stable id of a feed (from its URL), for a library folder's name. */
export function feedId(feedUrl: string): string {
  return createHash('sha256').update(feedUrl).digest('hex').slice(0, 10);
}

/**
 * The library folder of a feed: its title (its host name before the first poll), unless downloads
 * of another feed are there; then the title and the feed's id (and a number, should even that be
 * taken). A folder never holds two feeds' downloads, whatever titles feeds give themselves.
 */
export function feedFolder(home: string, feed: FeedState, state?: State): string {
  let fallback = 'feed';
  try {
    fallback = new URL(feed.url).hostname || fallback;
  } catch {
    // keep "feed"
  }
  const title = feed.title ?? fallback;
  const owned = (folder: string) =>
    (state?.downloads ?? []).every((d) => d.feed === feed.url || dirname(d.base) !== folder);
  const plain = inside(libraryDir(home), safeName(title, { fallback }));
  if (owned(plain)) return plain;
  const short = safeName(title, { fallback, maxBytes: 100 });
  let folder = inside(libraryDir(home), `${short} [${feedId(feed.url)}]`);
  for (let n = 2; !owned(folder); n++)
    folder = inside(libraryDir(home), `${short} [${feedId(feed.url)}] ${n}`);
  return folder;
}

/** A base path in `folder` that neither another download's base nor its file uses. */
function uniqueBase(state: State, folder: string, title: string, ext: string): string {
  const taken = new Set(
    state.downloads
      .filter((d) => d.status !== 'removed')
      .flatMap((d) => [d.base, d.path ?? d.base, d.base + safeExtension(d.media, d.mediaType)]),
  );
  const name = safeName(title, { maxBytes: 100 });
  const free = (base: string) => !taken.has(base) && !taken.has(base + ext);
  let base = inside(folder, name);
  for (let n = 2; !free(base); n++) base = inside(folder, `${name} (${n})`);
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
    base: uniqueBase(
      state,
      feedFolder(home, feed, state),
      item.title || item.guid,
      safeExtension(choice.media?.url, choice.media?.type),
    ),
    status: 'queued',
    attempts: 0,
    queuedAt: now.toISOString(),
  };
  if (item.published) record.published = item.published;
  if (item.descriptionText) record.description = item.descriptionText.slice(0, 4000);
  if (item.link) record.link = item.link;
  if (item.image) record.image = item.image;
  if (item.duration !== undefined) record.duration = item.duration;
  if (choice.media) record.media = choice.media.url;
  if (choice.media?.type) record.mediaType = choice.media.type;
  if (choice.torrent) record.torrent = choice.torrent;
  if (choice.magnet) record.magnet = choice.magnet;
  if (choice.length !== undefined) record.length = choice.length;
  if (item.chapters) record.chapters = item.chapters.url;
  if (item.transcripts)
    record.transcripts = item.transcripts.map((t) => ({
      url: t.url,
      type: t.type,
      ...(t.language ? { language: t.language } : {}),
      ...(t.rel ? { rel: t.rel } : {}),
    }));
  // podcast:integrity sits in an alternateEnclosure; it vouches for every enclosure with the same URL.
  const sri = item.enclosures
    .filter((e) => e.url === choice.media?.url)
    .flatMap((e) => e.integrity ?? [])
    .filter((i) => i.type === 'sri')
    .map((i) => i.value);
  if (sri.length > 0) record.integrity = sri;
  return record;
}
