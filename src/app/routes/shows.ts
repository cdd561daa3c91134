/**
 * The shows API (same guard as the pages: session cookie and `X-CSRF-Token`): `GET /api/shows`,
 * `GET /api/shows/:id`, `POST /api/shows` `{ url }` (a feed URL, or a page URL whose feed is found
 * from its `<link rel="alternate">`; `discover: false` takes the URL as it is), `PATCH
 * /api/shows/:id` `{ keepLast?, autoDownload?, httpFallback? }`, `DELETE /api/shows/:id`, `POST
 * /api/shows/:id/refresh`, `POST /api/shows/import` (an OPML document as `text/x-opml`,
 * `application/xml` or `text/xml`) and the export, `GET /shows.opml` (OPML 2.0). The pages and their
 * forms are `shows-pages.ts`.
 */

import type { FastifyInstance } from 'fastify';
import { exportOpml, feedId } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';
import { newCounts } from '../library-index.js';
import { findShow, SHOW_ID } from '../lookup.js';
import {
  addShow,
  catchUpWithCli,
  importShows,
  refreshShow,
  removeShow,
  showJson,
  updateShow,
} from './shows-actions.js';
import { showsPageRoutes } from './shows-pages.js';

const OPML_TYPES = ['text/x-opml', 'application/xml', 'text/xml', 'text/plain'];
const OPML_LIMIT = 1024 * 1024;

const options = {
  type: 'object',
  properties: {
    recent: { type: 'integer' },
    autoDownload: { type: 'boolean' },
    keepLast: { type: 'integer' },
    httpFallback: { type: 'boolean' },
  },
} as const;

export const showSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    title: { type: ['string', 'null'] },
    error: { type: ['string', 'null'] },
    newCount: { type: 'integer' },
    episodes: { type: 'integer' },
    options,
    description: { type: ['string', 'null'] },
    image: { type: ['string', 'null'] },
    htmlUrl: { type: ['string', 'null'] },
    lastPolledAt: { type: ['string', 'null'] },
    nextPollAt: { type: ['string', 'null'] },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SHOW_ID } },
} as const;

const one = { type: 'object', properties: { show: showSchema } } as const;

export function showsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/shows',
    {
      schema: {
        response: { 200: { type: 'object', properties: { shows: { type: 'array', items: showSchema } } } },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      await catchUpWithCli(ctx);
      const counts = newCounts(ctx);
      return { shows: ctx.aggregator.state.feeds.map((f) => showJson(ctx, f, counts)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/shows/:id',
    { schema: { params: idParams, response: { 200: one } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      await catchUpWithCli(ctx);
      return { show: showJson(ctx, findShow(ctx, request.params.id)) };
    },
  );

  app.post<{
    Body: {
      url: string;
      discover?: boolean;
      keepLast?: number;
      autoDownload?: boolean;
      httpFallback?: boolean;
    };
  }>(
    '/api/shows',
    {
      schema: {
        body: {
          type: 'object',
          required: ['url'],
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 4096 },
            discover: { type: 'boolean' },
            keepLast: { type: 'integer', minimum: 0, maximum: 100000 },
            autoDownload: { type: 'boolean' },
            httpFallback: { type: 'boolean' },
          },
        },
        response: {
          200: one,
          201: one,
        },
      },
    },
    async (request, reply) => {
      const { url, discover, ...settings } = request.body;
      const { feed, added } = await addShow(ctx, url, {
        ...(discover === false ? { discover: false } : {}),
        settings,
      });
      return reply.code(added ? 201 : 200).send({ show: showJson(ctx, feed) });
    },
  );

  app.patch<{
    Params: { id: string };
    Body: { keepLast?: number; autoDownload?: boolean; httpFallback?: boolean };
  }>(
    '/api/shows/:id',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            keepLast: { type: 'integer', minimum: 0, maximum: 100_000 },
            autoDownload: { type: 'boolean' },
            httpFallback: { type: 'boolean' },
          },
        },
        response: { 200: one },
      },
    },
    async (request) => {
      const feed = await updateShow(ctx, findShow(ctx, request.params.id), request.body);
      return { show: showJson(ctx, feed) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/shows/:id',
    {
      schema: {
        params: idParams,
        response: {
          200: { type: 'object', properties: { unsubscribed: { type: 'string' }, url: { type: 'string' } } },
        },
      },
    },
    async (request) => {
      const feed = findShow(ctx, request.params.id);
      await removeShow(ctx, feed);
      return { unsubscribed: feedId(feed.url), url: feed.url };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/shows/:id/refresh',
    { schema: { params: idParams, response: { 200: one } } },
    async (request) => {
      const feed = await refreshShow(ctx, findShow(ctx, request.params.id));
      return { show: showJson(ctx, feed) };
    },
  );

  app.register(async (scope) => {
    scope.addContentTypeParser(OPML_TYPES, { parseAs: 'string', bodyLimit: OPML_LIMIT }, (_r, body, done) =>
      done(null, body),
    );
    scope.post<{ Body: string }>(
      '/api/shows/import',
      {
        schema: {
          body: { type: 'string', maxLength: OPML_LIMIT },
          response: { 200: { type: 'object', properties: { added: { type: 'integer' } } } },
        },
      },
      async (request) => ({ added: await importShows(ctx, request.body) }),
    );
  });

  app.get('/shows.opml', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) =>
    reply
      .type('text/x-opml; charset=utf-8')
      .header('content-disposition', 'attachment; filename="seedcast-shows.opml"')
      .header('cache-control', 'no-store')
      .send(exportOpml(ctx.aggregator.state, { date: new Date() })),
  );

  showsPageRoutes(app, ctx);
}
