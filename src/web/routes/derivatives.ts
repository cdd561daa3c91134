/**
 * Derivatives over plain HTTP (issue 18): each derivative file at `/items/:id/derivatives/<file>`
 * (`Range` 206/416, `HEAD`, `ETag` from the blob, `If-None-Match`, `If-Range`), which is also the
 * BEP 19 web seed of the item's derivatives torrent (its web seed `/items/:id/` plus the torrent's
 * name `derivatives` and the file's name); and that torrent at `/items/:id/derivatives.torrent`,
 * served like items' torrents (`ServedTorrents`: the site's current trackers, info untouched) with
 * the site's current web seed. Asking
 * for the torrent also makes sure the site seeds it (one a `seedcast worker` made elsewhere).
 * Same headers as every user file (`Content-Security-Policy: sandbox`, `nosniff`); bytes are counted
 * per channel like originals' (`classifyHttp`).
 */

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { DerivativeRepository, ItemRepository } from '../../catalog/index.js';
import { classifyHttp, isTorrentClient, type Traffic } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import { type Seeding, type ServedTorrents, type SiteLinks, withWebSeed } from '../../site/index.js';
import type { BlobStore } from '../../storage/index.js';
import { parseRange } from '../range.js';
import { showsInline, userFileHeaders } from './files.js';

export interface DerivativeRoutesOptions {
  items: ItemRepository;
  derivatives: DerivativeRepository;
  blobs: BlobStore;
  torrents: ServedTorrents;
  links: Pick<SiteLinks, 'derivativesWebSeed'>;
  seeding?: Pick<Seeding, 'derived'>;
  traffic?: Pick<Traffic, 'record'>;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } },
} as const;

const fileParams = {
  type: 'object',
  required: ['id', 'file'],
  properties: {
    id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
    file: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
  },
} as const;

export async function derivativeRoutes(
  app: FastifyInstance,
  options: DerivativeRoutesOptions,
): Promise<void> {
  const { items, derivatives, blobs } = options;
  const torrentClients = new WeakSet<object>();

  const readyItem = async (id: string) => {
    const item = await items.get(Number(id));
    if (item?.status === 'taken_down') throw new SeedcastError('ITEM_TAKEN_DOWN', `item ${id}`);
    if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${id}`);
    return item;
  };

  app.route<{ Params: { id: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id/derivatives.torrent',
    exposeHeadRoute: false,
    schema: { params: idParams },
    handler: async (request, reply) => {
      const item = await readyItem(request.params.id);
      const torrent = await derivatives.torrent(item.id);
      const served = torrent && (await options.torrents.get({ id: item.id, torrentKey: torrent.torrentKey }));
      if (!served) throw new SeedcastError('NOT_FOUND', `item ${item.id} has no derivatives torrent (yet)`);
      await options.seeding?.derived.ensure(item.id);
      // The web seed as this site names it now (a worker elsewhere may have known another base URL).
      const bytes = withWebSeed(served.bytes, options.links.derivativesWebSeed(item.id));
      const etag = `"${createHash('sha256').update(bytes).digest('hex')}"`;
      userFileHeaders(reply)
        .type('application/x-bittorrent')
        .header('Content-Disposition', `attachment; filename="${item.id}-derivatives.torrent"`)
        .header('ETag', etag);
      if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) return reply.code(304).send();
      reply.header('Content-Length', bytes.length);
      if (request.method === 'HEAD') return reply.send();
      return reply.send(bytes);
    },
  });

  app.route<{ Params: { id: string; file: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id/derivatives/:file',
    exposeHeadRoute: false,
    schema: { params: fileParams },
    handler: async (request, reply) => {
      const item = await readyItem(request.params.id);
      const file = request.params.file;
      const row = (await derivatives.list(item.id)).find((d) => d.path === file);
      const blob = row && (await blobs.head(row.blobKey));
      if (!row || !blob) throw new SeedcastError('NOT_FOUND', `item ${item.id} has no derivative "${file}"`);
      const etag = `"${blob.etag}"`;
      userFileHeaders(reply)
        .type(row.mime)
        .header('Accept-Ranges', 'bytes')
        .header('Cache-Control', 'public, max-age=86400')
        .header('ETag', etag)
        .header(
          'Content-Disposition',
          `${showsInline(row.mime) ? 'inline' : 'attachment'}; filename="${file}"`,
        );
      if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) return reply.code(304).send();
      const ifRange = request.headers['if-range'];
      const range =
        ifRange !== undefined && ifRange !== etag
          ? { kind: 'whole' as const }
          : parseRange(request.headers.range, blob.size);
      if (range.kind === 'unsatisfiable')
        return reply.code(416).header('Content-Range', `bytes */${blob.size}`).send();
      const { offset, length } = range.kind === 'partial' ? range : { offset: 0, length: blob.size };
      if (range.kind === 'partial')
        reply.code(206).header('Content-Range', `bytes ${offset}-${offset + length - 1}/${blob.size}`);
      reply.header('Content-Length', length);
      if (request.method === 'HEAD' || length === 0) return reply.send();
      const socket = request.raw.socket;
      if (isTorrentClient(request.headers)) torrentClients.add(socket);
      const channel = classifyHttp(request.headers, { torrentClient: torrentClients.has(socket) });
      const stream = await blobs.get(row.blobKey, { offset, length });
      let sent = 0;
      stream.on('data', (chunk: Uint8Array) => {
        sent += chunk.length;
      });
      reply.raw.once('close', () => {
        if (sent > 0) options.traffic?.record(item.id, channel, sent);
      });
      return reply.send(stream);
    },
  });
}
