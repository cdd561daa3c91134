/**
 * The P2P player's browser code, served like the other static assets (`static.ts`: `ETag`, 304,
 * a year of caching for the versioned URL, five minutes otherwise): `/static/player.js` (the page
 * script, `src/web/player/entry.ts` bundled) and `/p2p-sw.js` (the service worker,
 * `src/web/player/sw.ts`, at the site's root so it may control `/items/`; `Service-Worker-Allowed:
 * /items/` states it). Built by `npm run build` (`scripts/build-player.js`) into `static/` beside
 * this module; when running from source without a build, bundled once on first request with
 * esbuild (a devDependency, imported only then). `/p2p-stream/:id/:file`, the URL the player gives
 * the media element, is answered by the service worker; a request that reaches the server (the
 * worker was gone) is redirected to the file's HTTP URL. Likewise `/p2p-stream/:id/derivatives/<file>`
 * (a derivative streamed from the item's derivatives torrent, issue 18) is redirected to
 * `/items/:id/derivatives/<file>`.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { SeedcastError } from '../errors.js';

interface Asset {
  body: Buffer;
  etag: string;
  version: string;
}

export interface PlayerAssets {
  /** The player script's URL (versioned once it is loaded). */
  url(): string;
}

type Name = 'player.js' | 'p2p-sw.js';

const ENTRIES: Record<Name, string> = { 'player.js': './player/entry.ts', 'p2p-sw.js': './player/sw.ts' };

function asset(body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('base64url');
  return { body, etag: `"${hash}"`, version: hash.slice(0, 12) };
}

/** Bundles one entry with esbuild (from source only). */
export async function bundlePlayer(name: Name): Promise<Buffer> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(ENTRIES[name], import.meta.url))],
    bundle: true,
    write: false,
    format: name === 'player.js' ? 'esm' : 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced nothing for ${name}`);
  return Buffer.from(out.contents);
}

async function load(name: Name): Promise<Asset> {
  try {
    return asset(await readFile(new URL(`./static/${name}`, import.meta.url)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return asset(await bundlePlayer(name));
}

/** Registers the player's routes; nothing is read or bundled until first asked for. */
export function playerAssetRoutes(
  app: FastifyInstance,
  options: { fileUrl(id: number, index: number): Promise<string | undefined> },
): PlayerAssets {
  const loaded = new Map<Name, Asset>();
  const loading = new Map<Name, Promise<Asset>>();
  const get = (name: Name): Promise<Asset> => {
    let p = loading.get(name);
    if (!p) {
      p = load(name).then((a) => {
        loaded.set(name, a);
        return a;
      });
      p.catch(() => loading.delete(name));
      loading.set(name, p);
    }
    return p;
  };
  const serve = (name: Name, path: string, extra: Record<string, string> = {}) =>
    app.get<{ Querystring: { v?: string } }>(
      path,
      { schema: { querystring: { type: 'object', properties: { v: { type: 'string', maxLength: 64 } } } } },
      async (request, reply) => {
        const a = await get(name).catch((err: unknown) => {
          request.log.error({ err }, `player asset ${name} unavailable`);
          throw new SeedcastError('NOT_FOUND', `no ${name}`);
        });
        reply
          .header('etag', a.etag)
          .header('x-content-type-options', 'nosniff')
          .header(
            'cache-control',
            request.query.v === a.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
          );
        for (const [k, v] of Object.entries(extra)) reply.header(k, v);
        if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
        return reply.type('text/javascript; charset=utf-8').send(a.body);
      },
    );
  serve('player.js', '/static/player.js');
  // The worker's own script is revalidated on every update check by the browser (no immutable URL).
  serve('p2p-sw.js', '/p2p-sw.js', { 'service-worker-allowed': '/items/' });
  app.get<{ Params: { id: string; file: string } }>(
    '/p2p-stream/:id/:file',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'file'],
          properties: {
            id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
            file: { type: 'string', pattern: '^[0-9]{1,6}$' },
          },
        },
      },
    },
    async (request, reply) => {
      const url = await options.fileUrl(Number(request.params.id), Number(request.params.file));
      if (!url) throw new SeedcastError('NOT_FOUND', 'no such file');
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  );
  app.get<{ Params: { id: string; file: string } }>(
    '/p2p-stream/:id/derivatives/:file',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'file'],
          properties: {
            id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
            file: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
          },
        },
      },
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .redirect(`/items/${request.params.id}/derivatives/${request.params.file}`, 302),
  );
  return {
    url: () => {
      const a = loaded.get('player.js');
      if (!a) void get('player.js').catch(() => undefined);
      return a ? `/static/player.js?v=${a.version}` : '/static/player.js';
    },
  };
}
