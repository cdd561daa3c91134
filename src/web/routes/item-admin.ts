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
  SiteLinks,
  TokenRepository,
  User,
} from '../../catalog/index.js';
import type { Seeding } from '../../distribution/index.js';
import { SeedcastError } from '../../errors.js';
import type { CaptionViews, ProcessingViews } from '../../media/index.js';
import type { Archiver } from '../../publishing/index.js';
import type { BlobStore } from '../../storage/index.js';
import { authenticate, authenticateModerator, type UserResolver } from '../auth.js';
import { empty, errors, idParams, ref, signedIn } from '../schemas/index.js';
import { itemFieldPatchSchemas } from '../schemas/item-fields.js';
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

type Patch = ItemPatchBody;

export const itemPatchSchema = {
  type: 'object',
  description: 'The fields to change (at least one); the others stay as they are',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    // title, description, creator, date, language, series, episode... (`src/catalog/item-fields.ts`)
    ...itemFieldPatchSchemas(),
    license: {
      type: ['string', 'null'],
      maxLength: 200,
      description: 'An SPDX id or a Creative Commons URL; null clears it',
    },
    tags: {
      description: 'The new tags: a list, or one comma-separated string (replaces them all)',
      // The string form first: the validator would otherwise coerce "a, b" into ["a, b"].
      anyOf: [
        { type: 'string', maxLength: 2000 },
        { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 20 },
      ],
    },
    channel: {
      type: ['string', 'null'],
      maxLength: 64,
      description: 'The name of one of the owner\'s channels; null or "" takes the item out of its channel',
    },
  },
} as const;

const takedownBody = {
  type: 'object',
  required: ['reason'],
  properties: {
    reason: { type: 'string', maxLength: 2000, description: 'Shown to admins and in the audit log' },
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
    {
      schema: {
        summary: "Edit an item's metadata (its owner or an admin)",
        tags: ['items'],
        security: signedIn,
        params: idParams,
        body: itemPatchSchema,
        response: { 200: ref('Item', 'The item as changed'), ...errors },
      },
    },
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
    {
      schema: {
        summary: 'Delete an item, its files and its torrent (its owner or an admin)',
        tags: ['items'],
        security: signedIn,
        params: idParams,
        response: { 204: empty('Deleted'), ...errors },
      },
    },
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
        summary: 'Take an item down (admin): no longer served, seeded, tracked or listed; reversible',
        tags: ['moderation'],
        security: signedIn,
        params: idParams,
        body: takedownBody,
        response: { 200: ref('Item', 'The item, with `takedown`'), ...errors },
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
    {
      schema: {
        summary: 'Restore a taken-down item (admin)',
        tags: ['moderation'],
        security: signedIn,
        params: idParams,
        response: { 200: ref('Item', 'The item, served again'), ...errors },
      },
    },
    async (request) => {
      const actor = await admin(request);
      const restored = await restoreItem(options, { actor, id: request.params.id });
      return itemView(restored, options.links, options.archiver);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/items/:id/archive',
    {
      schema: {
        summary: 'Try archiving a torrent-only item again after it failed or gave up (owner or admin)',
        tags: ['items'],
        security: signedIn,
        params: idParams,
        response: { 202: ref('Item', 'The item, with its archive state'), ...errors },
      },
    },
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
