/**
 * Changing and removing items over HTTP: `PATCH /api/v1/items/:id` (owner or admin: metadata; the
 * search index follows through the database's triggers), `DELETE /api/v1/items/:id` (owner or
 * admin: stops seeding and tracking, deletes the row, then its blobs) and the admin takedown
 * `POST|DELETE /api/v1/items/:id/takedown` (status `taken_down` with a reason: no longer seeded,
 * tracked, listed or served; reversible). Delete and takedown also stop archiving a torrent-only
 * item at once and remove its partial download; `POST /api/v1/items/:id/archive` (owner or admin)
 * tries archiving again after it failed or gave up.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  ChannelRepository,
  Item,
  ItemRepository,
  ModerationRepository,
  SearchRepository,
  TokenRepository,
  User,
} from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { CaptionViews, ProcessingViews } from '../../media/index.js';
import type { Archiver, Seeding, SiteLinks } from '../../site/index.js';
import type { BlobStore } from '../../storage/index.js';
import { authenticate, authenticateModerator, type UserResolver } from '../auth.js';
import { restoreItem, takeDownItem } from '../takedown.js';
import { editableItem, type ItemPatchBody, metadataPatch, removeItem } from './item-edit-ops.js';
import { itemView } from './items.js';

export interface ItemAdminRoutesOptions {
  items: ItemRepository;
  channels: ChannelRepository;
  tokens: TokenRepository;
  search: SearchRepository;
  seeding: Seeding;
  blobs: BlobStore;
  links: SiteLinks;
  resolveUser?: UserResolver;
  archiver?: Archiver;
  moderation?: ModerationRepository;
  /** Cancels the item's media jobs and removes its derivatives (issue 18). */
  processing?: ProcessingViews;
  /** Removes the item's caption files on delete (issue 18). */
  captions?: CaptionViews;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

type Patch = ItemPatchBody;

export const itemPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    title: { type: 'string', maxLength: 300 },
    description: { type: 'string', maxLength: 20_000 },
    creator: { type: 'string', maxLength: 300 },
    date: { type: ['string', 'null'], maxLength: 40 },
    language: { type: ['string', 'null'], maxLength: 40 },
    license: { type: ['string', 'null'], maxLength: 200 },
    tags: {
      // The string form first: the validator would otherwise coerce "a, b" into ["a, b"].
      anyOf: [
        { type: 'string', maxLength: 2000 },
        { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 20 },
      ],
    },
    channel: { type: ['string', 'null'], maxLength: 64 },
  },
} as const;

/** What removing an item needs (the site's services have all of it). */
export type ItemRemoval = Pick<
  ItemAdminRoutesOptions,
  'items' | 'seeding' | 'blobs' | 'archiver' | 'processing' | 'captions'
>;

export async function itemAdminRoutes(app: FastifyInstance, options: ItemAdminRoutesOptions): Promise<void> {
  const { items } = options;
  const user = (request: FastifyRequest) => authenticate(request, options.tokens, options.resolveUser);

  const editable = (id: number, u: User): Promise<Item> => editableItem(items, id, u);

  app.patch<{ Params: { id: number }; Body: Patch }>(
    '/api/v1/items/:id',
    { schema: { params: idParams, body: itemPatchSchema } },
    async (request) => {
      const u = await user(request);
      const item = await editable(request.params.id, u);
      const patch = await metadataPatch(request.body, item, options);
      const updated = (await items.update(item.id, patch))!;
      return itemView(updated, options.links, options.archiver);
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/items/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const u = await user(request);
      const item = await editable(request.params.id, u);
      await removeItem(item, options, {
        warn: (err, key) => request.log.warn({ err, key }, 'cannot delete blob'),
      });
      return reply.code(204).send();
    },
  );

  const admin = (request: FastifyRequest) =>
    authenticateModerator(request, options.tokens, options.resolveUser);

  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    '/api/v1/items/:id/takedown',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['reason'],
          properties: { reason: { type: 'string', maxLength: 2000 } },
        },
      },
    },
    async (request) => {
      const actor = await admin(request);
      const down = await takeDownItem(options, { actor, id: request.params.id, reason: request.body.reason });
      return {
        ...itemView(down, options.links),
        takedown: { reason: down.takedownReason, at: down.takenDownAt },
      };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/items/:id/takedown',
    { schema: { params: idParams } },
    async (request) => {
      const actor = await admin(request);
      const restored = await restoreItem(options, { actor, id: request.params.id });
      return itemView(restored, options.links, options.archiver);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/items/:id/archive',
    { schema: { params: idParams } },
    async (request, reply) => {
      const item = await editable(request.params.id, await user(request));
      if (!options.archiver || !item.torrentOnly || item.status !== 'ready')
        throw new SeedcastError('NOT_FOUND', `item ${item.id} is not archived by this site`);
      await options.archiver.retry(item);
      reply.code(202);
      return itemView((await items.get(item.id))!, options.links, options.archiver);
    },
  );
}
