/**
 * Moderation over HTTP, admins only (Bearer token or the pages' session; 403 for other accounts):
 * `POST /api/v1/admin/users/:name/disable` and `.../enable` (`{ "reason"? }`): a disabled account
 * cannot log in and its sessions and tokens are refused at once; admin accounts cannot be disabled.
 * `GET /api/v1/admin/users/disabled` lists disabled accounts; `GET /api/v1/admin/audit`
 * (`?before=<id>&limit=`) the audit log, newest first. The rest is `ModerationRepository`.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModerationRepository, TokenRepository } from '../../catalog/index.js';
import { authenticateModerator, type UserResolver } from '../auth.js';
import { errors, object, signedIn } from '../schemas/index.js';

export interface ModerationRoutesOptions {
  moderation: ModerationRepository;
  tokens: TokenRepository;
  resolveUser?: UserResolver;
}

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

type NameRequest = FastifyRequest<{ Params: { name: string }; Body: { reason?: string } | undefined }>;

export async function moderationRoutes(
  app: FastifyInstance,
  options: ModerationRoutesOptions,
): Promise<void> {
  const { moderation } = options;
  const admin = (request: FastifyRequest) =>
    authenticateModerator(request, options.tokens, options.resolveUser);
  const schema = (disabled: boolean) => ({
    summary: disabled
      ? 'Disable an account (admin): it cannot sign in or publish; its sessions and tokens end'
      : 'Enable a disabled account again (admin)',
    tags: ['moderation'],
    security: signedIn,
    params: nameParams,
    body: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { reason: { type: 'string', maxLength: 2000, description: 'For the audit log' } },
    },
    response: {
      200: object(
        { username: { type: 'string' }, disabled: { type: 'boolean' } },
        { required: ['username', 'disabled'], description: 'The account' },
      ),
      ...errors,
    },
  });

  for (const disabled of [true, false]) {
    app.post(
      `/api/v1/admin/users/:name/${disabled ? 'disable' : 'enable'}`,
      { schema: schema(disabled) },
      async (request: NameRequest) => {
        const actor = await admin(request);
        const user = await moderation.setDisabled({
          actor,
          username: request.params.name,
          disabled,
          reason: request.body?.reason,
        });
        return { username: user.username, disabled: user.disabled };
      },
    );
  }

  const disabledSchema = {
    summary: 'Disabled accounts (admin)',
    tags: ['moderation'],
    security: signedIn,
    response: {
      200: object(
        {
          users: {
            type: 'array',
            items: object(
              { username: { type: 'string' }, disabledAt: { type: 'string', format: 'date-time' } },
              { required: ['username', 'disabledAt'] },
            ),
          },
        },
        { required: ['users'], description: 'The disabled accounts' },
      ),
      ...errors,
    },
  };
  app.get('/api/v1/admin/users/disabled', { schema: disabledSchema }, async (request) => {
    await admin(request);
    const users = await moderation.disabledAccounts();
    return {
      users: users.map((u) => ({ username: u.username, disabledAt: new Date(u.disabledAt).toISOString() })),
    };
  });

  app.get<{ Querystring: { before?: number; limit?: number } }>(
    '/api/v1/admin/audit',
    {
      schema: {
        summary: 'The audit log of moderation, newest first (admin)',
        tags: ['moderation'],
        security: signedIn,
        querystring: {
          type: 'object',
          properties: {
            before: { type: 'integer', minimum: 1, description: 'Entries older than this id (`next`)' },
            limit: { type: 'integer', minimum: 1, maximum: 200 },
          },
        },
        response: {
          200: object(
            {
              entries: {
                type: 'array',
                items: object(
                  {
                    id: { type: 'integer' },
                    actorId: { type: ['integer', 'null'] },
                    actor: { type: 'string' },
                    action: {
                      type: 'string',
                      description: 'takedown, restore, disable, enable, comment-delete...',
                    },
                    targetType: { type: 'string' },
                    targetId: { type: ['integer', 'null'] },
                    target: { type: 'string' },
                    reason: { type: 'string' },
                    createdAt: { type: 'string', format: 'date-time' },
                  },
                  { required: ['id', 'actor', 'action', 'targetType', 'target', 'reason', 'createdAt'] },
                ),
              },
              next: { type: ['integer', 'null'], description: 'The `before` of the next page' },
            },
            { required: ['entries', 'next'], description: 'A page of the audit log' },
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      await admin(request);
      const { entries, next } = await moderation.auditLog(request.query);
      return {
        entries: entries.map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })),
        next,
      };
    },
  );
}
