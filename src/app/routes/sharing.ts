/** `/sharing` (what this install shares back and how much it gave) and `GET /api/sharing`. */

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { SharingPage } from '../pages/sharing.js';
import { sendAppPage } from '../server.js';
import { sharingSummary } from './sharing-data.js';

const episode = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    show: { type: 'string' },
    size: { type: 'number' },
    uploaded: { type: 'number' },
    ratio: { type: 'number' },
    seededMs: { type: 'number' },
    state: { enum: ['seeding', 'done', 'paused', 'not-seeding'] },
    reason: { type: ['string', 'null'] },
    uploadRate: { type: 'number' },
  },
} as const;

export function sharingRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/sharing', { schema: {} }, async (_request, reply) =>
    sendAppPage(reply, SharingPage({ ctx, summary: await sharingSummary(ctx) })),
  );

  app.get(
    '/api/sharing',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              uploaded: { type: 'number' },
              downloaded: { type: 'number' },
              ratio: { type: 'number' },
              uploadRate: { type: 'number' },
              uploadRateLimit: { type: 'number' },
              paused: { type: ['string', 'null'] },
              note: { type: ['string', 'null'] },
              episodes: { type: 'array', items: episode },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return sharingSummary(ctx);
    },
  );
}
