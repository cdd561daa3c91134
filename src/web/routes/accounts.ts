/**
 * Accounts over HTTP: `POST /api/v1/users` registers (the first account is the admin),
 * `POST /api/v1/tokens` trades a username and password for an API token,
 * `POST /api/v1/account/password` changes the password (the current one required; every session and
 * API token of the account ends) and `POST /api/v1/account/logout-everywhere` ends every session and
 * token. Each is limited as its action (`action-limits.ts`), whichever route performs it.
 * `GET /api/v1/account/p2p` and `PUT /api/v1/account/p2p` `{ "p2p": "default" | "on" | "off" }` read
 * and set the account's choice of browser P2P (issue 17) and give `{ p2p, siteDefault, effective }`.
 */

import type { FastifyInstance } from 'fastify';
import {
  type P2pSetting,
  resolveP2p,
  type SessionRepository,
  type SettingsRepository,
  type SiteAccounts,
  type TokenRepository,
  type UserRepository,
} from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { addressKey, limitAction } from '../action-limits.js';
import { authenticate, type UserResolver } from '../auth.js';
import { errors, signedIn } from '../schemas/index.js';

export interface AccountRoutesOptions {
  users: UserRepository;
  tokens: TokenRepository;
  sessions: SessionRepository;
  resolveUser?: UserResolver;
  settings?: SettingsRepository;
  /** Registration modes (issue 19): closed, invite, approval; without it registration is open. */
  siteAccounts?: SiteAccounts;
}

const credentials = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', maxLength: 64 },
    password: { type: 'string', maxLength: 1024 },
  },
} as const;

const revokedSchema = {
  type: 'object',
  description: 'How many sessions and API tokens ended',
  required: ['sessions', 'tokens'],
  properties: { sessions: { type: 'integer' }, tokens: { type: 'integer' } },
} as const;

type Credentials = { username: string; password: string };

export async function accountRoutes(app: FastifyInstance, options: AccountRoutesOptions): Promise<void> {
  const { users, tokens, sessions } = options;
  app.post<{ Body: Credentials & { invite?: string } }>(
    '/api/v1/users',
    {
      schema: {
        summary: 'Register an account (the first one becomes the admin)',
        tags: ['accounts'],
        body: {
          ...credentials,
          properties: { ...credentials.properties, invite: { type: 'string', maxLength: 100 } },
        },
        response: {
          201: {
            type: 'object',
            description: 'The account',
            required: ['id', 'username', 'role'],
            properties: {
              id: { type: 'integer' },
              username: { type: 'string' },
              role: { type: 'string', enum: ['admin', 'moderator', 'user'] },
              pending: { type: 'boolean' },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      limitAction(reply, { action: 'registrations' });
      // The site's registration mode (issue 19): closed 403, invite code, approval (pending).
      const user = options.siteAccounts
        ? await options.siteAccounts.register(request.body)
        : { ...(await users.register(request.body)), pending: false };
      reply.code(201);
      // `pending: true` only when the account awaits approval (the answer is unchanged otherwise).
      return {
        id: user.id,
        username: user.username,
        role: user.role,
        ...(user.pending ? { pending: true } : {}),
      };
    },
  );

  app.post<{ Body: Credentials & { name?: string } }>(
    '/api/v1/tokens',
    {
      schema: {
        summary: 'Trade a username and password for an API token',
        tags: ['accounts'],
        body: {
          ...credentials,
          properties: {
            ...credentials.properties,
            name: { type: 'string', description: "The token's name (default: api)" },
          },
        },
        response: {
          201: {
            type: 'object',
            description: 'The token, for `Authorization: Bearer <token>`',
            required: ['token'],
            properties: { token: { type: 'string' } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      limitAction(reply, { action: 'logins' });
      const user = await users.authenticate(request.body, { address: addressKey(request.ip) });
      const { token } = await tokens.create(user.id, { name: request.body.name ?? 'api' });
      reply.code(201);
      return { token };
    },
  );

  /** Ends every session and API token of an account; how many of each. */
  const revokeAll = async (userId: number) => ({
    sessions: await sessions.endAll(userId),
    tokens: await tokens.revokeAll(userId),
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/account/password',
    {
      schema: {
        summary: 'Change the password (the current one required); ends every session and API token',
        tags: ['accounts'],
        security: signedIn,
        body: {
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          properties: {
            currentPassword: { type: 'string', maxLength: 1024 },
            newPassword: { type: 'string', maxLength: 1024 },
          },
        },
        response: { 200: revokedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const user = await authenticate(request, tokens, options.resolveUser);
      limitAction(reply, { action: 'password-changes', user });
      await users.changePassword(
        user.id,
        { current: request.body.currentPassword, password: request.body.newPassword },
        { address: addressKey(request.ip) },
      );
      return revokeAll(user.id);
    },
  );

  app.post(
    '/api/v1/account/logout-everywhere',
    {
      schema: {
        summary: 'End every session and API token of the account',
        tags: ['accounts'],
        security: signedIn,
        response: { 200: revokedSchema, ...errors },
      },
    },
    async (request) => {
      const user = await authenticate(request, tokens, options.resolveUser);
      return revokeAll(user.id);
    },
  );

  const p2pSchema = {
    type: 'object',
    description: "The account's choice, the site's default, and what applies",
    required: ['p2p', 'siteDefault', 'effective'],
    properties: {
      p2p: { type: 'string', enum: ['default', 'on', 'off'] },
      siteDefault: { type: 'string', enum: ['on', 'off'] },
      effective: { type: 'string', enum: ['on', 'off'] },
    },
  } as const;
  const p2pView = async (settings: SettingsRepository, userId: number) => {
    const [p2p, siteDefault] = await Promise.all([settings.p2pOf(userId), settings.p2pDefault()]);
    return { p2p, siteDefault, effective: resolveP2p({ account: p2p, site: siteDefault }).p2p };
  };
  const settingsOf = () => {
    if (!options.settings) throw new SeedcastError('NOT_FOUND', 'this site keeps no settings');
    return options.settings;
  };
  app.get(
    '/api/v1/account/p2p',
    {
      schema: {
        summary: 'Your choice of browser P2P (sharing with other viewers)',
        tags: ['accounts'],
        security: signedIn,
        response: { 200: p2pSchema, ...errors },
      },
    },
    async (request) => {
      const user = await authenticate(request, tokens, options.resolveUser);
      return p2pView(settingsOf(), user.id);
    },
  );
  app.put<{ Body: { p2p: P2pSetting } }>(
    '/api/v1/account/p2p',
    {
      schema: {
        summary: "Set your choice of browser P2P: the site's default, on or off",
        tags: ['accounts'],
        security: signedIn,
        body: {
          type: 'object',
          required: ['p2p'],
          properties: { p2p: { type: 'string', enum: ['default', 'on', 'off'] } },
        },
        response: { 200: p2pSchema, ...errors },
      },
    },
    async (request) => {
      const user = await authenticate(request, tokens, options.resolveUser);
      await settingsOf().setP2p(user.id, request.body.p2p);
      return p2pView(settingsOf(), user.id);
    },
  );
}
