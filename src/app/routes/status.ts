/**
 * `GET /api/status`: what the app's pages poll every second or two: each running download (id,
 * progress, where the bytes come from: `swarm` or `http`, rates, peers), each seeding episode
 * (uploaded bytes, ratio, rate, peers) and the totals. It also marks the app as open (the "seed only
 * while the app is open" rule reads `ctx.lastSeen`).
 */

import type { FastifyInstance } from 'fastify';
import { downloadRate } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';

export interface DownloadProgress {
  id: string;
  title: string;
  via: 'http' | 'swarm';
  done: number;
  total: number | null;
  downloadRate: number;
  peers: number;
}

export interface SeedingProgress {
  id: string;
  title: string;
  uploaded: number;
  ratio: number;
  uploadRate: number;
  peers: number;
}

export interface AppStatus {
  downloads: DownloadProgress[];
  seeding: SeedingProgress[];
  downloadRate: number;
  uploadRate: number;
  feeds: number;
  failingFeeds: number;
}

/** The status now (also used by pages to render the first state before the script takes over). */
export function appStatus(ctx: AppContext, now = Date.now()): AppStatus {
  const { aggregator } = ctx;
  const downloads: DownloadProgress[] = [...aggregator.active.values()].map((a) => {
    const stats = a.session?.stats();
    return {
      id: a.record.id,
      title: a.record.title,
      via: a.via,
      done: a.done,
      total: a.total ?? null,
      downloadRate: downloadRate(a, now),
      peers: stats?.peers ?? 0,
    };
  });
  const seeding: SeedingProgress[] = aggregator.seeder.list().map(({ record, session }) => {
    const stats = session.stats();
    const uploaded = record.seeding?.uploaded ?? 0;
    return {
      id: record.id,
      title: record.title,
      uploaded,
      ratio: stats.length > 0 ? uploaded / stats.length : 0,
      uploadRate: stats.uploadRate,
      peers: stats.peers,
    };
  });
  return {
    downloads,
    seeding,
    downloadRate: downloads.reduce((n, d) => n + d.downloadRate, 0),
    uploadRate: seeding.reduce((n, s) => n + s.uploadRate, 0),
    feeds: aggregator.state.feeds.length,
    failingFeeds: aggregator.state.feeds.filter((f) => f.lastError).length,
  };
}

const progress = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    via: { enum: ['http', 'swarm'] },
    done: { type: 'number' },
    total: { type: ['number', 'null'] },
    downloadRate: { type: 'number' },
    peers: { type: 'number' },
  },
} as const;

const seeding = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    uploaded: { type: 'number' },
    ratio: { type: 'number' },
    uploadRate: { type: 'number' },
    peers: { type: 'number' },
  },
} as const;

export function statusRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/status',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              downloads: { type: 'array', items: progress },
              seeding: { type: 'array', items: seeding },
              downloadRate: { type: 'number' },
              uploadRate: { type: 'number' },
              feeds: { type: 'number' },
              failingFeeds: { type: 'number' },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      ctx.lastSeen.at = Date.now();
      reply.header('cache-control', 'no-store');
      return appStatus(ctx);
    },
  );
}
