/**
 * The tracker as a Fastify plugin, for the site: `GET /announce` and `GET /scrape` (BEP 3, 7, 23,
 * 48) under whatever prefix it is registered with. The query string is taken raw from the request
 * URL (Fastify's parser would decode the binary `info_hash` as UTF-8) and handed to the same edge as
 * the standalone server; the peer's address is Fastify's `request.ip` (so `trustProxy` applies).
 * An announce that carries `X-Forwarded-For` from a loopback address while the proxy is not trusted
 * is a site behind a proxy without `--trust-proxy` (every peer would look like the proxy): said once
 * in the log.
 */

import type { FastifyInstance } from 'fastify';
import { addressRange } from '../net/index.js';
import { answerHttp, type HttpEdgeOptions, type HttpRoute, rawQuery } from './http-handler.js';
import { rateLimited } from './log.js';
import type { TrackerService } from './service.js';

export interface TrackerPluginOptions extends HttpEdgeOptions {
  service: TrackerService;
}

const schema = (summary: string) => ({
  summary,
  description: 'Answers with a bencoded dictionary (text/plain), a `failure reason` when refused.',
  querystring: { type: 'object' },
});

/** Registers `/announce` and `/scrape`; warnings (rate-limited) go to the app's logger unless `log` is given. */
export async function trackerPlugin(app: FastifyInstance, options: TrackerPluginOptions): Promise<void> {
  const log = rateLimited(
    options.log ?? {
      warn: (message: string, fields?: Record<string, unknown>) => app.log.warn(fields ?? {}, message),
    },
  );
  const edge: HttpEdgeOptions = { trackerId: options.trackerId, log };
  let proxyWarned = false;
  for (const route of ['announce', 'scrape'] as HttpRoute[]) {
    app.get(`/${route}`, { schema: schema(`BitTorrent tracker ${route}`) }, async (request, reply) => {
      if (!proxyWarned && request.headers['x-forwarded-for'] && isLoopback(request.ip)) {
        proxyWarned = true;
        log.warn(
          'tracker: announces come through a proxy on this host; set --trust-proxy so peers get their own addresses',
        );
      }
      const answer = await answerHttp(
        options.service,
        { route, query: rawQuery(request.raw.url ?? ''), remoteAddress: request.ip },
        edge,
      );
      reply.code(answer.status).header('Content-Type', 'text/plain').header('Cache-Control', 'no-cache');
      return answer.body;
    });
  }
}

function isLoopback(ip: string): boolean {
  return addressRange(ip) === 'loopback';
}
