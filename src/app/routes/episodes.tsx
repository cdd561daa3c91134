/**
 * The episodes' pages and form: `/new`, `/search?q=`, and `POST /episodes/<id>/action` (the list's
 * buttons: download, retry, delete, played, unplayed) which answers 303 back to the page it came
 * from (the form's `back` field or the Referer, when it is a path of this app) or to the episode's
 * own page. The JSON API is in `episodes-api.ts`.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import { EPISODE_ID, episodeById } from '../lookup.js';
import { NewPage } from '../pages/new.js';
import { SearchPage } from '../pages/search.js';
import { sendAppPage } from '../server.js';
import { EPISODE_ACTIONS, type EpisodeAction, episodesApiRoutes, runEpisodeAction } from './episodes-api.js';

/** A path of this app (`/...`, not `//host`), or undefined. */
export function localPath(value: string | undefined, request?: FastifyRequest): string | undefined {
  if (!value) return undefined;
  let path = value;
  if (!value.startsWith('/')) {
    try {
      const url = new URL(value);
      if (!request || url.host !== new URL(`http://${request.headers.host ?? ''}`).host) return undefined;
      path = `${url.pathname}${url.search}`;
    } catch {
      return undefined;
    }
  }
  if (!path.startsWith('/') || path.startsWith('//') || /[\\\s]/.test(path)) return undefined;
  return path;
}

export function episodesRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string }; Body: { action: EpisodeAction; back?: string } }>(
    '/episodes/:id/action',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: EPISODE_ID } },
        },
        body: {
          type: 'object',
          required: ['action'],
          properties: {
            action: { enum: [...EPISODE_ACTIONS] },
            back: { type: 'string', maxLength: 2000 },
            _csrf: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      const record = episodeById(ctx, request.params.id);
      await runEpisodeAction(ctx, record.id, request.body.action);
      const back = localPath(request.body.back, request) ?? localPath(request.headers.referer, request);
      // Back to the list, at the episode's row (a played one may have left it: then the top).
      const row = `#episode-${record.id}`;
      return reply.redirect(back ? `${back.split('#')[0]}${row}` : `/episodes/${record.id}`, 303);
    },
  );

  app.get('/new', { schema: {} }, async (_request, reply) => sendAppPage(reply, <NewPage ctx={ctx} />));

  app.get<{ Querystring: { q?: string } }>(
    '/search',
    {
      schema: {
        querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 200 } } },
      },
    },
    async (request, reply) => sendAppPage(reply, <SearchPage ctx={ctx} query={request.query.q ?? ''} />),
  );

  episodesApiRoutes(app, ctx);
}
