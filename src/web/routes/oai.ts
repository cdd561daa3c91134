/**
 * OAI-PMH 2.0 at `/oai` (GET, and POST with a form body) for archives that harvest the site's items
 * as Dublin Core; the protocol itself is `OaiProvider` in `src/feeds/oai.ts`.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import { OaiProvider } from '../../feeds/index.js';
import { oaiGetSchema, oaiPostSchema } from '../schemas/feeds.js';
import { SITE_NAME, toEntries } from './feed-entries.js';
import type { FeedRoutesOptions } from './feeds.js';

export async function oaiRoutes(app: FastifyInstance, options: FeedRoutesOptions): Promise<void> {
  const { items, channels, links } = options;
  const oai = new OaiProvider(
    {
      list: (filter) => items.list(filter),
      get: (id) => items.get(id),
      channels: () => channels.all(),
      entries: (found) => toEntries(found, options),
    },
    {
      get baseUrl() {
        return `${links.root}/oai`;
      },
      repositoryName: SITE_NAME,
      get adminEmail() {
        return `admin@${new URL(links.root).hostname}`;
      },
      ...(options.oaiPageSize ? { pageSize: options.oaiPageSize } : {}),
    },
  );
  const answerOai = async (args: Record<string, string | string[] | undefined>, reply: FastifyReply) => {
    reply.type('text/xml; charset=utf-8').header('X-Content-Type-Options', 'nosniff');
    return oai.handle(args);
  };
  app.get('/oai', { schema: oaiGetSchema }, (request, reply) =>
    answerOai(request.query as Record<string, string | string[]>, reply),
  );
  app.register(async (form) => {
    if (!form.hasContentTypeParser('application/x-www-form-urlencoded')) {
      form.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 16 * 1024 },
        (_req, body, done) => done(null, body),
      );
    }
    form.post('/oai', { schema: oaiPostSchema }, (request, reply) => {
      const args: Record<string, string | string[]> = {};
      const body = typeof request.body === 'string' ? request.body : '';
      for (const [k, v] of new URLSearchParams(body)) {
        const had = args[k];
        args[k] = had === undefined ? v : ([] as string[]).concat(had, v);
      }
      return answerOai(args, reply);
    });
  });
}
