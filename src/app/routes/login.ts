/**
 * Logging in to an app exposed with `--listen` (registered only then): `GET /login` shows the form,
 * `POST /login` checks the password against its scrypt hash (`password.ts`), sets the session cookie
 * and sends the browser to `next` (a same-site path only, `safeNext`); wrong passwords are limited per
 * remote address (`login-limit.ts`: 429 after 10 a minute). `POST /logout` (session and CSRF token,
 * as every change) clears the cookie.
 */

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { checkOrigin, clearedSessionCookie, hasSession, safeNext, sessionCookie } from '../guard.js';
import { LoginPage } from '../pages/login.js';
import { checkAppPassword } from '../password.js';
import { sendAppPage } from '../server.js';
import { createLoginLimiter } from './login-limit.js';

const MAX_PASSWORD = 1024;

export function loginRoutes(app: FastifyInstance, ctx: AppContext): void {
  const exposed = ctx.exposed;
  if (!exposed) return;
  const limiter = createLoginLimiter();

  app.get(
    '/login',
    {
      schema: { querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 2048 } } } },
    },
    async (request, reply) => {
      const next = safeNext((request.query as { next?: string }).next);
      if (hasSession(request, ctx)) return reply.redirect(next, 303);
      return sendAppPage(reply, LoginPage({ ctx, next }));
    },
  );

  app.post(
    '/login',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            password: { type: 'string', maxLength: MAX_PASSWORD },
            next: { type: 'string', maxLength: 2048 },
          },
        },
      },
    },
    async (request, reply) => {
      checkOrigin(request);
      const address = request.ip;
      try {
        limiter.check(address);
      } catch (err) {
        reply.header('retry-after', String((err as { retryAfter: number }).retryAfter));
        throw err;
      }
      const body = (request.body ?? {}) as { password?: string; next?: string };
      const next = safeNext(body.next);
      if (!(await checkAppPassword(body.password ?? '', exposed.passwordHash))) {
        limiter.failed(address);
        return sendAppPage(reply, LoginPage({ ctx, next, error: 'Wrong password.' }), 401);
      }
      limiter.succeeded(address);
      return reply.header('set-cookie', sessionCookie(ctx)).redirect(next, 303);
    },
  );

  app.post(
    '/logout',
    { schema: { body: { type: 'object', properties: { _csrf: { type: 'string' } } } } },
    async (_request, reply) => reply.header('set-cookie', clearedSessionCookie()).redirect('/login', 303),
  );
}
