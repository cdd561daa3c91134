/**
 * `GET /media/<id>`: a complete episode's local file for the in-page player (`media-file.ts` says
 * which file and as what type; only files inside the library). RFC 9110 ranges: `Accept-Ranges:
 * bytes`, one range answered with 206 and `Content-Range`, an unsatisfiable one with 416 and
 * `Content-Range: bytes *\/<size>`, an `If-Range` naming another version (ETag or Last-Modified) gets
 * the whole file. HEAD answers the headers. 404 until the download is complete: a file the swarm is
 * still writing has holes anywhere, not a prefix that could be played safely.
 */

import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRange } from '../../web/range.js';
import type { AppContext } from '../context.js';
import { EPISODE_ID, episodeById } from '../lookup.js';
import { type MediaFile, mediaFileOf } from '../media-file.js';

/** A strong validator of the file's version: its size and modification time. */
export function mediaEtag(file: Pick<MediaFile, 'size' | 'mtimeMs'>): string {
  return `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
}

/** The range to send: the request's `Range`, unless its `If-Range` names another version. */
export function mediaRange(
  headers: { range?: string; 'if-range'?: string },
  file: Pick<MediaFile, 'size' | 'mtimeMs'>,
): ReturnType<typeof parseRange> {
  const ifRange = headers['if-range'];
  if (ifRange !== undefined) {
    const lastModified = new Date(Math.floor(file.mtimeMs / 1000) * 1000).toUTCString();
    if (ifRange.trim() !== mediaEtag(file) && ifRange.trim() !== lastModified) return { kind: 'whole' };
  }
  return parseRange(headers.range, file.size);
}

async function sendMedia(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, id: string) {
  const file = await mediaFileOf(ctx.home, episodeById(ctx, id));
  const etag = mediaEtag(file);
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('last-modified', new Date(file.mtimeMs).toUTCString())
    .header('cache-control', 'private, no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .header('content-disposition', 'inline')
    .type(file.type);
  const range = mediaRange(request.headers as { range?: string; 'if-range'?: string }, file);
  if (range.kind === 'unsatisfiable')
    return reply.code(416).header('content-range', `bytes */${file.size}`).send();
  const offset = range.kind === 'partial' ? range.offset : 0;
  const length = range.kind === 'partial' ? range.length : file.size;
  if (range.kind === 'partial')
    reply.code(206).header('content-range', `bytes ${offset}-${offset + length - 1}/${file.size}`);
  reply.header('content-length', length);
  if (length === 0) return reply.send();
  return reply.send(createReadStream(file.path, { start: offset, end: offset + length - 1 }));
}

export function mediaRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { id: string } }>(
    '/media/:id',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: EPISODE_ID } },
        },
      },
    },
    (request, reply) => sendMedia(ctx, request, reply, request.params.id),
  );
}
