/**
 * The admin jobs page's routes (admins only: visitors without an account are sent to log in, other
 * accounts get a 403 page): `GET /admin/jobs` shows running, queued and failed jobs;
 * `POST /admin/jobs/:id/retry` checks the CSRF field, queues a failed job again and answers 303
 * back to `/admin/jobs`. A site without a job queue answers 404.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SeedcastError } from '../../errors.js';
import { JobsPage } from '../pages/jobs.js';
import { checkCsrf } from '../session.js';
import { requireQueue } from './jobs.js';
import type { PageKit } from './pages.js';

const NOTICES: Record<string, string> = {
  retried: 'The job was queued again.',
};

export async function jobPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const admin = async (request: FastifyRequest, reply: Parameters<PageKit['context']>[1]) => {
    const ctx = await kit.context(request, reply);
    const user = ctx.visitor.user;
    if (!user) {
      reply.redirect('/login?next=%2Fadmin%2Fjobs', 303);
      return undefined;
    }
    if (user.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'this page is for the site’s admins');
    return ctx;
  };

  app.get<{ Querystring: { done?: string } }>('/admin/jobs', async (request, reply) => {
    const ctx = await admin(request, reply);
    if (!ctx) return reply;
    const queue = requireQueue(site.jobs);
    const [counts, running, queued, failed] = await Promise.all([
      queue.counts(),
      queue.list({ states: ['running'], limit: 200 }),
      queue.list({ states: ['queued'], limit: 200 }),
      queue.list({ states: ['failed'], limit: 200 }),
    ]);
    return kit.send(
      reply,
      JobsPage({
        ctx,
        backend: queue.backend,
        counts,
        running,
        queued,
        failed,
        notice: NOTICES[request.query.done ?? ''],
      }),
    );
  });

  app.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>(
    '/admin/jobs/:id/retry',
    async (request, reply) => {
      const ctx = await admin(request, reply);
      if (!ctx) return reply;
      checkCsrf(ctx.visitor, request.body?._csrf);
      const queue = requireQueue(site.jobs);
      const id = request.params.id;
      if (!(await queue.get(id))) throw new SeedcastError('NOT_FOUND', `no job ${id}`);
      if (!(await queue.retry(id)))
        throw new SeedcastError('JOBS_NOT_RETRYABLE', `job ${id} cannot be retried`);
      return reply.redirect('/admin/jobs?done=retried', 303);
    },
  );
}
