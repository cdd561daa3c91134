/**
 * The player's report (issue 17, the beacon): `POST /api/v1/items/:id/p2p-report` with JSON
 * `{ fromPeers, fromWebSeed, toPeers }`, byte counts since the page's last report (whole numbers from
 * 0 to 10 GiB each), sent with `navigator.sendBeacon` every 10 s and when the page hides. Answers 204.
 * Only `fromPeers` is counted (as the item's `browserPeers`, at most the item's size per report: a page
 * reports every 10 s, and the figures are the browser's word): the site counts its web seed itself, and
 * what a page sent to other peers is what those peers report they got. Rate-limited per client address
 * (action `p2p-reports`); nothing about the client (no address, no account) is stored.
 */

import type { FastifyInstance } from 'fastify';
import type { ItemRepository } from '../../catalog/index.js';
import type { Traffic } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import { errors } from '../schemas/index.js';

/** Most bytes one report may carry per field (10 GiB). */
export const MAX_REPORT_BYTES = 10 * 1024 ** 3;

const count = { type: 'integer', minimum: 0, maximum: MAX_REPORT_BYTES } as const;

export async function p2pReportRoutes(
  app: FastifyInstance,
  options: { items: ItemRepository; traffic: Pick<Traffic, 'record'> },
): Promise<void> {
  app.post<{ Params: { id: number }; Body: { fromPeers: number; fromWebSeed: number; toPeers: number } }>(
    '/api/v1/items/:id/p2p-report',
    {
      bodyLimit: 1024,
      schema: {
        summary:
          "The P2P player's report: bytes since its last report (navigator.sendBeacon); no address is stored",
        tags: ['p2p'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 } },
        },
        body: {
          type: 'object',
          required: ['fromPeers', 'fromWebSeed', 'toPeers'],
          properties: { fromPeers: count, fromWebSeed: count, toPeers: count },
        },
        response: { 204: { type: 'null', description: 'Counted' }, ...errors },
      },
    },
    async (request, reply) => {
      limitAction(reply, { action: 'p2p-reports' });
      const item = await options.items.get(request.params.id);
      if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${request.params.id}`);
      // Self-reported: one report never counts more than one whole copy of the item.
      options.traffic.record(item.id, 'browserPeers', Math.min(request.body.fromPeers, item.totalLength));
      return reply.code(204).send();
    },
  );
}
