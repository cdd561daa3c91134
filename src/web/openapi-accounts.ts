/**
 * The OpenAPI 3.1 paths of the account API of issue 19 (addresses, resets, deletion, export, admin
 * reset links) for the hand-written document; `openapi.ts` spreads them in. The routes' own schemas
 * (`routes/account-lifecycle.ts`) say the same for a document generated from the routes; this file
 * goes once the document is generated.
 */

type Op = Record<string, unknown>;

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string) => ({ description, ...json({ type: 'object' }) });
const none = (description: string) => ({ description });

function op(summary: string, responses: Record<string, unknown>, extra: Op = {}): Op {
  return { summary, tags: ['accounts'], responses: { ...responses, '4XX': error }, ...extra };
}

export function accountPaths(): Record<string, Record<string, Op>> {
  return {
    '/api/v1/account/email': {
      put: op(
        'Set, change or remove the email address (a new one is mailed a verification link)',
        { 200: ok('{ email, verified, verificationSent }') },
        {
          security: bearer,
          requestBody: json({
            type: 'object',
            required: ['email'],
            properties: { email: { type: ['string', 'null'], maxLength: 254 } },
          }),
        },
      ),
    },
    '/api/v1/account/email/verify': {
      post: op(
        'Verify an address with the token of its mailed link',
        { 200: ok('{ email, verified }') },
        {
          requestBody: json({
            type: 'object',
            required: ['token'],
            properties: { token: { type: 'string' } },
          }),
        },
      ),
    },
    '/api/v1/account/email/resend': {
      post: op('Mail the verification link again', { 204: none('sent') }, { security: bearer }),
    },
    '/api/v1/account': {
      delete: op(
        'Delete the account (password; items deleted or handed to the site)',
        { 204: none('deleted') },
        {
          security: bearer,
          requestBody: json({
            type: 'object',
            required: ['password', 'items'],
            properties: {
              password: { type: 'string' },
              items: { type: 'string', enum: ['delete', 'transfer'] },
            },
          }),
        },
      ),
    },
    '/api/v1/account/export': {
      get: op(
        "Export the account's data as JSON (a download)",
        { 200: ok('profile, channels, items, comments, favourites, follows, collections') },
        { security: bearer },
      ),
    },
    '/api/v1/password-resets': {
      post: op(
        'Ask for a password-reset mail (always 202)',
        { 202: ok('{ status }') },
        {
          requestBody: json({
            type: 'object',
            properties: { username: { type: 'string' }, email: { type: 'string' } },
          }),
        },
      ),
    },
    '/api/v1/password-resets/confirm': {
      post: op(
        'Set a new password with a reset token',
        { 204: none('password set; sessions ended') },
        {
          requestBody: json({
            type: 'object',
            required: ['token', 'password'],
            properties: { token: { type: 'string' }, password: { type: 'string' } },
          }),
        },
      ),
    },
    '/api/v1/admin/users/{name}/reset-link': {
      post: op(
        'Make a one-time password-reset link for an account (admin)',
        { 200: ok('{ url, expiresAt, username }') },
        {
          security: bearer,
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        },
      ),
    },
  };
}
