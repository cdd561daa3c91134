/**
 * Channels over the API: `POST /api/v1/channels` (an account makes one; limited as the `channels`
 * action), `GET /api/v1/channels`, `GET|PATCH|DELETE /api/v1/channels/:name` (changes by the owner
 * or an admin: 403 otherwise), `PUT /api/v1/channels/:name/avatar` and `/banner` (multipart `file`,
 * an image), `PUT|DELETE /api/v1/channels/:name/follow`, and `GET /api/v1/subscriptions` (the
 * followed channels' newest items, paged with `before`). Deleting a channel keeps its items.
 */

import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  Channel,
  ChannelRepository,
  ItemRepository,
  SiteLinks,
  TokenRepository,
  User,
  UserRepository,
} from '../../catalog/index.js';
import { CHANNEL_MEDIA } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { Archiver } from '../../publishing/index.js';
import type { BlobStore } from '../../storage/index.js';
import { limitAction } from '../action-limits.js';
import { authenticate, type UserResolver } from '../auth.js';
import { channelImagePath } from '../pages/channel-parts.js';
import { type ImageKind, readImageParts, removeChannelImages, storeChannelImage } from './channels-images.js';
import { itemView } from './items.js';

export interface ChannelRoutesOptions {
  channels: ChannelRepository;
  users: UserRepository;
  items: ItemRepository;
  tokens: TokenRepository;
  blobs: BlobStore;
  links: SiteLinks;
  resolveUser?: UserResolver;
  archiver?: Archiver;
}

const TAGS = ['channels'];
const nullableString = { type: ['string', 'null'] } as const;

export const channelSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    category: { type: 'string' },
    medium: { type: 'string', enum: [...CHANNEL_MEDIA] },
    owner: nullableString,
    url: { type: 'string' },
    feeds: {
      type: 'object',
      properties: { rss: { type: 'string' }, atom: { type: 'string' }, json: { type: 'string' } },
    },
    avatarUrl: nullableString,
    bannerUrl: nullableString,
    followers: { type: 'integer' },
    createdAt: { type: 'integer' },
    updatedAt: { type: ['integer', 'null'] },
  },
} as const;

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 100 } },
} as const;

const editable = {
  title: { type: 'string', maxLength: 300 },
  description: { type: 'string', maxLength: 5000 },
  category: { type: 'string', maxLength: 210 },
  medium: { type: 'string', maxLength: 20 },
} as const;

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

interface CreateBody {
  name: string;
  title: string;
  description?: string;
  category?: string;
  medium?: string;
}

type PatchBody = Partial<Omit<CreateBody, 'name'>>;

