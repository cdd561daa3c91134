/**
 * Comments, favourites and reports over HTTP (JSON, Bearer or the pages' session):
 * `GET|POST /api/v1/items/:id/comments` (threaded; posting is limited as an action, `action-limits.ts`),
 * `PUT|DELETE /api/v1/items/:id/favourite`, `GET /api/v1/users/:name/favourites`,
 * `POST /api/v1/items/:id/reports` (anyone, rate-limited), `GET /api/v1/reports` and
 * `POST /api/v1/reports/:id/resolve` (admins). Only ready items can be commented, favoured or
 * reported; the rest is the transport-free `CommunityRepository`.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type CommunityRepository,
  type ItemRepository,
  type TokenRepository,
  threadOrder,
  type UserRepository,
} from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { SiteLinks } from '../../site/index.js';
import { limitAction } from '../action-limits.js';
import { authenticate, bearerToken, type UserResolver } from '../auth.js';
import { itemView } from './items.js';

export interface CommunityRoutesOptions {
  community: CommunityRepository;
  items: ItemRepository;
  users: UserRepository;
  tokens: TokenRepository;
  links: SiteLinks;
  resolveUser?: UserResolver;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

type IdRequest = FastifyRequest<{ Params: { id: number } }>;

export async function communityRoutes(app: FastifyInstance, options: CommunityRoutesOptions): Promise<void> {
  const { community, items, tokens } = options;
  const user = (request: FastifyRequest) => authenticate(request, tokens, options.resolveUser);
  const readyItem = async (id: number) => {
    const item = await items.get(id);
    if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${id}`);
    return item;
  };
  const admin = async (request: FastifyRequest) => {
    const u = await user(request);
    if (u.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'admins only');
    return u;
  };

  app.get('/api/v1/items/:id/comments', { schema: { params: idParams } }, async (request: IdRequest) => {
    await readyItem(request.params.id);
    const comments = threadOrder(await community.comments(request.params.id));
    return {
      comments: comments.map((c) => ({
        id: c.id,
        parentId: c.parentId,
        depth: c.depth,
        author: c.author,
        body: c.body,
        createdAt: new Date(c.createdAt).toISOString(),
      })),
    };
  });

  app.post<{ Params: { id: number }; Body: { body: string; parentId?: number | null } }>(
    '/api/v1/items/:id/comments',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['body'],
          properties: {
            body: { type: 'string', maxLength: 5000 },
            parentId: { type: ['integer', 'null'], minimum: 1 },
          },
        },
      },
    },
    async (request, reply) => {
      const author = await user(request);
      limitAction(reply, { action: 'comments', user: author });
      await readyItem(request.params.id);
      const { id } = await community.addComment({
        itemId: request.params.id,
        userId: author.id,
        parentId: request.body.parentId ?? null,
        body: request.body.body,
      });
      reply.code(201);
      return { id, parentId: request.body.parentId ?? null, author: author.username };
    },
  );

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route({
      method,
      url: '/api/v1/items/:id/favourite',
      schema: { params: idParams },
      handler: async (request: IdRequest, reply) => {
        const u = await user(request);
        limitAction(reply, { action: 'favourites', user: u });
        await readyItem(request.params.id);
        await community.setFavourite(u.id, request.params.id, method === 'PUT');
        return community.favourites(request.params.id, u.id);
      },
    });
  }

  app.get<{ Params: { name: string }; Querystring: { page?: number } }>(
    '/api/v1/users/:name/favourites',
    {
      schema: {
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 64 } },
        },
        querystring: { type: 'object', properties: { page: { type: 'integer', minimum: 1, maximum: 200 } } },
      },
    },
    async (request) => {
      const owner = await options.users.byName(request.params.name);
      if (!owner) throw new SeedcastError('NOT_FOUND', 'no such user');
      const page = request.query.page ?? 1;
      const ids = await community.favouriteItemIds(owner.id, { limit: 50, offset: (page - 1) * 50 });
      return { items: (await items.many(ids)).map((item) => itemView(item, options.links)) };
    },
  );

  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    '/api/v1/items/:id/reports',
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
    async (request, reply) => {
      // Anyone may report; an account is recorded when the request carries one.
      const reporter =
        bearerToken(request) !== undefined ? await user(request) : await options.resolveUser?.(request);
      limitAction(reply, { action: 'reports', user: reporter });
      await readyItem(request.params.id);
      const { id } = await community.fileReport({
        itemId: request.params.id,
        reporterId: reporter?.id ?? null,
        reason: request.body.reason,
      });
      reply.code(201);
      return { id };
    },
  );

  app.get('/api/v1/reports', async (request) => {
    await admin(request);
    const reports = await community.openReports();
    return {
      reports: reports.map((r) => ({
        ...r,
        createdAt: new Date(r.createdAt).toISOString(),
        resolvedAt: null,
      })),
    };
  });

  app.post('/api/v1/reports/:id/resolve', { schema: { params: idParams } }, async (request: IdRequest) => {
    await admin(request);
    if (!(await community.resolveOpenReport(request.params.id)))
      throw new SeedcastError('NOT_FOUND', `no open report ${request.params.id}`);
    return { id: request.params.id, resolved: true };
  });
}
