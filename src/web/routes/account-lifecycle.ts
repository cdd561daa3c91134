/**
 * The account API of issue 19: `PUT /api/v1/account/email` `{email}` (null or "" removes it; a new
 * address gets a verification mail), `POST /api/v1/account/email/verify` `{token}`,
 * `POST /api/v1/account/email/resend`, `DELETE /api/v1/account` `{password, items: "delete" |
 * "transfer"}`, `GET /api/v1/account/export` (JSON, as a download), the anonymous
 * `POST /api/v1/password-resets` `{username}` or `{email}` (always 202: whether the account exists
 * is never told) and `POST /api/v1/password-resets/confirm` `{token, password}` (204), and the
 * admin's `POST /api/v1/admin/users/:name/reset-link` -> `{url, expiresAt}` (audited).
 */

import type { FastifyInstance, FastifySchema } from 'fastify';
import { ITEMS_CHOICES } from '../../catalog/index.js';
import { addressKey, limitAction } from '../action-limits.js';
import { authenticate, authenticateAdmin } from '../auth.js';
import {
  type AccountSite,
  adminResetLink,
  changeEmail,
  deleteAccount,
  exportAccount,
  exportFilename,
  resendVerification,
} from './account-actions.js';

const TAGS = ['accounts'];

/**
 * A route schema with OpenAPI's `summary`, `description` and `tags` (typed by @fastify/swagger once
 * it is registered; until then Fastify ignores them).
 */
export function documented(schema: Record<string, unknown>): FastifySchema {
  return schema as FastifySchema;
}
const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;
const emailView = {
  type: 'object',
  properties: {
    email: { type: ['string', 'null'] },
    verified: { type: 'boolean' },
    verificationSent: { type: 'boolean' },
  },
} as const;
const token = { type: 'string', minLength: 1, maxLength: 100 } as const;
const stamped = (o: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: true,
  properties: o,
});

export async function accountLifecycleRoutes(app: FastifyInstance, site: AccountSite): Promise<void> {
  const who = (request: Parameters<typeof authenticate>[0]) =>
    authenticate(request, site.tokens, site.resolveUser);

  app.put<{ Body: { email: string | null } }>(
    '/api/v1/account/email',
    {
      schema: documented({
        summary: "Set, change or remove the account's email address",
        description:
          'A new address is unverified until the link mailed to it is opened; null or "" removes it.',
        tags: TAGS,
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: { email: { type: ['string', 'null'], maxLength: 254 } },
        },
        response: { 200: emailView, '4xx': error, '5xx': error },
      }),
    },
    async (request, reply) => {
      const user = await who(request);
      limitAction(reply, { action: 'account-mails', user });
      const changed = await changeEmail(site, user, request.body.email);
      return changed
        ? {
            email: changed.email,
            verified: changed.verifiedAt !== null,
            verificationSent: changed.verificationSent,
          }
        : { email: null, verified: false, verificationSent: false };
    },
  );

  app.post<{ Body: { token: string } }>(
    '/api/v1/account/email/verify',
    {
      schema: documented({
        summary: 'Verify an email address with the token of its mailed link',
        tags: TAGS,
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token } },
        response: { 200: emailView, '4xx': error },
      }),
    },
    async (request) => {
      const done = await site.accounts.emails.verify(site.accounts.tokens, request.body.token);
      return { email: done.email, verified: true, verificationSent: false };
    },
  );

  app.post(
    '/api/v1/account/email/resend',
    {
      schema: documented({
        summary: 'Mail the verification link again',
        tags: TAGS,
        response: { 204: { type: 'null' }, '4xx': error },
      }),
    },
    async (request, reply) => {
      const user = await who(request);
      limitAction(reply, { action: 'account-mails', user });
      await resendVerification(site, user);
      return reply.code(204).send();
    },
  );

  app.delete<{ Body: { password: string; items: 'delete' | 'transfer' } }>(
    '/api/v1/account',
    {
      schema: documented({
        summary: 'Delete the account',
        description:
          'The password confirms. items "delete" removes every item (seeding stops, files go); "transfer" hands them and the channels to the site (its first admin). The last admin cannot delete their account.',
        tags: TAGS,
        body: {
          type: 'object',
          required: ['password', 'items'],
          additionalProperties: false,
          properties: {
            password: { type: 'string', maxLength: 1024 },
            items: { type: 'string', enum: [...ITEMS_CHOICES] },
          },
        },
        response: { 204: { type: 'null' }, '4xx': error },
      }),
    },
    async (request, reply) => {
      const user = await who(request);
      limitAction(reply, { action: 'password-changes', user });
      await deleteAccount(site, user, {
        password: request.body.password,
        items: request.body.items,
        address: addressKey(request.ip),
        log: request.log,
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/account/export',
    {
      schema: documented({
        summary: "Export the account's data as JSON",
        description:
          'Profile, channels, items (metadata), comments, favourites, follows, collections, API token names.',
        tags: TAGS,
        response: {
          200: stamped({
            format: { type: 'string' },
            profile: { type: 'object', additionalProperties: true },
            items: { type: 'array', items: { type: 'object', additionalProperties: true } },
            comments: { type: 'array', items: { type: 'object', additionalProperties: true } },
          }),
          '4xx': error,
        },
      }),
    },
    async (request, reply) => {
      const user = await who(request);
      reply.header('content-disposition', `attachment; filename="${exportFilename(user)}"`);
      reply.header('cache-control', 'private, no-store');
      return exportAccount(site, user);
    },
  );

  app.post<{ Body: { username?: string; email?: string } }>(
    '/api/v1/password-resets',
    {
      schema: documented({
        summary: 'Ask for a password-reset mail',
        description:
          'Always 202: a mail goes out only when the username or address names an account with a verified address, and the answer never says whether it did.',
        tags: TAGS,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: {
            username: { type: 'string', maxLength: 64 },
            email: { type: 'string', maxLength: 254 },
          },
        },
        response: { 202: { type: 'object', properties: { status: { type: 'string' } } }, '4xx': error },
      }),
    },
    async (request, reply) => {
      limitAction(reply, { action: 'account-mails' });
      await site.accounts.mail.requestReset(request.body.username ?? request.body.email ?? '');
      reply.code(202);
      return { status: 'if an account with a verified address matches, a mail is on its way' };
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/api/v1/password-resets/confirm',
    {
      schema: documented({
        summary: 'Set a new password with a reset token',
        description: 'The token works once; every session of the account ends (API tokens are kept).',
        tags: TAGS,
        body: {
          type: 'object',
          required: ['token', 'password'],
          additionalProperties: false,
          properties: { token, password: { type: 'string', maxLength: 1024 } },
        },
        response: { 204: { type: 'null' }, '4xx': error },
      }),
    },
    async (request, reply) => {
      limitAction(reply, { action: 'password-changes' });
      await site.accounts.tokens.resetPassword(request.body.token, request.body.password);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { name: string } }>(
    '/api/v1/admin/users/:name/reset-link',
    {
      schema: documented({
        summary: 'Make a one-time password-reset link for an account (admin)',
        description:
          'For sites without mail: hand the link over yourself. It works once, for an hour; audited.',
        tags: ['admin'],
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              url: { type: 'string' },
              expiresAt: { type: 'string' },
              username: { type: 'string' },
            },
          },
          '4xx': error,
        },
      }),
    },
    async (request) => {
      const admin = await authenticateAdmin(request, site.tokens, site.resolveUser);
      const link = await adminResetLink(site, admin, request.params.name);
      return { ...link, expiresAt: new Date(link.expiresAt).toISOString() };
    },
  );
}
