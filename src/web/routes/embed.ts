/**
 * Embedding items elsewhere: `/oembed` (oEmbed 1.0, JSON or XML, for the site's item pages) and the
 * bare player page `/items/:id/embed` that its `html` frames (its own CSP: no scripts, media and
 * images from the site only, framable anywhere). The embed's `#player` carries the viewer choice
 * (`data-p2p`: the site's default, or off and `data-p2p-forced="1"` with `?p2p=0`, which embedders
 * add to keep their readers off the swarm).
 */

import type { FastifyInstance } from 'fastify';
import { type P2pChoice, resolveP2p } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { type FeedEntry, itemIdFromUrl, oembedFor, oembedXml } from '../../feeds/index.js';
import { documentHtml } from '../html/jsx.js';
import { EmbedPage } from '../pages/embed.js';
import { oembedSchema } from '../schemas/feeds.js';
import { SITE_NAME, toEntries } from './feed-entries.js';
import type { FeedRoutesOptions } from './feeds.js';

export async function embedRoutes(
  app: FastifyInstance,
  options: FeedRoutesOptions & { settings?: { p2pDefault(): Promise<P2pChoice> } },
): Promise<void> {
  const { items, links } = options;
  const readyEntry = async (id: number): Promise<FeedEntry> => {
    const item = await items.get(id);
    if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${id}`);
    return (await toEntries([item], options))[0]!;
  };

  app.get<{ Querystring: { url: string; format?: string; maxwidth?: number; maxheight?: number } }>(
    '/oembed',
    {
      schema: {
        ...oembedSchema,
        querystring: {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', maxLength: 2000, description: "An item's page URL on this site" },
            format: { type: 'string', maxLength: 10, description: 'json (the default) or xml' },
            maxwidth: { type: 'integer', minimum: 1, maximum: 10000 },
            maxheight: { type: 'integer', minimum: 1, maximum: 10000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { url, format = 'json', maxwidth, maxheight } = request.query;
      if (format !== 'json' && format !== 'xml')
        throw new SeedcastError('FEED_FORMAT', 'format: json or xml');
      const id = itemIdFromUrl(url, links.root);
      if (id === null) throw new SeedcastError('NOT_FOUND', 'url: not an item page of this site');
      const entry = await readyEntry(id);
      const answer = oembedFor(
        entry,
        {
          name: SITE_NAME,
          url: `${links.root}/`,
          authorUrl: `${links.root}/users/${encodeURIComponent(entry.owner)}`,
        },
        { ...(maxwidth ? { width: maxwidth } : {}), ...(maxheight ? { height: maxheight } : {}) },
      );
      reply.header('X-Content-Type-Options', 'nosniff').header('Access-Control-Allow-Origin', '*');
      if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(oembedXml(answer));
      return reply.type('application/json; charset=utf-8').send(answer);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { p2p?: string } }>(
    '/items/:id/embed',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } },
        },
      },
    },
    async (request, reply) => {
      const e = await readyEntry(Number(request.params.id));
      const p2p = options.settings
        ? resolveP2p({
            query: typeof request.query.p2p === 'string' ? request.query.p2p : undefined,
            site: await options.settings.p2pDefault(),
          })
        : undefined;
      reply
        .type('text/html; charset=utf-8')
        .header('X-Content-Type-Options', 'nosniff')
        .header(
          'Content-Security-Policy',
          "default-src 'none'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors *",
        );
      return documentHtml(EmbedPage({ entry: e, ...(p2p ? { p2p } : {}) }));
    },
  );
}
