/**
 * Distribution over plain HTTP: `GET /items/:id.torrent` (`application/x-bittorrent`) and each file
 * at `/items/:id/files/<name>[/<path>]`, the URL under the torrent's BEP 19 web seed (a torrent-only
 * item's file also answers at the torrent's own path and libtorrent's: `file-lookup.ts`). Files answer
 * `Range` (206, 416), `ETag` (the file's SHA-256) with `If-None-Match` and `If-Range`, `HEAD`, and a
 * content type from the extension. Every user file (files, thumbnails, `.torrent` files) is sent with
 * `Content-Security-Policy: sandbox` and `X-Content-Type-Options: nosniff`, so even a file a browser
 * opens as a document gets an opaque origin: no script of it runs with the site's cookies or storage.
 * Only passive types (video, audio, raster images, plain text, captions) are shown inline; anything
 * else (PDF, EPUB, archives, unknown types, which include HTML and SVG) is a download, except a PDF
 * asked for by the item page's viewer frame (`?view=frame`: inline, in the same sandbox). Bytes sent are
 * counted per channel (`classifyHttp` in `src/distribution/traffic.ts`: a page's player, a download,
 * or the web seed: BitTorrent clients' ranges and the P2P player's fallback). The item's thumbnail
 * (made by the media analyzer) is `/items/:id/thumbnail.jpg`, with the blob's `ETag`. The `.torrent`
 * is the stored one with the site's current trackers first (`distribution/served-torrent.ts`, the info bytes
 * untouched), with an `ETag` of the bytes served.
 *
 * The web seed is the fallback, not the main source: a bounded range (`bytes=a-b`, what BEP 19
 * clients send for pieces) is served or deferred as `Seeding.admitWebSeed` decides
 * (`src/distribution/web-seed-deferral.ts`): deferred (503 with `Retry-After`, FILE_USE_SWARM) only when every
 * downloading peer the site's peer sees at the client's address is being served by it (several
 * clients may share an address); a client the site's peer is not serving gets its ranges. Clients
 * back off (libtorrent honours `Retry-After`, Seedcast's engine backs off exponentially) and keep
 * using their peers. Whole files and open ranges (`bytes=a-`, what browsers and players send) are
 * always served, and so are the P2P player's fallback requests (`X-Seedcast-Player: p2p`): the player
 * asks for what its peers did not bring in time, and a browser page is no peer the site's TCP peer
 * could serve instead.
 *
 * Fixity (issue 22): a range over pieces the fixity check found damaged in storage is never sent (503
 * with `Retry-After`, STORAGE_UNAVAILABLE) until the repair writes them back; every other range is.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ItemRepository } from '../../catalog/index.js';
import type { Fixity, Seeding, ServedTorrents, Traffic } from '../../distribution/index.js';
import { ERRORS, isSeedcastError, SeedcastError } from '../../errors.js';
import { contentTypeOf, THUMBNAIL_TYPE } from '../../media/index.js';
import type { BlobStore } from '../../storage/index.js';
import { fileSchemas } from '../schemas/files.js';
import { contentDisposition, torrentFileName } from './download-names.js';
import { FileLookup } from './file-lookup.js';
import { thumbnailType } from './item-edit-thumbnail.js';
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

export { userFileHeaders } from './served-bytes.js';

export interface FileRoutesOptions {
  items: ItemRepository;
  blobs: BlobStore;
  /** The `.torrent` as served: the stored one with the site's current trackers (`served-torrent.ts`). */
  torrents: ServedTorrents;
  /** Decides whether a bounded range is served or deferred to the site's peer (see `web-seed-deferral.ts`). */
  seeding?: Pick<Seeding, 'admitWebSeed'>;
  /** Counts the bytes sent per item and channel. */
  traffic?: Pick<Traffic, 'record'>;
  /** Ranges over pieces found damaged in storage are refused until repaired (issue 22, fixity). */
  fixity?: Pick<Fixity, 'damagedRange'>;
}

const fileParams = {
  type: 'object',
  required: ['id', '*'],
  properties: {
    id: ITEM_ID,
    '*': { type: 'string', maxLength: 8192 },
  },
} as const;

const viewQuery = {
  type: 'object',
  properties: { view: { type: 'string', maxLength: 16 }, download: { type: 'string', maxLength: 8 } },
} as const;

/** The content types a browser may show inline: media and plain text, nothing that can run script. */
export function showsInline(type: string): boolean {
  return (
    /^(video|audio)\//.test(type) ||
    /^image\/(jpeg|png|gif|webp|avif)$/.test(type) ||
    /^text\/(plain|vtt)(;|$)/.test(type)
  );
}

