/**
 * Comments, favourites and reports over HTTP (JSON, Bearer or the pages' session):
 * `GET|POST /api/v1/items/:id/comments` (one page, newest thread first, `?after=<next>` for the
 * next; posting is limited as an action, `action-limits.ts`), `PATCH|DELETE /api/v1/items/:id/comments/:commentId`
 * (edit: its author; delete: its author or an admin, audited),
 * `PUT|DELETE /api/v1/items/:id/favourite`, `GET /api/v1/users/:name/favourites`,
 * `POST /api/v1/items/:id/reports` (anyone, rate-limited), `GET /api/v1/reports` and
 * `POST /api/v1/reports/:id/resolve` (admins). Only ready items can be commented, favoured or
 * reported; the rest is the transport-free `CommunityRepository`.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SiteLinks } from '../../catalog/index.js';
import {
  type Comment,
  type CommunityRepository,
  type ItemRepository,
  MAX_COMMENT,
  MAX_PAGE,
  type TokenRepository,
  type UserRepository,
} from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import { authenticate, authenticateModerator, bearerToken, type UserResolver } from '../auth.js';
import { favouritesAnswer, reportSchema } from '../schemas/community.js';
import { errors, object, ref, signedIn } from '../schemas/index.js';
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
  const admin = (request: FastifyRequest) => authenticateModerator(request, tokens, options.resolveUser);

  app.get<{ Params: { id: number }; Querystring: { after?: string; thread?: number; limit?: number } }>(
    '/api/v1/items/:id/comments',
    {
      schema: {
        summary: 'One page of comments: newest thread first, each in reply order',
        tags: ['community'],
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'string', maxLength: 80, description: 'The `next` cursor of the previous page' },
            thread: { type: 'integer', minimum: 1, description: 'Only this thread (its top comment id)' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
          },
        },
        response: {
          200: object(
            {
              comments: { type: 'array', items: ref('Comment') },
              next: { type: ['string', 'null'], description: 'Cursor of the next (older) page' },
              total: { type: 'integer', description: 'Comments of the item, deleted placeholders included' },
            },
            { required: ['comments', 'next', 'total'], description: 'A page of comments' },
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      await readyItem(request.params.id);
      const page = await community.commentPage(request.params.id, request.query);
      return { comments: page.comments.map(commentView), next: page.next, total: page.total };
    },
  );

  const commentParams = {
    type: 'object',
    required: ['id', 'commentId'],
    properties: { id: { type: 'integer', minimum: 1 }, commentId: { type: 'integer', minimum: 1 } },
  } as const;
  app.patch<{ Params: { id: number; commentId: number }; Body: { body: string } }>(
    '/api/v1/items/:id/comments/:commentId',
    {
      schema: {
        summary: 'Edit your comment (its author)',
        tags: ['community'],
        security: signedIn,
        params: commentParams,
        body: {
          type: 'object',
          required: ['body'],
          properties: { body: { type: 'string', maxLength: MAX_COMMENT, description: 'Markdown' } },
        },
        response: {
          200: object(
            { id: { type: 'integer' }, edited: { type: 'boolean' } },
            { required: ['id', 'edited'], description: 'Edited' },
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      const actor = await user(request);
      await readyItem(request.params.id);
      const { id, commentId } = request.params;
      await community.editComment({ itemId: id, id: commentId, actor, body: request.body.body });
      return { id: commentId, edited: true };
    },
  );
  app.delete<{ Params: { id: number; commentId: number }; Querystring: { reason?: string } }>(
    '/api/v1/items/:id/comments/:commentId',
    {
      schema: {
        summary: 'Delete a comment (its author, or an admin: audited)',
        tags: ['community'],
        security: signedIn,
        params: commentParams,
        querystring: {
          type: 'object',
          properties: {
            reason: { type: 'string', maxLength: 2000, description: "An admin's reason (audit log)" },
          },
        },
        response: {
          200: object(
            {
              id: { type: 'integer' },
              deleted: { type: 'boolean' },
              kept: { type: 'boolean', description: 'Kept as a placeholder for its replies' },
            },
            { required: ['id', 'deleted', 'kept'], description: 'Deleted' },
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      const actor = await user(request);
      await readyItem(request.params.id);
      const { id, commentId } = request.params;
      const { kept } = await community.removeComment({
        itemId: id,
        id: commentId,
        actor,
        reason: request.query.reason,
      });
      return { id: commentId, deleted: true, kept };
    },
  );

  app.post<{ Params: { id: number }; Body: { body: string; parentId?: number | null } }>(
    '/api/v1/items/:id/comments',
    {
      schema: {
        summary: 'Comment on an item, or reply to a comment with parentId',
        tags: ['community'],
        security: signedIn,
        params: idParams,
        body: {
          type: 'object',
          required: ['body'],
          properties: {
            body: { type: 'string', maxLength: 5000, description: 'Markdown' },
            parentId: { type: ['integer', 'null'], minimum: 1, description: 'The comment answered' },
          },
        },
        response: {
          201: object(
            { id: { type: 'integer' }, parentId: { type: ['integer', 'null'] }, author: { type: 'string' } },
            { required: ['id', 'parentId', 'author'], description: 'The new comment' },
          ),
          ...errors,
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
      schema: {
        summary: method === 'PUT' ? 'Favour an item' : 'Stop favouring an item',
        tags: ['community'],
        security: signedIn,
        params: idParams,
        response: { 200: favouritesAnswer, ...errors },
      },
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
        summary: "A user's favourite items (50 a page)",
        tags: ['community'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 64 } },
        },
        querystring: { type: 'object', properties: { page: { type: 'integer', minimum: 1, maximum: 200 } } },
        response: {
          200: object(
            { items: { type: 'array', items: ref('Item') } },
            { required: ['items'], description: 'The items' },
          ),
          ...errors,
        },
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
        summary: 'Report an item to the admins (with or without an account)',
        tags: ['community'],
        params: idParams,
        body: {
          type: 'object',
          required: ['reason'],
          properties: { reason: { type: 'string', maxLength: 2000 } },
        },
        response: {
          201: object({ id: { type: 'integer' } }, { required: ['id'], description: 'The report' }),
          ...errors,
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

  const reportsSchema = {
    summary: 'Open reports (admin)',
    tags: ['moderation'],
    security: signedIn,
    response: {
      200: object(
        { reports: { type: 'array', items: reportSchema } },
        { required: ['reports'], description: 'Open reports, oldest first' },
      ),
      ...errors,
    },
  };
  app.get('/api/v1/reports', { schema: reportsSchema }, async (request) => {
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

  const resolveSchema = {
    summary: 'Resolve a report (admin)',
    tags: ['moderation'],
    security: signedIn,
    params: idParams,
    response: {
      200: object(
        { id: { type: 'integer' }, resolved: { type: 'boolean' } },
        { required: ['id', 'resolved'], description: 'Resolved' },
      ),
      ...errors,
    },
  };
  app.post('/api/v1/reports/:id/resolve', { schema: resolveSchema }, async (request: IdRequest) => {
    const actor = await admin(request);
    if (!(await community.resolveOpenReport(request.params.id, actor)))
      throw new SeedcastError('NOT_FOUND', `no open report ${request.params.id}`);
    return { id: request.params.id, resolved: true };
  });
}

/** A comment as the API gives it: a deleted one keeps its place but not its author or body. */
function commentView(c: Comment) {
  return {
    id: c.id,
    parentId: c.parentId,
    rootId: c.rootId,
    depth: c.depth,
    level: c.level,
    author: c.deleted ? null : c.author,
    replyTo: c.replyTo,
    body: c.body,
    createdAt: new Date(c.createdAt).toISOString(),
    editedAt: c.editedAt === null ? null : new Date(c.editedAt).toISOString(),
    deleted: c.deleted,
  };
}
