/**
 * The app's static files: the site's stylesheet (`src/web/static/site.css`: the app looks like the
 * site) and the app's own script and few extra rules (`src/app/static/`), read once and served from
 * memory with an ETag and versioned URLs, like the site's (`src/web/static.ts`).
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { SeedcastError } from '../errors.js';

export type AppAssetName =
  | 'site.css'
  | 'app.css'
  | 'app.js'
  | 'app-progress.js'
  | 'app-player.js'
  | 'app-forms.js'
  | 'app-sharing.js';

export interface AppAssets {
  url(name: AppAssetName): string;
  get(name: string): { body: Buffer; type: string; etag: string; version: string } | undefined;
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
};

export async function loadAppAssets(): Promise<AppAssets> {
  const assets = new Map<string, { body: Buffer; type: string; etag: string; version: string }>();
  for (const [name, { file, type }] of Object.entries(SOURCES)) {
    const body = await readFile(file);
    const hash = createHash('sha256').update(body).digest('base64url');
    assets.set(name, { body, type, etag: `"${hash}"`, version: hash.slice(0, 12) });
  }
  return {
    url: (name) => `/static/${name}?v=${assets.get(name)?.version ?? ''}`,
    get: (name) => assets.get(name),
  };
}

/** `GET /static/:name`. */
export function appStaticRoutes(app: FastifyInstance, assets: AppAssets): void {
  app.get<{ Params: { name: string }; Querystring: { v?: string } }>(
    '/static/:name',
    {
      schema: {
        params: { type: 'object', properties: { name: { type: 'string', maxLength: 64 } } },
        querystring: { type: 'object', properties: { v: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) throw new SeedcastError('NOT_FOUND', `no static file ${request.params.name}`);
      reply
        .header('etag', asset.etag)
        .header('x-content-type-options', 'nosniff')
        .header(
          'cache-control',
          request.query.v === asset.version ? 'private, max-age=31536000, immutable' : 'private, max-age=300',
        );
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    },
  );
}
