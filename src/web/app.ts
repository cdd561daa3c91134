/**
 * The site's Fastify application, built without listening (test it with `app.inject()`).
 * For now: a minimal home page and `/healthz`; the site API, pages, feeds and the mounted tracker
 * arrive with their issues.
 */

import Fastify, { type FastifyInstance } from 'fastify';
import { type TrackerService, trackerPlugin } from '../tracker/index.js';

export interface AppOptions {
  logger?: boolean;
  /** When given, the BitTorrent tracker is served at `/announce` and `/scrape`. */
  tracker?: TrackerService;
}

export function buildApp(options: AppOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  if (options.tracker) app.register(trackerPlugin, { service: options.tracker });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/', async (_req, reply) => {
    reply.type('text/html; charset=utf-8');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Seedcast</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Seedcast</h1><p>An open media commons: everything here travels over BitTorrent.</p></main></body></html>
`;
  });
  return app;
}
