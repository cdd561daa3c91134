/**
 * Storage quotas over HTTP: `GET /api/v1/users/:name/quota` (the account itself or an admin) says
 * the account's quota, what it uses and what is left; `PUT /api/v1/users/:name/quota` (admins)
 * sets it: `{ "quota": <bytes> }`, `{ "quota": "none" }` (no quota) or `{ "quota": "default" }`
 * (the site's default; admins have none by default). See `src/publishing/quota.ts`.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  QuotaRepository,
  QuotaSetting,
  TokenRepository,
  User,
  UserRepository,
} from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { StorageGuard } from '../../publishing/index.js';
import { authenticate, type UserResolver } from '../auth.js';
import { errors, object, signedIn } from '../schemas/index.js';

export interface QuotaRoutesOptions {
  users: UserRepository;
  tokens: TokenRepository;
  quotas: QuotaRepository;
  guard: StorageGuard;
  resolveUser?: UserResolver;
}

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const quotaAnswer = object(
  {
    username: { type: 'string' },
    setting: {
      description: "The account's setting: bytes, none (no quota) or default (the site's)",
      anyOf: [
        { type: 'string', enum: ['none', 'default'] },
        { type: 'integer', minimum: 0 },
      ],
    },
    quota: { type: ['integer', 'null'], description: 'Bytes that apply; null: no quota' },
    used: { type: 'integer', description: 'Bytes the account stores' },
    remaining: { type: ['integer', 'null'] },
  },
  { required: ['username', 'setting', 'quota', 'used', 'remaining'], description: 'The quota and its use' },
);

export async function quotaRoutes(app: FastifyInstance, options: QuotaRoutesOptions): Promise<void> {
  const { users, quotas, guard } = options;

  const view = async (account: User) => {
    const [setting, usage] = await Promise.all([quotas.quotaOf(account.id), guard.usage(account)]);
    return {
      username: account.username,
      setting,
      quota: usage.quota,
      used: usage.used,
      remaining: usage.quota === null ? null : usage.remaining,
    };
  };

  const target = async (request: FastifyRequest<{ Params: { name: string } }>, adminOnly: boolean) => {
    const viewer = await authenticate(request, options.tokens, options.resolveUser);
    const account = await users.byName(request.params.name);
    if (!account) throw new SeedcastError('NOT_FOUND', `no user ${request.params.name.slice(0, 64)}`);
    if (viewer.role !== 'admin' && (adminOnly || viewer.id !== account.id))
      throw new SeedcastError('FORBIDDEN', adminOnly ? 'admins only' : 'not your account');
    return account;
  };

  app.get<{ Params: { name: string } }>(
    '/api/v1/users/:name/quota',
    {
      schema: {
        summary: "An account's storage quota and use (the account itself or an admin)",
        tags: ['accounts'],
        security: signedIn,
        params: nameParams,
        response: { 200: quotaAnswer, ...errors },
      },
    },
    async (request) => view(await target(request, false)),
  );

  app.put<{ Params: { name: string }; Body: { quota: number | string } }>(
    '/api/v1/users/:name/quota',
    {
      schema: {
        summary: "Set an account's storage quota (admin): bytes, none or default",
        tags: ['accounts'],
        security: signedIn,
        params: nameParams,
        response: { 200: quotaAnswer, ...errors },
        body: {
          type: 'object',
          required: ['quota'],
          additionalProperties: false,
          properties: {
            quota: {
              anyOf: [
                { type: 'string', enum: ['none', 'default'] },
                { type: 'integer', minimum: 0 },
              ],
            },
          },
        },
      },
    },
    async (request) => {
      const account = await target(request, true);
      await quotas.setQuota(account.id, request.body.quota as QuotaSetting);
      return view(account);
    },
  );
}
