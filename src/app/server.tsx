/**
 * The aggregator's web app (`seedcast app`): a Fastify instance built without listening, on top of a
 * running `Aggregator`. It installs the guard (loopback `Host`, the install's secret as a cookie, CSRF
 * on changes), HTML form bodies, the static files, and each feature's routes (shows, episodes, the
 * player, sharing and settings). Errors: JSON `{ error: { code, message } }` under `/api/`, a small
 * page for people elsewhere (with the navigation's token only for a request that passed the guard),
 * statuses from the one registry (`src/errors.ts`).
 */

import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { errorAnswer } from '../web/errors.js';
import { documentHtml, type Html, h } from '../web/html/jsx.js';
import { appStaticRoutes } from './assets.js';
import type { AppContext } from './context.js';
import { installGuard, isTrusted } from './guard.js';
import { AppLayout } from './layout.js';

const FORM_LIMIT = 64 * 1024;

/** Sends a rendered app page (never cached, never framed, scripts only from the app). */
export function sendAppPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' https: http: data:; media-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    .send(documentHtml(page));
}

/** A route module: registers its routes on the app. */
export type AppRoutes = (app: FastifyInstance, ctx: AppContext) => void;

export function buildAggregatorApp(ctx: AppContext, routes: readonly AppRoutes[]): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorAnswer(err);
    if (request.url.startsWith('/api/') || !/text\/html/.test(request.headers.accept ?? ''))
      return reply.code(status).type('application/json; charset=utf-8').send(body);
    return sendAppPage(
      reply,
      <AppLayout ctx={ctx} title="Error" bare={!isTrusted(request, ctx)}>
        <h1>{status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something went wrong'}</h1>
        <p id="error-message">{body.error.message}</p>
      </AppLayout>,
      status,
    );
  });
  app.setNotFoundHandler((request) => {
    throw Object.assign(new Error(`not found: ${request.method} ${request.url.split('?')[0]}`), {
      statusCode: 404,
    });
  });
  installGuard(app, ctx);
  appStaticRoutes(app, ctx.assets);
  for (const register of routes) register(app, ctx);
  return app;
}
