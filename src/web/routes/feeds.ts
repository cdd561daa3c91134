/**
 * The site's feeds over HTTP (CONTRACT.md "Feeds"): `/feeds/items.rss`, `.atom` and `.json`, filtered
 * by `?q=`, `?tag=`, `?user=` and `?channel=`, in the default form (media file as the enclosure) or the
 * BitTorrent-first form (`?enclosure=torrent`); the same per channel (`/channels/:slug/feed.rss`...)
 * and per user (`/users/:name/feed.rss`...); `/feeds/channels.opml`; and, registered with them,
 * `/oembed` with `/items/:id/embed` (`embed.ts`) and `/oai` (`oai.ts`). Feeds answer
 * conditional GET (RFC 9110): a strong `ETag` over the body and `Last-Modified` from the latest
 * change to any item, with 304 for `If-None-Match` (or, without it, `If-Modified-Since`). Rendered
 * feeds are kept by URL while no item changes (for a minute at most), so polling clients cost a query.
 */

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  Channel,
  ChannelRepository,
  Item,
  ItemFilter,
  ItemRepository,
  SiteLinks,
  UserRepository,
} from '../../catalog/index.js';
import { ServedTorrents } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import {
  type EnclosureForm,
  type FeedInfo,
  renderAtom,
  renderJsonFeed,
  renderOpml,
  renderRss,
} from '../../feeds/index.js';
import type { CaptionViews, ProcessingViews } from '../../media/index.js';
import type { BlobStore } from '../../storage/index.js';
import { feedSchema, opmlSchema } from '../schemas/feeds.js';
import { registerSchemas } from '../schemas/index.js';
import { channelFeedFacts } from './channels-feed.js';
import { embedRoutes } from './embed.js';
import { SITE_NAME, toEntries } from './feed-entries.js';
import { oaiRoutes } from './oai.js';

export interface FeedRoutesOptions {
  items: ItemRepository;
  channels: ChannelRepository;
  users: UserRepository;
  blobs: BlobStore;
  links: SiteLinks;
  /** The `.torrent` as served, for enclosure lengths (default: one of its own over `blobs` and `links`). */
  torrents?: ServedTorrents;
  /** Derivatives (issue 18): the enclosure becomes the most compatible playable file. */
  processing?: ProcessingViews;
  /** Captions and chapters (issue 18): `podcast:transcript` and `podcast:chapters`. */
  captions?: CaptionViews;
  /** Items per feed (default 50). */
  feedSize?: number;
  /** Records per OAI-PMH page (default 100). */
  oaiPageSize?: number;
  /**
   * Full-text search for `?q=`: the catalog's `SearchRepository`, or a function giving the ids of
   * matching items. Without it, `?q=` matches words in the title or description.
   */
  search?: FeedSearch | ((q: string, limit: number) => Promise<number[]>);
}

/** What feeds need of full-text search: ready items matching text and filters, newest first. */
export interface FeedSearch {
  search(query: {
    q?: string;
    tags?: readonly string[];
    channel?: string;
    user?: string;
    sort?: 'newest';
    perPage?: number;
  }): Promise<{ items: Item[] }>;
}

export type Format = 'rss' | 'atom' | 'json';

export const TYPES: Record<Format, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

interface FeedQuery {
  q?: string;
  tag?: string;
  user?: string;
  channel?: string;
  enclosure?: 'media' | 'torrent';
}

const feedQuery = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 200 },
    tag: { type: 'string', maxLength: 50 },
    user: { type: 'string', maxLength: 32 },
    channel: { type: 'string', maxLength: 64 },
    enclosure: { type: 'string', enum: ['media', 'torrent'] },
  },
} as const;

const CACHE_MS = 60_000;
const CACHE_SIZE = 200;

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** A strong validator over the body, and the 304 decision (RFC 9110 §13.1.1-2). */
export function conditional(
  request: FastifyRequest,
  reply: FastifyReply,
  body: string | { etag: string },
  lastModified: number | null,
): boolean {
  const etag = typeof body === 'string' ? etagOf(body) : body.etag;
  reply.header('ETag', etag).header('Cache-Control', 'public, max-age=60').header('Vary', 'Accept-Encoding');
  const modified = lastModified === null ? null : Math.floor(lastModified / 1000) * 1000;
  if (modified !== null) reply.header('Last-Modified', new Date(modified).toUTCString());
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) {
    const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes(etag) || tags.includes('*');
  }
  const ims = request.headers['if-modified-since'];
  if (ims !== undefined && modified !== null) {
    const since = Date.parse(ims);
    return Number.isFinite(since) && modified <= since;
  }
  return false;
}

function normaliseTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, ' ');
}

export async function feedRoutes(app: FastifyInstance, given: FeedRoutesOptions): Promise<void> {
  registerSchemas(app); // the answers' shared schemas, when registered alone
  // One cache of served torrents for every entry of these routes (the `.torrent` route's, from app.ts).
  const options = {
    ...given,
    torrents: given.torrents ?? new ServedTorrents({ blobs: given.blobs, links: given.links }),
  };
  const { items, channels, users, links } = options;
  const feedSize = options.feedSize ?? 50;

  /** The feed's items and its description, from the filters. */
  async function select(query: FeedQuery, selfPath: string, rawQuery: string) {
    const filter: ItemFilter = { limit: feedSize };
    const root = links.root;
    const parts: string[] = [];
    let title = `${SITE_NAME}: newest items`;
    let description = `The newest media on ${SITE_NAME}.`;
    let link = `${root}/`;
    let author = SITE_NAME;
    let userName: string | undefined;
    if (query.user !== undefined) {
      const user = await users.byName(query.user);
      if (!user || user.disabled)
        throw new SeedcastError('NOT_FOUND', `no user "${query.user.slice(0, 40)}"`);
      filter.ownerId = user.id;
      userName = user.username;
      parts.push(`by ${user.username}`);
      link = `${root}/users/${encodeURIComponent(user.username)}`;
      author = user.username;
    }
    let channel: Channel | undefined;
    if (query.channel !== undefined) {
      channel = await channels.bySlug(query.channel);
      if (!channel) throw new SeedcastError('NOT_FOUND', `no channel "${query.channel.slice(0, 64)}"`);
      filter.channelId = channel.id;
      link = `${root}/channels/${channel.slug}`;
    }
    if (query.tag !== undefined && normaliseTag(query.tag) !== '') {
      filter.tag = normaliseTag(query.tag);
      parts.push(`tagged "${filter.tag}"`);
    }
    const q = query.q?.trim();
    if (q) {
      parts.push(`matching "${q}"`);
      link = `${root}/search?q=${encodeURIComponent(q)}`;
    }
    if (channel) {
      title = parts.length > 0 ? `${channel.title} (${parts.join(', ')})` : channel.title;
      description = channel.description || `Items in the channel ${channel.title} on ${SITE_NAME}.`;
      author = (await users.byId(channel.ownerId))?.username ?? author;
    } else if (parts.length > 0) {
      title = `${SITE_NAME}: items ${parts.join(', ')}`;
      description = `Items ${parts.join(', ')} on ${SITE_NAME}.`;
    }
    let found: Item[];
    const search = options.search;
    if (q && typeof search === 'function') {
      // A feed is read in time order: the newest of the matches, with the feed's own filters.
      found = await items.list({ ...filter, ids: await search(q, 1000) });
    } else if (q && search && typeof search !== 'function') {
      // A feed is read in time order: the newest matches, not the best-ranked ones.
      const result = await search.search({
        q,
        sort: 'newest',
        perPage: feedSize,
        ...(filter.tag !== undefined ? { tags: [filter.tag] } : {}),
        ...(channel ? { channel: channel.slug } : {}),
        ...(userName !== undefined ? { user: userName } : {}),
      });
      found = result.items.filter((i) => i.status === 'ready');
    } else {
      found = await items.list(q ? { ...filter, text: q } : filter);
    }
    const entries = await toEntries(found, options);
    const self = `${root}${selfPath}${rawQuery ? `?${rawQuery}` : ''}`;
    const alt = (f: Format) =>
      `${root}${selfPath.replace(/\.(rss|atom|json)$/, `.${f}`)}${rawQuery ? `?${rawQuery}` : ''}`;
    const updated = entries.reduce<Date | null>((m, e) => (m && m >= e.updated ? m : e.updated), null);
    const info: FeedInfo = {
      title,
      description,
      link,
      self,
      site: root,
      language: null,
      author,
      updated,
      alternates: { rss: alt('rss'), atom: alt('atom'), json: alt('json') },
      ...(channel ? channelFeedFacts(channel, root) : {}),
    };
    return { info, entries };
  }

  /**
   * Rendered feeds by URL, reused while no item changed (same latest change, same count) and for at
   * most `CACHE_MS` (so channel and account edits show within that time).
   */
  const cache = new Map<string, { stamp: string; at: number; body: string; etag: string }>();

  async function serveFeed(
    request: FastifyRequest,
    reply: FastifyReply,
    format: Format,
    query: FeedQuery,
    selfPath: string,
  ) {
    const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const change = await items.lastChange();
    // A channel's feed also changes with the channel (title, avatar, category...).
    const edited = query.channel !== undefined ? (await channels.bySlug(query.channel))?.updatedAt : null;
    const stamp = `${change.updatedAt}:${change.count}:${edited ?? ''}`;
    const key = `${selfPath}?${rawQuery}`;
    const now = Date.now();
    let body = cache.get(key);
    if (!body || body.stamp !== stamp || now - body.at > CACHE_MS) {
      const { info, entries } = await select(query, selfPath, rawQuery);
      const form: EnclosureForm = query.enclosure ?? 'media';
      const text =
        format === 'rss'
          ? renderRss(info, entries, form)
          : format === 'atom'
            ? renderAtom(info, entries, form)
            : renderJsonFeed(info, entries, form);
      body = { stamp, at: now, body: text, etag: etagOf(text) };
      cache.delete(key);
      cache.set(key, body);
      if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    reply.type(TYPES[format]).header('X-Content-Type-Options', 'nosniff');
    if (conditional(request, reply, body, change.updatedAt)) return reply.code(304).send();
    return body.body;
  }

  for (const format of ['rss', 'atom', 'json'] as const) {
    app.get<{ Querystring: FeedQuery }>(
      `/feeds/items.${format}`,
      { schema: feedSchema(format, 'the newest items (filtered by q, tag, user, channel)', feedQuery) },
      (request, reply) => serveFeed(request, reply, format, request.query, `/feeds/items.${format}`),
    );
    app.get<{ Querystring: FeedQuery; Params: { slug: string } }>(
      `/channels/:slug/feed.${format}`,
      { schema: feedSchema(format, "a channel's items", feedQuery) },
      (request, reply) =>
        serveFeed(
          request,
          reply,
          format,
          { ...request.query, channel: request.params.slug },
          `/channels/${encodeURIComponent(request.params.slug)}/feed.${format}`,
        ),
    );
    app.get<{ Querystring: FeedQuery; Params: { name: string } }>(
      `/users/:name/feed.${format}`,
      { schema: feedSchema(format, "a user's items", feedQuery) },
      (request, reply) =>
        serveFeed(
          request,
          reply,
          format,
          { ...request.query, user: request.params.name },
          `/users/${encodeURIComponent(request.params.name)}/feed.${format}`,
        ),
    );
  }

  app.get('/feeds/channels.opml', { schema: opmlSchema }, async (request, reply) => {
    const all = await channels.all();
    const root = links.root;
    const feeds = [
      {
        title: `${SITE_NAME}: newest items`,
        description: `The newest media on ${SITE_NAME}.`,
        xmlUrl: `${root}/feeds/items.rss`,
        htmlUrl: `${root}/`,
      },
      ...all.map((c) => ({
        title: c.title,
        description: c.description,
        xmlUrl: `${root}/channels/${c.slug}/feed.rss`,
        htmlUrl: `${root}/channels/${c.slug}`,
      })),
    ];
    const last = (await items.lastChange()).updatedAt;
    const body = renderOpml(`${SITE_NAME}: channels`, feeds, last === null ? null : new Date(last));
    reply.type('text/x-opml; charset=utf-8').header('X-Content-Type-Options', 'nosniff');
    if (conditional(request, reply, body, last)) return reply.code(304).send();
    return body;
  });

  await embedRoutes(app, options);
  await oaiRoutes(app, options);
}