export async function fileRoutes(app: FastifyInstance, options: FileRoutesOptions): Promise<void> {
  const { items, blobs } = options;
  const lookup = new FileLookup(blobs);
  // Connections a BitTorrent client named itself on (libtorrent sends User-Agent once per connection).
  const torrentClients = new WeakSet<object>();

  const readyItemOf = (id: string) => readyItem(items, id);

  app.route<{ Params: { id: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id.torrent',
    exposeHeadRoute: false,
    schema: { ...fileSchemas.torrent, params: itemIdParams },
    handler: async (request, reply) => {
      const item = await readyItemOf(request.params.id);
      const served = await options.torrents.get(item);
      if (!served) throw new SeedcastError('NOT_FOUND', `item ${item.id} has no torrent`);
      return sendTorrent(request, reply, {
        bytes: served.bytes,
        etag: served.etag,
        disposition: contentDisposition('attachment', torrentFileName(item)),
      });
    },
  });

  app.route<{ Params: { id: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id/thumbnail.jpg',
    exposeHeadRoute: false,
    schema: { ...fileSchemas.thumbnail, params: itemIdParams },
    handler: async (request, reply) => {
      const item = await readyItemOf(request.params.id);
      const key = item.thumbnailKey;
      const blob = key ? await blobs.head(key) : undefined;
      if (!key || !blob) throw new SeedcastError('NOT_FOUND', `item ${item.id} has no thumbnail`);
      const etag = `"${blob.etag}"`;
      userFileHeaders(reply)
        .type(key.startsWith(`items/${item.id}/thumbnail-`) ? thumbnailType(key) : THUMBNAIL_TYPE)
        .header('Cache-Control', 'public, max-age=3600')
        .header('ETag', etag);
      if (notModified(request, etag)) return reply.code(304).send();
      reply.header('Content-Length', blob.size);
      if (request.method === 'HEAD') return reply.send();
      return reply.send(await blobs.get(key));
    },
  });

  app.route<{ Params: { id: string; '*': string }; Querystring: { view?: string; download?: string } }>({
    method: ['GET', 'HEAD'],
    url: '/items/:id/files/*',
    exposeHeadRoute: false,
    schema: { ...fileSchemas.file, params: fileParams, querystring: viewQuery },
    handler: async (request, reply) => {
      const item = await readyItemOf(request.params.id);
      const path = request.params['*'];
      const file = await lookup.find(item, path);
      if (!file?.blobKey)
        throw new SeedcastError('NOT_FOUND', `item ${item.id} has no file "${path.slice(0, 200)}"`);
      const type = contentTypeOf(file.path);
      const etag = file.sha256 ? `"${file.sha256}"` : undefined;
      const name = file.path.split('/').pop()!;
      // the item page's PDF viewer frame (`?view=frame`): inline, still in the sandbox
      const framed = request.query.view === 'frame' && type === 'application/pdf';
      // `?download=1` (the item page's direct links): always an attachment, under the file's own name
      const download = request.query.download === '1';
      userFileHeaders(reply)
        .type(type)
        .header('Accept-Ranges', 'bytes')
        .header('Cache-Control', 'public, max-age=86400')
        .header(
          'Content-Disposition',
          contentDisposition((showsInline(type) || framed) && !download ? 'inline' : 'attachment', name),
        );
      if (etag) reply.header('ETag', etag);
      if (etag && notModified(request, etag)) return reply.code(304).send();
      const range = requestedRange(request, reply, file.length, etag);
      if (range.kind === 'unsatisfiable') return reply.send();
      const channel = httpChannel(request, torrentClients);
      const p2pPlayer = String(request.headers['x-seedcast-player'] ?? '').toLowerCase() === 'p2p';
      const bounded =
        !p2pPlayer && range.kind === 'partial' && /^bytes=\d+-\d+$/.test(request.headers.range ?? '');
      const admit = (waited: boolean) =>
        bounded
          ? options.seeding?.admitWebSeed(item.id, request.ip, { length: range.length, waited })
          : undefined;
      let admission = admit(false);
      if (admission?.serve === 'wait') {
        // Held, not refused: the client's peer connection may be on its way (see web-seed-deferral.ts).
        const { waitMs } = admission;
        await new Promise((r) => setTimeout(r, waitMs));
        admission = admit(true);
      }
      if (admission && admission.serve !== true) {
        // No header of the file's bytes on a refusal: aria2c 1.36 reads a 503's body by its
        // Content-Range (the whole requested range), not its Content-Length, and so waited out its
        // 60 s timeout for bytes that never came, holding the piece from its peers meanwhile.
        return withoutFileHeaders(reply)
          .code(503)
          .type('application/json; charset=utf-8')
          .header('Retry-After', String(admission.serve === false ? admission.retryAfter : 1))
          .header('Cache-Control', 'no-store')
          .send({ error: { code: 'FILE_USE_SWARM', message: ERRORS.FILE_USE_SWARM.message } });
      }
      const { offset, length } = range;
      // Fixity (issue 22): never bytes that fail their hash; the swarm has them, the repair brings them back.
      if (options.fixity?.damagedRange(item.id, file.blobKey, offset, length)) {
        admission?.release();
        withoutFileHeaders(reply).header('Retry-After', '60');
        throw new SeedcastError(
          'STORAGE_UNAVAILABLE',
          `item ${item.id}: part of "${name}" is being repaired`,
        );
      }
      reply.header('Content-Length', length);
      if (admission) reply.raw.once('close', admission.release);
      if (request.method === 'HEAD' || length === 0) return reply.send();
      const stream = await blobs.get(file.blobKey, { offset, length }).catch((err: unknown) => {
        // A ready item's blob gone (damaged storage) is the server's trouble, not a missing file:
        // 503 with Retry-After, which web-seed clients take as "not now" (aria2c 1.36 stalls at 99% on
        // a 404, or a 503 without Retry-After, for a range its peers could give it).
        if (isSeedcastError(err, 'STORAGE_NOT_FOUND')) {
          withoutFileHeaders(reply).header('Retry-After', '60');
          throw new SeedcastError(
            'STORAGE_UNAVAILABLE',
            `item ${item.id}: file "${name}" is missing from storage`,
          );
        }
        throw err;
      });
      countServed(reply, stream, (bytes) => options.traffic?.record(item.id, channel, bytes));
      return reply.send(stream);
    },
  });
}

/** A refusal's reply: the headers that describe the file's bytes (set before the answer was known) removed. */
function withoutFileHeaders(reply: FastifyReply): FastifyReply {
  for (const name of ['Content-Range', 'Accept-Ranges', 'ETag', 'Content-Disposition', 'Cache-Control'])
    reply.removeHeader(name);
  return reply;
}
