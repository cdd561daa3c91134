/**
 * The OpenAPI 3.1 paths of moderation (issue 15): editing and deleting comments, disabling
 * accounts and the audit log; `openapi.ts` spreads them into the site's document.
 */

type Op = Record<string, unknown>;

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string) => ({ description, ...json({ type: 'object' }) });
const path = (name: string, type: string) => ({ name, in: 'path', required: true, schema: { type } });
const query = (name: string, schema: unknown) => ({ name, in: 'query', schema });

function op(summary: string, response: string, extra: Op = {}): Op {
  return { summary, responses: { 200: ok(response), '4XX': error }, security: bearer, ...extra };
}

const comment = [path('id', 'integer'), path('commentId', 'integer')];
const reason = json({ type: 'object', properties: { reason: { type: 'string', maxLength: 2000 } } });

export function moderationPaths(): Record<string, unknown> {
  return {
    '/api/v1/items/{id}/comments/{commentId}': {
      patch: op('Edit your comment (its author)', '{ id, edited }', {
        parameters: comment,
        requestBody: json({
          type: 'object',
          required: ['body'],
          properties: { body: { type: 'string', maxLength: 5000 } },
        }),
      }),
      delete: op('Delete a comment (its author, or an admin: audited)', '{ id, deleted, kept }', {
        parameters: [...comment, query('reason', { type: 'string', maxLength: 2000 })],
      }),
    },
    '/api/v1/admin/users/{name}/disable': {
      post: op('Disable an account (admin)', '{ username, disabled }', {
        parameters: [path('name', 'string')],
        requestBody: reason,
      }),
    },
    '/api/v1/admin/users/{name}/enable': {
      post: op('Enable an account again (admin)', '{ username, disabled }', {
        parameters: [path('name', 'string')],
        requestBody: reason,
      }),
    },
    '/api/v1/admin/users/disabled': { get: op('Disabled accounts (admin)', '{ users }') },
    '/api/v1/admin/audit': {
      get: op('The audit log, newest first (admin)', '{ entries, next }', {
        parameters: [
          query('before', { type: 'integer', minimum: 1 }),
          query('limit', { type: 'integer', minimum: 1, maximum: 200 }),
        ],
      }),
    },
  };
}
