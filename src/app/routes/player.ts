/**
 * The player's routes: the episode page (`GET /episodes/<id>`: chapters and transcript fetched on the
 * first view, waited for a moment only, see `episode-extras.ts`), its captions as WebVTT
 * (`GET /episodes/<id>/captions.vtt`, for the `<track>`), and where the listener stopped
 * (`PUT /api/episodes/<id>/position { seconds }`, saved by `static/app-player.js`). Chapters and
 * transcripts of episodes that just completed are fetched ahead, in the background.
 */

import type { FastifyInstance } from 'fastify';
import { setPosition } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';
import { EpisodeExtras, type ExtrasOptions } from '../episode-extras.js';
import { EPISODE_ID, episodeById, showOf } from '../lookup.js';
import { EpisodePage } from '../pages/episode.js';
import { sendAppPage } from '../server.js';

const params = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: EPISODE_ID } },
} as const;

export interface PlayerOptions extends ExtrasOptions {
  /** Milliseconds a page waits for chapters or a transcript not fetched yet (default 2.5 s). */
  waitMs?: number;
  /** Milliseconds between looks for newly completed episodes whose extras to fetch (default 30 s). */
  prefetchMs?: number;
}

/** Episodes completed this long ago or less get their chapters and transcript fetched ahead. */
const PREFETCH_WINDOW_MS = 24 * 3600_000;
/** At most this many episodes per look. */
const PREFETCH_BATCH = 4;

/**
 * Fetch the chapters and transcript of episodes that completed lately (once per process each), so
 * that they are there on the first view, and when the listener is offline by then.
 */
function startPrefetch(app: FastifyInstance, ctx: AppContext, extras: EpisodeExtras, everyMs: number): void {
  const tried = new Set<string>();
  const look = () => {
    const since = Date.now() - PREFETCH_WINDOW_MS;
    const due = ctx.aggregator.state.downloads
      .filter(
        (d) =>
          d.status === 'complete' &&
          (d.chapters || d.transcripts?.length) &&
          !tried.has(d.id) &&
          Date.parse(d.completedAt ?? '') >= since,
      )
      .slice(0, PREFETCH_BATCH);
    for (const record of due) {
      tried.add(record.id);
      void extras.chapters(record, { waitMs: 0 }).catch(() => undefined);
      void extras.transcript(record, { waitMs: 0 }).catch(() => undefined);
    }
  };
  const timer = setInterval(look, everyMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

/** The player's routes, with options (tests shorten the waits). */
export function playerRoutesWith(options: PlayerOptions = {}) {
  return (app: FastifyInstance, ctx: AppContext): void => {
    const extras = new EpisodeExtras(ctx.aggregator, options);
    const waitMs = options.waitMs ?? 2500;
    startPrefetch(app, ctx, extras, options.prefetchMs ?? 30_000);

    app.get<{ Params: { id: string } }>('/episodes/:id', { schema: { params } }, async (request, reply) => {
      const record = episodeById(ctx, request.params.id);
      const [chapters, transcript] = await Promise.all([
        extras.chapters(record, { waitMs }),
        extras.transcript(record, { waitMs }),
      ]);
      return sendAppPage(
        reply,
        EpisodePage({
          ctx,
          data: { record, show: showOf(ctx, record), chapters, transcript },
        }),
      );
    });

    app.get<{ Params: { id: string } }>(
      '/episodes/:id/captions.vtt',
      { schema: { params } },
      async (request, reply) => {
        const vtt = await extras.captions(episodeById(ctx, request.params.id));
        return reply
          .type('text/vtt; charset=utf-8')
          .header('cache-control', 'private, no-cache')
          .header('x-content-type-options', 'nosniff')
          .send(vtt);
      },
    );

    app.put<{ Params: { id: string }; Body: { seconds: number } }>(
      '/api/episodes/:id/position',
      {
        schema: {
          params,
          body: {
            type: 'object',
            required: ['seconds'],
            additionalProperties: false,
            properties: { seconds: { type: 'number', minimum: 0, maximum: 3_600_000 } },
          },
          response: {
            200: {
              type: 'object',
              properties: { id: { type: 'string' }, position: { type: 'number' } },
            },
          },
        },
      },
      async (request) => {
        const record = await setPosition(ctx.aggregator, request.params.id, request.body.seconds);
        return { id: record.id, position: record.position ?? 0 };
      },
    );
  };
}

export const playerRoutes = playerRoutesWith();
