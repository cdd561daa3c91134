/**
 * The OpenAPI paths of the site admin (issue 19) for the hand-written document: the site's public
 * profile, settings, the user list and changes, invites. Once the document is generated from the
 * routes' own schemas (`@fastify/swagger`), this file goes: `routes/settings.ts` declares them all.
 */

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string) => ({ description, ...json({ type: 'object' }) });

export function siteAdminPaths(): Record<string, unknown> {
  return {
    '/api/v1/site': {
      get: {
        summary: "The site's name, description, registration mode and contact",
        responses: { 200: ok('profile') },
      },
    },
    '/api/v1/admin/settings': {
      get: {
        summary: "The site's settings (admins)",
        security: bearer,
        responses: { 200: ok('settings'), '4XX': error },
      },
      patch: {
        summary: "Changes the site's settings (admins)",
        security: bearer,
        requestBody: json({ type: 'object' }),
        responses: { 200: ok('settings'), '4XX': error },
      },
    },
    '/api/v1/admin/users': {
      get: {
        summary: 'Accounts, 50 a page; q searches names (admins)',
        security: bearer,
        parameters: [
          { name: 'q', in: 'query', schema: { type: 'string' } },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
        ],
        responses: { 200: ok('{ users, total, page, pages }'), '4XX': error },
      },
    },
    '/api/v1/admin/users/{name}': {
      patch: {
        summary: "Changes an account's role, disabled state, quota or approval (admins)",
        security: bearer,
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({ type: 'object' }),
        responses: { 200: ok('{ user }'), '4XX': error },
      },
    },
    '/api/v1/admin/invites': {
      post: {
        summary: 'A new single-use invite code (admins)',
        security: bearer,
        responses: { 201: ok('{ code, url }'), '4XX': error },
      },
    },
  };
}
