/**
 * The OpenAPI 3.1 paths of the job queue's admin API (issue 18); `openapi.ts` spreads them into the
 * site's document.
 */

const error = { $ref: '#/components/responses/Error' };
const bearer = [{ bearer: [] }];
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

const job = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    itemId: { type: ['integer', 'null'] },
    state: { enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    progress: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    error: { type: ['string', 'null'] },
    payload: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

export function jobPaths(): Record<string, unknown> {
  return {
    '/api/v1/admin/jobs': {
      get: {
        summary: 'Jobs (media processing), newest first, and counts per state (admin)',
        security: bearer,
        parameters: [
          {
            name: 'state',
            in: 'query',
            description: 'comma-separated states: queued, running, done, failed, cancelled',
            schema: { type: 'string' },
          },
          { name: 'kind', in: 'query', schema: { type: 'string' } },
          { name: 'item', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: {
          200: {
            description: '{ backend, counts, jobs }',
            ...json({
              type: 'object',
              properties: {
                backend: { enum: ['embedded', 'bullmq'] },
                counts: { type: 'object', additionalProperties: { type: 'integer' } },
                jobs: { type: 'array', items: job },
              },
            }),
          },
          '4XX': error,
        },
      },
    },
    '/api/v1/admin/jobs/{id}/retry': {
      post: {
        summary: 'Queue a failed or cancelled job again with fresh attempts (admin; 409 otherwise)',
        security: bearer,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'the job, queued', ...json(job) }, '4XX': error },
      },
    },
  };
}
