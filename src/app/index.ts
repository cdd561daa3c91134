/**
 * The aggregator app (`seedcast app`, issue 23): a local web app over the aggregator to follow shows,
 * play episodes and share them back. Imports `aggregator`, `feeds`, `engine` (types) and the site's
 * HTML renderer and stylesheet (`web/html`, `web/static/site.css`); nothing imports it but `cli`.
 */

import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import { APP_ROUTES } from './routes/index.js';
import { buildAggregatorApp } from './server.js';

export { type AppAssets, loadAppAssets } from './assets.js';
export type { AppContext } from './context.js';
export { isLoopbackHost, SESSION_COOKIE } from './guard.js';
export { checkAppPassword, hashAppPassword } from './password.js';
export { type AppSecret, loadAppSecret } from './secret.js';

/** The app with every feature's routes (not listening). */
export function createAggregatorApp(ctx: AppContext): FastifyInstance {
  return buildAggregatorApp(ctx, APP_ROUTES);
}
