/**
 * The site's static assets (`/static/site.css`, `/static/site.js`): read once when the app is built,
 * from `static/` beside this module (copied to `dist/` by the build), and served from memory with an
 * `ETag` (SHA-256 of the content), `If-None-Match` (304) and caching: pages link to
 * `/static/<name>?v=<hash>`, and a request with the current `v` may be cached for a year (RFC 9111
 * `immutable`, RFC 8246); without it, for five minutes.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { SeedcastError } from '../errors.js';

/** A static file in memory, with its ETag and the version its URLs carry. */
export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  version: string;
}

export interface StaticAssets {
  /** The URL to link to, with its version, e.g. `/static/site.css?v=1a2b3c4d5e6f`. */
  url(name: 'site.css' | 'site.js' | 'upload.js' | 'upload-several.js' | 'moments.js'): string;
}

const TYPES: Record<string, string> = {
  'site.css': 'text/css; charset=utf-8',
  'site.js': 'text/javascript; charset=utf-8',
  'upload.js': 'text/javascript; charset=utf-8',
  // `#t=` on the item page seeks the player (issue 18, captions and chapters).
  'moments.js': 'text/javascript; charset=utf-8',
  'upload-several.js': 'text/javascript; charset=utf-8',
  'upload-duplicates.js': 'text/javascript; charset=utf-8',
};

/** Reads `file` and names its version (the first 12 characters of its SHA-256, base64url). */
export async function readAsset(file: URL, type: string): Promise<Asset> {
  const body = await readFile(file);
  const hash = createHash('sha256').update(body).digest('base64url');
  return { body, type, etag: `"${hash}"`, version: hash.slice(0, 12) };
}

/** The versioned URL of asset `name` (`/static/<name>?v=<version>`). */
export function assetUrl(assets: { get(name: string): Asset | undefined }, name: string): string {
  return `/static/${name}?v=${assets.get(name)?.version ?? ''}`;
}

export async function loadStaticAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES))
    assets.set(name, await readAsset(new URL(`./static/${name}`, import.meta.url), type));
  return assets;
}

/**
 * `GET /static/:name` from `assets`: ETag, 304, and a year's caching for the current version (else five
 * minutes), `public` (the site) or `private` (the app: one person's).
 */
export function serveAssets(
  app: FastifyInstance,
  assets: { get(name: string): Asset | undefined },
  options: { cache: 'public' | 'private' },
): void {
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
          request.query.v === asset.version
            ? `${options.cache}, max-age=31536000, immutable`
            : `${options.cache}, max-age=300`,
        );
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    },
  );
}

/** Registers `GET /static/:name` and returns the versioned URLs for the pages. */
export function staticRoutes(app: FastifyInstance, assets: Map<string, Asset>): StaticAssets {
  serveAssets(app, assets, { cache: 'public' });
  return { url: (name) => assetUrl(assets, name) };
}
