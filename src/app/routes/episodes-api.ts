/**
 * The episodes' JSON API: `GET /api/episodes?show=&state=&q=` (newest first, bounded),
 * `GET /api/episodes/:id`, and `POST /api/episodes/:id/download|retry|delete|played|unplayed`, each
 * answering `{ episode }` as it is after the change. Same guard as every route (cookie + CSRF).
 */

import type { FastifyInstance } from 'fastify';
import { type DownloadRecord, deleteEpisodeFile, markPlayed, queueEpisode } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';
import { EPISODE_STATES, type EpisodeState } from '../episode-state.js';
import { episodesOfFeed, feedById } from '../library-index.js';
import { EPISODE_ID, episodeById, SHOW_ID } from '../lookup.js';
import {
  type EpisodeView,
  episodeView,
  listedEpisodes,
  liveFigures,
  SEARCH_LIMIT,
  searchEpisodes,
} from './episodes-data.js';

export const EPISODE_ACTIONS = ['download', 'retry', 'delete', 'played', 'unplayed'] as const;
export type EpisodeAction = (typeof EPISODE_ACTIONS)[number];

/** Run one of the list's actions on episode `id`. */
export async function runEpisodeAction(ctx: AppContext, id: string, action: EpisodeAction): Promise<void> {
  const { aggregator } = ctx;
  if (action === 'download' || action === 'retry') await queueEpisode(aggregator, id);
  else if (action === 'delete') await deleteEpisodeFile(aggregator, id);
  else await markPlayed(aggregator, id, action === 'played');
}

const nullable = (type: string) => ({ type: [type, 'null'] });

export const EPISODE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    show: { type: 'string' },
    showTitle: nullable('string'),
    title: { type: 'string' },
    state: { enum: [...EPISODE_STATES] },
    published: nullable('string'),
    duration: nullable('number'),
    via: { enum: ['http', 'swarm', null] },
    done: nullable('number'),
    total: nullable('number'),
    downloadRate: nullable('number'),
    peers: nullable('number'),
    uploaded: nullable('number'),
    ratio: nullable('number'),
    error: nullable('string'),
    waiting: nullable('string'),
    playedAt: nullable('string'),
    position: nullable('number'),
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: EPISODE_ID } },
} as const;

const one = { 200: { type: 'object', properties: { episode: EPISODE_SCHEMA } } } as const;

export function episodesApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: { show?: string; state?: EpisodeState; q?: string; limit?: number } }>(
    '/api/episodes',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            show: { type: 'string', pattern: SHOW_ID },
            state: { enum: [...EPISODE_STATES] },
            q: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: {
          200: { type: 'object', properties: { episodes: { type: 'array', items: EPISODE_SCHEMA } } },
        },
      },
    },
    async (request, reply) => {
      const { show, state, q } = request.query;
      const limit = request.query.limit ?? (q ? SEARCH_LIMIT : 1000);
      const live = liveFigures(ctx);
      const feedUrl = show ? (feedById(ctx, show)?.url ?? '') : undefined;
      let records: DownloadRecord[];
      if (q?.trim()) {
        records = searchEpisodes(ctx, q, Number.MAX_SAFE_INTEGER);
        if (feedUrl !== undefined) records = records.filter((r) => r.feed === feedUrl);
      } else records = feedUrl !== undefined ? episodesOfFeed(ctx, feedUrl) : listedEpisodes(ctx);
      const episodes: EpisodeView[] = [];
      for (const r of records) {
        if (episodes.length >= limit) break;
        const view = episodeView(ctx, r, live);
        if (!state || view.state === state) episodes.push(view);
      }
      reply.header('cache-control', 'no-store');
      return { episodes };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/episodes/:id',
    { schema: { params: idParams, response: one } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { episode: episodeView(ctx, episodeById(ctx, request.params.id)) };
    },
  );

  app.post<{ Params: { id: string; action: EpisodeAction } }>(
    '/api/episodes/:id/:action',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'action'],
          properties: { id: { type: 'string', pattern: EPISODE_ID }, action: { enum: [...EPISODE_ACTIONS] } },
        },
        response: one,
      },
    },
    async (request) => {
      const record = episodeById(ctx, request.params.id);
      await runEpisodeAction(ctx, record.id, request.params.action);
      return { episode: episodeView(ctx, record) };
    },
  );
}
