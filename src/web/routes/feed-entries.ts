/**
 * What the site's feeds, oEmbed answers, embed pages and OAI-PMH records are made of: `toEntries`
 * turns items into `FeedEntry` values, looking up the owners, channels, torrent sizes, derivatives,
 * captions and chapters they need once per request.
 */

import type { Channel, Item } from '../../catalog/index.js';
import { ServedTorrents } from '../../distribution/index.js';
import { type EntryContext, type FeedEntry, toEntry } from '../../feeds/index.js';
import type { CaptionView, ItemMediaView } from '../../media/index.js';
import type { FeedRoutesOptions } from './feeds.js';

/** The name feeds, oEmbed and OAI-PMH give the site. */
export const SITE_NAME = 'Seedcast';

/** The owner names, channels and torrent sizes that entries need, looked up once per request. */
async function entryContext(items: Item[], options: FeedRoutesOptions): Promise<EntryContext> {
  const owners = new Map<number, string>();
  const channels = new Map<number, Channel>();
  const torrents = new Map<number, number>();
  // Derivatives, captions and chapters (issue 18), when the site has them.
  const views = new Map<number, ItemMediaView>();
  const captions = new Map<number, CaptionView[]>();
  const chapters = new Map<number, string | null>();
  const processing = options.processing;
  const captionViews = options.captions;
  const served = options.torrents ?? new ServedTorrents({ blobs: options.blobs, links: options.links });
  await Promise.all([
    ...[...new Set(items.map((i) => i.ownerId))].map(async (id) => {
      owners.set(id, (await options.users.byId(id))?.username ?? 'unknown');
    }),
    ...[...new Set(items.flatMap((i) => (i.channelId === null ? [] : [i.channelId])))].map(async (id) => {
      const c = await options.channels.byId(id);
      if (c) channels.set(id, c);
    }),
    ...items.map(async (i) => {
      const length = await served.length(i);
      if (length !== undefined) torrents.set(i.id, length);
    }),
    (async () => {
      if (!processing || items.length === 0) return;
      if (processing.viewMany) for (const [id, v] of await processing.viewMany(items)) views.set(id, v);
      else for (const i of items) views.set(i.id, await processing.view(i));
    })(),
    ...(captionViews
      ? items.map(async (i) => {
          captions.set(i.id, await captionViews.captions(i.id));
          chapters.set(i.id, await captionViews.chaptersUrl(i.id));
        })
      : []),
  ]);
  return {
    links: options.links,
    ownerName: (id) => owners.get(id) ?? 'unknown',
    channel: (id) => channels.get(id),
    torrentLength: (id) => torrents.get(id),
    thumbnail: (item) => (item.thumbnailKey ? options.links.thumbnail(item.id) : null),
    mediaView: (id) => views.get(id),
    captions: (id) => captions.get(id) ?? [],
    chapters: (id) => chapters.get(id) ?? null,
  };
}

export async function toEntries(items: Item[], options: FeedRoutesOptions): Promise<FeedEntry[]> {
  const ctx = await entryContext(items, options);
  return items.map((i) => toEntry(i, ctx));
}
