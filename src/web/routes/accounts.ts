/**
 * Accounts over HTTP: `POST /api/v1/users` registers (the first account is the admin) and
 * `POST /api/v1/tokens` trades a username and password for an API token. Both are rate-limited
 * per address.
 */

import type { FastifyInstance } from 'fastify';
import type { TokenRepository, UserRepository } from '../../catalog/index.js';
import type { RateLimit } from '../limits.js';

export interface AccountRoutesOptions {
  users: UserRepository;
  tokens: TokenRepository;
  limit: RateLimit;
}

const credentials = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', maxLength: 64 },
    password: { type: 'string', maxLength: 1024 },
  },
} as const;

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

type Credentials = { username: string; password: string };

export async function accountRoutes(app: FastifyInstance, options: AccountRoutesOptions): Promise<void> {
  const { users, tokens } = options;
  app.post<{ Body: Credentials }>(
    '/api/v1/users',
    {
      config: { rateLimit: options.limit },
      schema: {
        body: credentials,
        response: {
          201: {
            type: 'object',
            properties: { id: { type: 'integer' }, username: { type: 'string' }, role: { type: 'string' } },
          },
          '4xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const user = await users.register(request.body);
      reply.code(201);
      return { id: user.id, username: user.username, role: user.role };
    },
  );

  app.post<{ Body: Credentials & { name?: string } }>(
    '/api/v1/tokens',
    {
      config: { rateLimit: options.limit },
      schema: {
        body: { ...credentials, properties: { ...credentials.properties, name: { type: 'string' } } },
        response: { 201: { type: 'object', properties: { token: { type: 'string' } } }, '4xx': errorSchema },
      },
    },
    async (request, reply) => {
      const user = await users.authenticate(request.body);
      const { token } = await tokens.create(user.id, { name: request.body.name ?? 'api' });
      reply.code(201);
      return { token };
    },
  );
}
