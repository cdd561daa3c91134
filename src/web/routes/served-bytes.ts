/**
 * What every route that sends an item's bytes shares (`files.ts` for originals, thumbnails and the
 * `.torrent`; `derivatives.ts` for derivatives and their torrent): finding a ready item (a taken-down
 * one answers 451), the headers of user bytes (`Content-Security-Policy: sandbox`, `nosniff`),
 * `If-None-Match`, and RFC 9110 ranges (`Range` 206/416 and `If-Range`), which channel a request is
 * (a BitTorrent web-seed client or a player, for the traffic counts), and counting what left.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Item, ItemRepository } from '../../catalog/index.js';
import { classifyHttp, isTorrentClient } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import { parseRange } from '../range.js';

/** The id of an item in a route's path, as its params schema. */
export const ITEM_ID = { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } as const;

/** Params schema of `/items/:id...` routes. */
export const itemIdParams = { type: 'object', required: ['id'], properties: { id: ITEM_ID } } as const;

/** Headers of every response that carries bytes a user sent. */
export function userFileHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('Content-Security-Policy', 'sandbox').header('X-Content-Type-Options', 'nosniff');
}

/** A ready item by its route id: 451 when taken down, 404 when missing or not ready. */
export async function readyItem(items: Pick<ItemRepository, 'get'>, id: string): Promise<Item> {
  const item = await items.get(Number(id));
  if (item?.status === 'taken_down') throw new SeedcastError('ITEM_TAKEN_DOWN', `item ${id}`);
  if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${id}`);
  return item;
}

/** True when the request's `If-None-Match` names `etag` (answer 304). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  return request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag) ?? false;
}

/** Sends a `.torrent` (attachment named `name`) with its ETag, 304 and HEAD. */
export function sendTorrent(
  request: FastifyRequest,
  reply: FastifyReply,
  torrent: { bytes: Uint8Array; etag: string; disposition: string },
): FastifyReply {
  const etag = `"${torrent.etag}"`;
  userFileHeaders(reply)
    .type('application/x-bittorrent')
    .header('Content-Disposition', torrent.disposition)
    .header('ETag', etag);
  if (notModified(request, etag)) return reply.code(304).send();
  reply.header('Content-Length', torrent.bytes.length);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(torrent.bytes);
}

export type ByteRange =
  | { kind: 'unsatisfiable' }
  | { kind: 'whole' | 'partial'; offset: number; length: number };

/**
 * The part of a `size`-byte file the request asks for: its `Range` unless an `If-Range` names
 * another version than `etag`. Sets 206 and `Content-Range` on a part, 416 on none; the caller sends.
 */
export function requestedRange(
  request: FastifyRequest,
  reply: FastifyReply,
  size: number,
  etag: string | undefined,
): ByteRange {
  const ifRange = request.headers['if-range'];
  const range =
    ifRange !== undefined && ifRange !== etag
      ? { kind: 'whole' as const }
      : parseRange(request.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    reply.code(416).header('Content-Range', `bytes */${size}`);
    return range;
  }
  if (range.kind === 'partial') {
    reply
      .code(206)
      .header('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`);
    return range;
  }
  return { kind: 'whole', offset: 0, length: size };
}

/**
 * Which channel a request's bytes count under; a connection on which a BitTorrent client named
 * itself stays one (libtorrent sends its User-Agent once per connection).
 */
export function httpChannel(
  request: FastifyRequest,
  torrentClients: WeakSet<object>,
): ReturnType<typeof classifyHttp> {
  const socket = request.raw.socket;
  if (isTorrentClient(request.headers)) torrentClients.add(socket);
  return classifyHttp(request.headers, { torrentClient: torrentClients.has(socket) });
}

/** Adds up the bytes that actually left, once the response is over. */
export function countServed(
  reply: FastifyReply,
  stream: NodeJS.ReadableStream,
  record: (bytes: number) => void,
): void {
  let sent = 0;
  stream.on('data', (chunk: Uint8Array) => {
    sent += chunk.length;
  });
  reply.raw.once('close', () => {
    if (sent > 0) record(sent);
  });
}
