/**
 * Collections (playlists) over HTTP, JSON (Bearer, or the pages' session with `X-CSRF-Token`):
 * `POST /api/v1/collections` (rate-limited as the `collections` action) -> 201 `{ id, url }`;
 * `GET /api/v1/collections?user=NAME` (public ones; the owner also sees their unlisted ones);
 * `GET|PATCH|DELETE /api/v1/collections/:id` (anyone may read a collection by id, unlisted too:
 * those answer `X-Robots-Tag: noindex`); `POST /api/v1/collections/:id/items` `{ item }` (201 when
 * added, 200 `added: false` when it was already there); `DELETE /api/v1/collections/:id/items/:item`;
 * `PUT /api/v1/collections/:id/items` `{ items: [ids in order] }`. Changes are the owner's only
 * (403); the rules are `CollectionRepository`'s.
 */

import type {} from '@fastify/swagger'; // the schemas' summary and tags (OpenAPI)
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  Collection,
  CollectionRepository,
  ItemRepository,
  SiteLinks,
  TokenRepository,
  User,
  UserRepository,
} from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import { authenticate, type UserResolver } from '../auth.js';

export interface CollectionRoutesOptions {
  collections: CollectionRepository;
  items: ItemRepository;
  users: UserRepository;
  tokens: TokenRepository;
  links: SiteLinks;
  resolveUser?: UserResolver;
}

const TAGS = ['collections'];

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

const collectionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    visibility: { type: 'string', enum: ['public', 'unlisted'] },
    owner: { type: 'string' },
    itemCount: { type: 'integer' },
    feeds: {
      type: 'object',
      properties: { rss: { type: 'string' }, atom: { type: 'string' }, json: { type: 'string' } },
    },
    embedUrl: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const itemEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    title: { type: 'string' },
    mediaType: { type: 'string' },
    status: { type: 'string' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const changeProperties = {
  title: { type: 'string', maxLength: 1000 },
  description: { type: 'string', maxLength: 20_000 },
  visibility: { type: 'string', maxLength: 20 },
} as const;

const errors = { '4xx': errorSchema };

/** The collection as the API shows it. */
export function collectionView(c: Collection, links: SiteLinks) {
  const url = `${links.root}/collections/${c.id}`;
  return {
    id: c.id,
    url,
    title: c.title,
    description: c.description,
    visibility: c.visibility,
    owner: c.owner,
    itemCount: c.itemCount,
    feeds: { rss: `${url}/feed.rss`, atom: `${url}/feed.atom`, json: `${url}/feed.json` },
    embedUrl: `${links.root}/embed/collections/${c.id}`,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

export async function collectionRoutes(
  app: FastifyInstance,
  options: CollectionRoutesOptions,
): Promise<void> {
  const { collections, items, tokens, links } = options;
  const user = (request: FastifyRequest) => authenticate(request, tokens, options.resolveUser);
  /** The account when the request names one (reading works without). */
  const maybeUser = async (request: FastifyRequest): Promise<User | undefined> => {
    try {
      return await user(request);
    } catch (err) {
      if (isSeedcastError(err, 'AUTH_REQUIRED') || isSeedcastError(err, 'FORBIDDEN')) return undefined;
      throw err;
    }
  };
  const found = async (id: number, reply?: FastifyReply) => {
    const c = await collections.get(id);
    if (!c) throw new SeedcastError('NOT_FOUND', `no collection ${id}`);
    if (c.visibility === 'unlisted') reply?.header('X-Robots-Tag', 'noindex');
    return c;
  };

  app.post<{ Body: { title: string; description?: string; visibility?: string } }>(
    '/api/v1/collections',
    {
      schema: {
        summary: 'Create a collection (playlist)',
        tags: TAGS,
        body: {
          type: 'object',
          required: ['title'],
          additionalProperties: false,
          properties: changeProperties,
        },
        response: {
          201: { type: 'object', properties: { id: { type: 'integer' }, url: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const owner = await user(request);
      limitAction(reply, { action: 'collections', user: owner });
      const c = await collections.create({ ownerId: owner.id, ...request.body });
      reply.code(201).header('Location', `/api/v1/collections/${c.id}`);
      return { id: c.id, url: `${links.root}/collections/${c.id}` };
    },
  );

  app.get<{ Querystring: { user: string } }>(
    '/api/v1/collections',
    {
      schema: {
        summary: "A user's collections (their unlisted ones too when they ask)",
        tags: TAGS,
        querystring: {
          type: 'object',
          required: ['user'],
          properties: { user: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: {
          200: { type: 'object', properties: { collections: { type: 'array', items: collectionSchema } } },
          ...errors,
        },
      },
    },
    async (request) => {
      const owner = await options.users.byName(request.query.user);
      if (!owner || owner.disabled)
        throw new SeedcastError('NOT_FOUND', `no user "${request.query.user.slice(0, 40)}"`);
      const asker = await maybeUser(request);
      const list = await collections.byOwner(owner.id, { includeUnlisted: asker?.id === owner.id });
      return { collections: list.map((c) => collectionView(c, links)) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/collections/:id',
    {
      schema: {
        summary: 'A collection and its items in order',
        tags: TAGS,
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { ...collectionSchema.properties, items: { type: 'array', items: itemEntrySchema } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const c = await found(request.params.id, reply);
      const asker = await maybeUser(request);
      const ids = await collections.itemIds(c.id, { includePending: asker?.id === c.ownerId });
      const list = await items.many(ids);
      return {
        ...collectionView(c, links),
        items: list.map((i) => ({
          id: i.id,
          url: links.itemPage(i.id),
          title: i.title,
          mediaType: i.mediaType,
          status: i.status,
        })),
      };
    },
  );

  app.patch<{ Params: { id: number }; Body: { title?: string; description?: string; visibility?: string } }>(
    '/api/v1/collections/:id',
    {
      schema: {
        summary: "Change a collection's title, description or visibility (its owner)",
        tags: TAGS,
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: changeProperties },
        response: { 200: collectionSchema, ...errors },
      },
    },
    async (request) => {
      const actor = await user(request);
      const c = await collections.update(request.params.id, { actor, ...request.body });
      return collectionView(c, links);
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/collections/:id',
    {
      schema: {
        summary: 'Delete a collection (its owner); the items stay',
        tags: TAGS,
        params: idParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = await user(request);
      await collections.remove(request.params.id, actor);
      return reply.code(204).send();
    },
  );

  const itemsAnswer = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      added: { type: 'boolean' },
      items: { type: 'array', items: { type: 'integer' } },
    },
  } as const;

  app.post<{ Params: { id: number }; Body: { item: number } }>(
    '/api/v1/collections/:id/items',
    {
      schema: {
        summary: 'Append an item to a collection (a no-op when it is there already)',
        tags: TAGS,
        params: idParams,
        body: {
          type: 'object',
          required: ['item'],
          additionalProperties: false,
          properties: { item: { type: 'integer', minimum: 1 } },
        },
        response: { '2xx': itemsAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const actor = await user(request);
      const id = request.params.id;
      await found(id);
      const { added } = await collections.addItem(id, { actor, itemId: request.body.item });
      reply.code(added ? 201 : 200);
      return { id, added, items: await collections.itemIds(id, { includePending: true }) };
    },
  );

  app.put<{ Params: { id: number }; Body: { items: number[] } }>(
    '/api/v1/collections/:id/items',
    {
      schema: {
        summary: "Reorder a collection's items (every item, each once, in the new order)",
        tags: TAGS,
        params: idParams,
        body: {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: { items: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1 } } },
        },
        response: { 200: itemsAnswer, ...errors },
      },
    },
    async (request) => {
      const actor = await user(request);
      const id = request.params.id;
      await collections.reorder(id, { actor, itemIds: request.body.items });
      return { id, items: await collections.itemIds(id, { includePending: true }) };
    },
  );

  app.delete<{ Params: { id: number; item: number } }>(
    '/api/v1/collections/:id/items/:item',
    {
      schema: {
        summary: 'Take an item out of a collection',
        tags: TAGS,
        params: {
          type: 'object',
          required: ['id', 'item'],
          properties: { id: { type: 'integer', minimum: 1 }, item: { type: 'integer', minimum: 1 } },
        },
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = await user(request);
      await collections.removeItem(request.params.id, { actor, itemId: request.params.item });
      return reply.code(204).send();
    },
  );
}
