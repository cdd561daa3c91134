/**
 * The job queue over HTTP, admins only (Bearer token or the pages' session; 403 for other
 * accounts): `GET /api/v1/admin/jobs` (`?state=queued,running&kind=&item=&limit=`) lists jobs,
 * newest first, with the counts per state; `POST /api/v1/admin/jobs/:id/retry` queues a failed or
 * cancelled job again with fresh attempts (409 for a job in another state). A site without a job
 * queue answers 404.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenRepository } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { JOB_STATES, type Job, type JobQueue, type JobState } from '../../jobs/index.js';
import { authenticateAdmin, type UserResolver } from '../auth.js';
import { errors, object, signedIn } from '../schemas/index.js';

export interface JobRoutesOptions {
  jobs?: JobQueue;
  tokens: TokenRepository;
  resolveUser?: UserResolver;
}

/** A job as the API shows it. */
export function jobJson(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    itemId: job.itemId,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    progress: job.progress,
    error: job.error,
    payload: job.payload,
    createdAt: new Date(job.createdAt).toISOString(),
    updatedAt: new Date(job.updatedAt).toISOString(),
  };
}

/** `?state=failed` or `?state=queued,running`; every state when absent. */
export function parseStates(text: string | undefined): JobState[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const states = text.split(',').map((s) => s.trim());
  const bad = states.find((s) => !(JOB_STATES as readonly string[]).includes(s));
  if (bad !== undefined)
    throw new SeedcastError('USAGE', `state: one of ${JOB_STATES.join(', ')}, got "${bad}"`);
  return states as JobState[];
}

export function requireQueue(jobs: JobQueue | undefined): JobQueue {
  if (!jobs) throw new SeedcastError('NOT_FOUND', 'this site runs no job queue');
  return jobs;
}

const jobSchema = object(
  {
    id: { type: 'string' },
    kind: { type: 'string', description: 'analyse, transcode, ...' },
    itemId: { type: ['integer', 'null'] },
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    progress: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    error: { type: ['string', 'null'] },
    payload: { type: 'object', additionalProperties: true, description: "The job's own input" },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  { required: ['id', 'kind', 'itemId', 'state', 'attempts', 'maxAttempts', 'createdAt', 'updatedAt'] },
);

type ListRequest = FastifyRequest<{
  Querystring: { state?: string; kind?: string; item?: number; limit?: number };
}>;

export async function jobRoutes(app: FastifyInstance, options: JobRoutesOptions): Promise<void> {
  const admin = (request: FastifyRequest) => authenticateAdmin(request, options.tokens, options.resolveUser);

  app.get(
    '/api/v1/admin/jobs',
    {
      schema: {
        summary: 'Jobs (media processing), newest first, and counts per state (admin)',
        tags: ['jobs'],
        security: signedIn,
        response: {
          200: object(
            {
              backend: { type: 'string', enum: ['embedded', 'bullmq'] },
              counts: {
                type: 'object',
                additionalProperties: { type: 'integer' },
                description: 'Jobs per state',
              },
              jobs: { type: 'array', items: jobSchema },
            },
            { required: ['backend', 'counts', 'jobs'], description: 'The jobs' },
          ),
          ...errors,
        },
        querystring: {
          type: 'object',
          properties: {
            state: {
              type: 'string',
              maxLength: 100,
              description: 'Comma-separated states: queued, running, done, failed, cancelled',
            },
            kind: { type: 'string', maxLength: 100 },
            item: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (request: ListRequest) => {
      await admin(request);
      const queue = requireQueue(options.jobs);
      const { state, kind, item, limit } = request.query;
      const jobs = await queue.list({
        states: parseStates(state),
        ...(kind ? { kind } : {}),
        ...(item !== undefined ? { itemId: item } : {}),
        limit: limit ?? 100,
      });
      return { backend: queue.backend, counts: await queue.counts(), jobs: jobs.map(jobJson) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/admin/jobs/:id/retry',
    {
      schema: {
        summary: 'Queue a failed or cancelled job again with fresh attempts (admin; 409 otherwise)',
        tags: ['jobs'],
        security: signedIn,
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: { 200: { ...jobSchema, description: 'The job, queued' }, ...errors },
      },
    },
    async (request) => {
      await admin(request);
      const queue = requireQueue(options.jobs);
      const job = await queue.get(request.params.id);
      if (!job) throw new SeedcastError('NOT_FOUND', `no job ${request.params.id}`);
      if (!(await queue.retry(job.id)))
        throw new SeedcastError('JOBS_NOT_RETRYABLE', `job ${job.id} is ${job.state}`);
      return jobJson((await queue.get(job.id)) ?? { ...job, state: 'queued' });
    },
  );
}
