/**
 * A collection's feeds and embed: `/collections/:id/feed.rss|feed.atom|feed.json` (its ready items
 * in the collection's order, written by the site's feed writers from `toEntries`; `?enclosure=torrent`
 * as for the other feeds; conditional GET like `feeds.ts`) and `/embed/collections/:id`, a compact
 * player page listing the items and playing the first (`?item=ID` plays another; the same CSP as
 * the item embed: no scripts, media from the site only, framable anywhere). Unlisted collections
 * answer too (they are reachable by id), with `X-Robots-Tag: noindex`.
 */

import type {} from '@fastify/swagger'; // the schemas' summary and tags (OpenAPI)
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Collection, CollectionRepository } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import {
  type EnclosureForm,
  type FeedInfo,
  renderAtom,
  renderJsonFeed,
  renderRss,
} from '../../feeds/index.js';
import { documentHtml } from '../html/jsx.js';
import { CollectionEmbedPage } from '../pages/collection-embed.js';
import { errors } from '../schemas/index.js';
import { SITE_NAME, toEntries } from './feed-entries.js';
import { conditional, type FeedRoutesOptions, type Format, TYPES } from './feeds.js';

export interface CollectionFeedOptions extends FeedRoutesOptions {
  collections: CollectionRepository;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } },
} as const;

export async function collectionFeedRoutes(
  app: FastifyInstance,
  options: CollectionFeedOptions,
): Promise<void> {
  const { collections, items, links } = options;

  /** The collection (NOT_FOUND when none) and its visible entries in order. */
  const load = async (
    id: string,
    reply: FastifyReply,
  ): Promise<{ c: Collection; items: Awaited<ReturnType<typeof items.many>> }> => {
    const c = await collections.get(Number(id));
    if (!c) throw new SeedcastError('NOT_FOUND', `no collection ${id}`);
    if (c.visibility === 'unlisted') reply.header('X-Robots-Tag', 'noindex');
    const list = (await items.many(await collections.itemIds(c.id))).filter((i) => i.status === 'ready');
    return { c, items: list };
  };

  for (const format of ['rss', 'atom', 'json'] as const satisfies readonly Format[]) {
    app.get<{ Params: { id: string }; Querystring: { enclosure?: EnclosureForm } }>(
      `/collections/:id/feed.${format}`,
      {
        schema: {
          summary: `A collection's items in order (${format === 'json' ? 'JSON Feed' : format.toUpperCase()})`,
          tags: ['collections', 'feeds'],
          params: idParams,
          querystring: {
            type: 'object',
            properties: { enclosure: { type: 'string', enum: ['media', 'torrent'] } },
          },
          response: {
            200: { type: 'string' },
            304: { type: 'null', description: 'Not modified (If-None-Match or If-Modified-Since)' },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const { c, items: list } = await load(request.params.id, reply);
        const entries = await toEntries(list, options);
        const page = `${links.root}/collections/${c.id}`;
        const query = request.query.enclosure ? `?enclosure=${request.query.enclosure}` : '';
        const alt = (f: Format) => `${page}/feed.${f}${query}`;
        const updated = entries.reduce<Date>(
          (m, e) => (m >= e.updated ? m : e.updated),
          new Date(c.updatedAt),
        );
        const info: FeedInfo = {
          title: c.title,
          description: c.description || `A collection by ${c.owner} on ${SITE_NAME}.`,
          link: page,
          self: alt(format),
          site: links.root,
          language: null,
          author: c.owner,
          updated,
          alternates: { rss: alt('rss'), atom: alt('atom'), json: alt('json') },
        };
        const form = request.query.enclosure ?? 'media';
        const body =
          format === 'rss'
            ? renderRss(info, entries, form)
            : format === 'atom'
              ? renderAtom(info, entries, form)
              : renderJsonFeed(info, entries, form);
        reply.type(TYPES[format]).header('X-Content-Type-Options', 'nosniff');
        if (conditional(request, reply, body, updated.getTime())) return reply.code(304).send();
        return body;
      },
    );
  }

  app.get<{ Params: { id: string }; Querystring: { item?: string } }>(
    '/embed/collections/:id',
    {
      schema: {
        summary: 'A compact player page for a collection (for iframes)',
        tags: ['collections'],
        params: idParams,
        querystring: { type: 'object', properties: { item: { type: 'string', maxLength: 20 } } },
        response: { 200: { type: 'string' }, ...errors },
      },
    },
    async (request, reply) => {
      const { c, items: list } = await load(request.params.id, reply);
      const entries = await toEntries(list, options);
      const wanted = Number(request.query.item);
      const current = entries.find((e) => e.id === wanted) ?? entries[0];
      reply
        .type('text/html; charset=utf-8')
        .header('X-Content-Type-Options', 'nosniff')
        .header(
          'Content-Security-Policy',
          "default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors *",
        );
      return documentHtml(
        CollectionEmbedPage({
          title: c.title,
          pageUrl: `${links.root}/collections/${c.id}`,
          embedPath: `/embed/collections/${c.id}`,
          entries,
          current,
        }),
      );
    },
  );
}
