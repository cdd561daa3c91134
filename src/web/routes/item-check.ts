/**
 * Asking before uploading (issue 19): `POST /api/v1/items/check` `{ "sha256": "<64 hex>" }` answers
 * `{ "exists": true, "item": { "id", "url", "title" } }` when a published (or taken-down) item has a
 * file with that content, else `{ "exists": false }`. The upload page hashes a file in the browser
 * (`crypto.subtle.digest`) and asks here before sending a byte; a tus client may instead put
 * `sha256` in `Upload-Metadata` and the creation is refused with 409 (`refuseKnownContent`, used by
 * `uploads.ts`). Signed-in accounts only (Bearer token, or the page's session with `X-CSRF-Token`).
 * Without a hash, publishing still refuses a second item with the same info hash after hashing.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ItemRepository, SiteLinks, TokenRepository } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { authenticate, type UserResolver } from '../auth.js';
import { errors } from '../schemas/index.js';

export interface ItemCheckOptions {
  items: Pick<ItemRepository, 'withContent'>;
  tokens: TokenRepository;
  links: SiteLinks;
  resolveUser?: UserResolver;
}

const SHA256 = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{64}$',
  description: 'SHA-256 of the file, hex',
} as const;

export const itemCheckSchema = {
  summary: 'Is this content already published? (ask before uploading)',
  tags: ['items'],
  body: {
    type: 'object',
    required: ['sha256'],
    additionalProperties: false,
    properties: { sha256: SHA256 },
  },
  response: {
    200: {
      type: 'object',
      required: ['exists'],
      additionalProperties: false,
      properties: {
        exists: { type: 'boolean' },
        item: {
          type: 'object',
          required: ['id', 'url', 'title'],
          additionalProperties: false,
          properties: { id: { type: 'integer' }, url: { type: 'string' }, title: { type: 'string' } },
        },
      },
    },
    ...errors,
  },
} as const;

/** Throws ITEM_CONFLICT (409, the existing item's page in the message and a `Link` header) when known. */
export async function refuseKnownContent(
  sha256: string,
  options: { items: Pick<ItemRepository, 'withContent'>; links: SiteLinks; reply?: FastifyReply },
): Promise<void> {
  if (!/^[0-9a-fA-F]{64}$/.test(sha256))
    throw new SeedcastError('UPLOAD_INVALID', 'Upload-Metadata: sha256: 64 hex digits');
  const item = await options.items.withContent(sha256);
  if (!item) return;
  const url = options.links.itemPage(item.id);
  options.reply?.header('Link', `<${url}>; rel="duplicate"`);
  // A creation-with-upload's body is not read: close the connection after answering.
  if (options.reply && !options.reply.request.raw.complete) options.reply.header('connection', 'close');
  throw new SeedcastError('ITEM_CONFLICT', `this file is already published: ${url}`);
}

export async function itemCheckRoutes(app: FastifyInstance, options: ItemCheckOptions): Promise<void> {
  app.post<{ Body: { sha256: string } }>(
    '/api/v1/items/check',
    { schema: itemCheckSchema },
    async (request) => {
      await authenticate(request, options.tokens, options.resolveUser);
      const item = await options.items.withContent(request.body.sha256);
      if (!item) return { exists: false };
      return { exists: true, item: { id: item.id, url: options.links.itemPage(item.id), title: item.title } };
    },
  );
}
