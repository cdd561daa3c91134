/**
 * The app's static files: the site's stylesheet (`src/web/static/site.css`: the app looks like the
 * site) and the app's own script and few extra rules (`src/app/static/`), read once and served from
 * memory with an ETag and versioned URLs, like the site's (`src/web/static.ts`).
 */

import type { FastifyInstance } from 'fastify';
import { type Asset, assetUrl, readAsset, serveAssets } from '../web/static.js';

export type AppAssetName =
  | 'site.css'
  | 'app.css'
  | 'app.js'
  | 'app-progress.js'
  | 'app-player.js'
  | 'app-forms.js'
  | 'app-sharing.js'
  | 'app-format.js';

export interface AppAssets {
  url(name: AppAssetName): string;
  get(name: string): Asset | undefined;
}

const SOURCES: Record<AppAssetName, { file: URL; type: string }> = {
  'site.css': { file: new URL('../web/static/site.css', import.meta.url), type: 'text/css; charset=utf-8' },
  'app.css': { file: new URL('./static/app.css', import.meta.url), type: 'text/css; charset=utf-8' },
  'app.js': { file: new URL('./static/app.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  'app-progress.js': {
    file: new URL('./static/app-progress.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
  'app-player.js': {
    file: new URL('./static/app-player.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
  'app-forms.js': {
    file: new URL('./static/app-forms.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
  'app-sharing.js': {
    file: new URL('./static/app-sharing.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
  'app-format.js': {
    file: new URL('./static/app-format.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
};

export async function loadAppAssets(): Promise<AppAssets> {
  const assets = new Map<string, Asset>();
  for (const [name, { file, type }] of Object.entries(SOURCES)) assets.set(name, await readAsset(file, type));
  return {
    url: (name) => assetUrl(assets, name),
    get: (name) => assets.get(name),
  };
}

/** `GET /static/:name` (cached privately: the app is one person's). */
export function appStaticRoutes(app: FastifyInstance, assets: AppAssets): void {
  serveAssets(app, assets, { cache: 'private' });
}