export async function channelRoutes(app: FastifyInstance, options: ChannelRoutesOptions): Promise<void> {
  const { channels, users, links } = options;
  const user = (request: FastifyRequest) => authenticate(request, options.tokens, options.resolveUser);

  const view = async (c: Channel, owner?: string | null) => {
    const base = `${links.root}/channels/${c.slug}`;
    const image = (kind: ImageKind) => {
      const path = channelImagePath(c, kind);
      return path ? `${links.root}${path}` : null;
    };
    return {
      id: c.id,
      name: c.slug,
      title: c.title,
      description: c.description,
      category: c.category,
      medium: c.medium,
      owner: owner !== undefined ? owner : ((await users.byId(c.ownerId))?.username ?? null),
      url: base,
      feeds: { rss: `${base}/feed.rss`, atom: `${base}/feed.atom`, json: `${base}/feed.json` },
      avatarUrl: image('avatar'),
      bannerUrl: image('banner'),
      followers: await channels.followers(c.id),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  };

  const found = async (name: string): Promise<Channel> => {
    const c = await channels.bySlug(name);
    if (!c) throw new SeedcastError('NOT_FOUND', `no channel "${name.slice(0, 64)}"`);
    return c;
  };

  /** The channel, when `u` may change it: its owner or an admin. */
  const mine = async (name: string, u: User): Promise<Channel> => {
    const c = await found(name);
    if (c.ownerId !== u.id && u.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'not your channel');
    return c;
  };

  app.post<{ Body: CreateBody }>(
    '/api/v1/channels',
    {
      schema: {
        summary: 'Create a channel',
        tags: TAGS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'title'],
          properties: { name: { type: 'string', maxLength: 100 }, ...editable },
        },
        response: {
          201: {
            type: 'object',
            properties: { id: { type: 'integer' }, name: { type: 'string' }, url: { type: 'string' } },
          },
          '4xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const u = await user(request);
      limitAction(reply, { action: 'channels', user: u });
      const c = await channels.create({ ownerId: u.id, slug: request.body.name, ...request.body });
      reply.code(201).header('location', `${links.root}/channels/${c.slug}`);
      return { id: c.id, name: c.slug, url: `${links.root}/channels/${c.slug}` };
    },
  );

  app.get<{ Querystring: { limit?: number; offset?: number } }>(
    '/api/v1/channels',
    {
      schema: {
        summary: 'List channels, newest first',
        tags: TAGS,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: 100_000, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, channels: { type: 'array', items: channelSchema } },
          },
        },
      },
    },
    async (request) => {
      const [list, total] = await Promise.all([
        channels.list({ limit: request.query.limit, offset: request.query.offset }),
        channels.count(),
      ]);
      const owners = new Map<number, string | null>();
      for (const c of list)
        if (!owners.has(c.ownerId)) owners.set(c.ownerId, (await users.byId(c.ownerId))?.username ?? null);
      return { total, channels: await Promise.all(list.map((c) => view(c, owners.get(c.ownerId)))) };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/channels/:name',
    {
      schema: {
        summary: 'A channel',
        tags: TAGS,
        params: nameParams,
        response: { 200: channelSchema, '4xx': errorSchema },
      },
    },
    async (request) => view(await found(request.params.name)),
  );

  app.patch<{ Params: { name: string }; Body: PatchBody }>(
    '/api/v1/channels/:name',
    {
      schema: {
        summary: "Change a channel's title, description, category or medium (owner or admin)",
        tags: TAGS,
        params: nameParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: editable },
        response: { 200: channelSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      const c = await mine(request.params.name, await user(request));
      return view((await channels.update(c.id, request.body)) ?? c);
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/channels/:name',
    {
      schema: {
        summary: 'Delete a channel (owner or admin); its items stay, without a channel',
        tags: TAGS,
        params: nameParams,
        response: { 204: { type: 'null' }, '4xx': errorSchema },
      },
    },
    async (request, reply) => {
      const c = await mine(request.params.name, await user(request));
      await channels.delete(c.id);
      await removeChannelImages(options.blobs, c);
      return reply.code(204).send();
    },
  );

  for (const kind of ['avatar', 'banner'] as const) {
    app.put<{ Params: { name: string } }>(
      `/api/v1/channels/:name/${kind}`,
      {
        schema: {
          summary: `Set a channel's ${kind} (multipart \`file\`: PNG, JPEG, WebP or GIF, at most 5 MiB)`,
          tags: TAGS,
          params: nameParams,
          consumes: ['multipart/form-data'],
          response: { 200: channelSchema, '4xx': errorSchema },
        },
      },
      async (request) => {
        const c = await mine(request.params.name, await user(request));
        const { images } = await readImageParts(request, ['file']);
        const bytes = images.file;
        if (!bytes) throw new SeedcastError('CHANNEL_INVALID', 'file: an image file is required');
        return view(await storeChannelImage(options, c, { kind, bytes }));
      },
    );
  }

  const followSchema = (summary: string) => ({
    summary,
    tags: TAGS,
    params: nameParams,
    response: {
      200: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          following: { type: 'boolean' },
          followers: { type: 'integer' },
        },
      },
      '4xx': errorSchema,
    },
  });

  app.put<{ Params: { name: string } }>(
    '/api/v1/channels/:name/follow',
    { schema: followSchema('Follow a channel') },
    async (request) => {
      const u = await user(request);
      const c = await found(request.params.name);
      await channels.follow(u.id, c.id);
      return { name: c.slug, following: true, followers: await channels.followers(c.id) };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/channels/:name/follow',
    { schema: followSchema('Stop following a channel') },
    async (request) => {
      const u = await user(request);
      const c = await found(request.params.name);
      await channels.unfollow(u.id, c.id);
      return { name: c.slug, following: false, followers: await channels.followers(c.id) };
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/api/v1/subscriptions',
    {
      schema: {
        summary: 'The newest items of the channels the account follows, and those channels',
        tags: TAGS,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            before: { type: 'integer', minimum: 1 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              channels: { type: 'array', items: channelSchema },
              items: { type: 'array', items: { type: 'object', additionalProperties: true } },
              next: { type: ['integer', 'null'] },
            },
          },
          '4xx': errorSchema,
        },
      },
    },
    async (request) => {
      const u = await user(request);
      const limit = request.query.limit ?? 50;
      const ids = await channels.newItemsForFollower(u.id, { limit, before: request.query.before });
      const found = await options.items.many(ids);
      const followed = await channels.followedBy(u.id);
      return {
        channels: await Promise.all(followed.map((c) => view(c))),
        items: found.map((i) => itemView(i, links, options.archiver)),
        next: ids.length === limit ? (ids.at(-1) ?? null) : null,
      };
    },
  );
}
