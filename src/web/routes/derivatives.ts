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
import type { DerivativeRepository, ItemRepository, SiteLinks } from '../../catalog/index.js';
import type { Seeding, ServedTorrents, Traffic } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import type { BlobStore } from '../../storage/index.js';
import { withWebSeed } from '../../torrent/index.js';
import { fileSchemas } from '../schemas/files.js';
import { contentDisposition, torrentFileName } from './download-names.js';
import { showsInline } from './files.js';
import {
  countServed,
  httpChannel,
  ITEM_ID,
  itemIdParams,
  notModified,
  readyItem,
  requestedRange,
  sendTorrent,
  userFileHeaders,
} from './served-bytes.js';

export interface DerivativeRoutesOptions {
  items: ItemRepository;
  derivatives: DerivativeRepository;
  blobs: BlobStore;
  torrents: ServedTorrents;
  links: Pick<SiteLinks, 'derivativesWebSeed'>;
  seeding?: Pick<Seeding, 'derived'>;
  traffic?: Pick<Traffic, 'record'>;
}

const fileParams = {
  type: 'object',
  required: ['id', 'file'],
  properties: {
    id: ITEM_ID,
    file: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
  },
} as const;

export async function derivativeRoutes(
  app: FastifyInstance,
  options: DerivativeRoutesOptions,
): Promise<void> {
  const { items, derivatives, blobs } = options;
  const torrentClients = new WeakSet<object>();

  const readyItemOf = (id: string) => readyItem(items, id);

  app.route<{ Params: { id: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id/derivatives.torrent',
    exposeHeadRoute: false,
    schema: { ...fileSchemas.derivativesTorrent, params: itemIdParams },
    handler: async (request, reply) => {
      const item = await readyItemOf(request.params.id);
      const torrent = await derivatives.torrent(item.id);
      const served = torrent && (await options.torrents.get({ id: item.id, torrentKey: torrent.torrentKey }));
      if (!served) throw new SeedcastError('NOT_FOUND', `item ${item.id} has no derivatives torrent (yet)`);
      await options.seeding?.derived.ensure(item.id);
      // The web seed as this site names it now (a worker elsewhere may have known another base URL).
      const bytes = withWebSeed(served.bytes, options.links.derivativesWebSeed(item.id));
      return sendTorrent(request, reply, {
        bytes,
        etag: createHash('sha256').update(bytes).digest('hex'),
        disposition: contentDisposition('attachment', torrentFileName(item, '-derivatives')),
      });
    },
  });

  app.route<{ Params: { id: string; file: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id/derivatives/:file',
    exposeHeadRoute: false,
    schema: { ...fileSchemas.derivative, params: fileParams },
    handler: async (request, reply) => {
      const item = await readyItemOf(request.params.id);
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
          contentDisposition(showsInline(row.mime) ? 'inline' : 'attachment', file),
        );
      if (notModified(request, etag)) return reply.code(304).send();
      const range = requestedRange(request, reply, blob.size, etag);
      if (range.kind === 'unsatisfiable') return reply.send();
      const { offset, length } = range;
      reply.header('Content-Length', length);
      if (request.method === 'HEAD' || length === 0) return reply.send();
      const channel = httpChannel(request, torrentClients);
      const stream = await blobs.get(row.blobKey, { offset, length });
      countServed(reply, stream, (bytes) => options.traffic?.record(item.id, channel, bytes));
      return reply.send(stream);
    },
  });
}
