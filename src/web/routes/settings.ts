/**
 * The site admin's JSON API (issue 19): `GET|PATCH /api/v1/admin/settings` (admins), the public
 * `GET /api/v1/site` (name, description, registration, contact), `GET /api/v1/admin/users?q=&page=`
 * (admins), `PATCH /api/v1/admin/users/:name` `{ role?, disabled?, quotaBytes?, approved? }` (admins;
 * the last admin is never demoted or disabled: 409 LAST_ADMIN) and `POST /api/v1/admin/invites`
 * -> 201 `{ code, url }` (admins). Needs the site's `siteSettings` and `siteAccounts`.
 */

import type {} from '@fastify/swagger'; // schema.summary and tags (OpenAPI)
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  AdminUserPatch,
  SettingsPatch,
  SiteAccounts,
  SiteLinks,
  SiteSettings,
  TokenRepository,
} from '../../catalog/index.js';
import { limitAction } from '../action-limits.js';
import { authenticateAdmin, type UserResolver } from '../auth.js';

export interface SettingsRoutesOptions {
  tokens: TokenRepository;
  resolveUser?: UserResolver;
  siteSettings: SiteSettings;
  siteAccounts: SiteAccounts;
  links: SiteLinks;
}

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

const registration = { type: 'string', enum: ['open', 'closed', 'invite', 'approval'] } as const;
const nullableBytes = { type: ['integer', 'null'], minimum: 0 } as const;

const settingsSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    about: { type: 'string' },
    registration,
    defaultLicense: { type: ['string', 'null'] },
    contact: { type: 'string' },
    userQuotaBytes: nullableBytes,
    userQuotaSource: { type: 'string', enum: ['settings', 'config'] },
    maxUploadBytes: { type: 'integer' },
    maxUploadSource: { type: 'string', enum: ['settings', 'config'] },
    p2pDefault: { type: 'string', enum: ['on', 'off'] },
  },
} as const;

const settingsPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    about: { type: 'string', maxLength: 40_000 },
    registration: { type: 'string' },
    defaultLicense: { type: ['string', 'null'], maxLength: 400 },
    contact: { type: 'string', maxLength: 400 },
    userQuotaBytes: { anyOf: [{ type: 'integer' }, { type: 'null' }, { type: 'string', enum: ['config'] }] },
    maxUploadBytes: { anyOf: [{ type: 'integer' }, { type: 'string', enum: ['config'] }] },
    p2pDefault: { type: 'string' },
  },
} as const;

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'moderator', 'user'] },
    createdAt: { type: 'integer' },
    disabled: { type: 'boolean' },
    pendingSince: { type: ['integer', 'null'] },
    quota: { anyOf: [{ type: 'integer' }, { type: 'null' }, { type: 'string', enum: ['default'] }] },
  },
} as const;

export async function settingsRoutes(app: FastifyInstance, options: SettingsRoutesOptions): Promise<void> {
  const { siteSettings, siteAccounts } = options;
  const admin = (request: FastifyRequest) => authenticateAdmin(request, options.tokens, options.resolveUser);

  app.get(
    '/api/v1/site',
    {
      schema: {
        summary: "The site's name, description, registration mode and contact",
        tags: ['site'],
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              description: { type: 'string' },
              registration,
              contact: { type: 'string' },
              defaultLicense: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async () => {
      const p = await siteSettings.profile();
      return {
        name: p.name,
        description: p.description,
        registration: p.registration,
        contact: p.contact,
        defaultLicense: p.defaultLicense,
      };
    },
  );

  app.get(
    '/api/v1/admin/settings',
    {
      schema: {
        summary: "The site's settings (admins)",
        tags: ['admin'],
        response: { 200: settingsSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      await admin(request);
      return siteSettings.all();
    },
  );

  app.patch<{ Body: SettingsPatch }>(
    '/api/v1/admin/settings',
    {
      schema: {
        summary: "Changes the site's settings (admins); a 400 names the field",
        tags: ['admin'],
        body: settingsPatchSchema,
        response: { 200: settingsSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      await admin(request);
      return siteSettings.update(request.body ?? {});
    },
  );

  app.get<{ Querystring: { q?: string; page?: number } }>(
    '/api/v1/admin/users',
    {
      schema: {
        summary: 'Accounts, 50 a page, pending approvals first; `q` searches names (admins)',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 64 },
            page: { type: 'integer', minimum: 1, maximum: 100_000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              users: { type: 'array', items: userSchema },
              total: { type: 'integer' },
              page: { type: 'integer' },
              pages: { type: 'integer' },
            },
          },
          '4xx': errorSchema,
        },
      },
    },
    async (request) => {
      await admin(request);
      return siteAccounts.list(request.query);
    },
  );

  app.patch<{ Params: { name: string }; Body: AdminUserPatch }>(
    '/api/v1/admin/users/:name',
    {
      schema: {
        summary: "Changes an account's role, disabled state, quota or approval (admins)",
        tags: ['admin'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 64 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: ['admin', 'moderator', 'user'] },
            disabled: { type: 'boolean' },
            quotaBytes: {
              anyOf: [
                { type: 'integer', minimum: 0 },
                { type: 'null' },
                { type: 'string', enum: ['default'] },
              ],
            },
            approved: { type: 'boolean' },
          },
        },
        response: {
          200: { type: 'object', properties: { user: { anyOf: [userSchema, { type: 'null' }] } } },
          '4xx': errorSchema,
        },
      },
    },
    async (request) => {
      const actor = await admin(request);
      const user = await siteAccounts.update(actor, request.params.name, request.body ?? {});
      return { user: user ?? null };
    },
  );

  app.post(
    '/api/v1/admin/invites',
    {
      schema: {
        summary: 'A new single-use invite code and its registration link (admins)',
        tags: ['admin'],
        response: {
          201: { type: 'object', properties: { code: { type: 'string' }, url: { type: 'string' } } },
          '4xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const actor = await admin(request);
      limitAction(reply, { action: 'registrations', user: actor });
      const { code } = await siteAccounts.createInvite(actor);
      reply.code(201);
      return { code, url: `${options.links.root}/register?invite=${encodeURIComponent(code)}` };
    },
  );
}
