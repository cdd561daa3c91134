/**
 * Account pages: `GET|POST /login`, `GET|POST /register`, `POST /logout`, `GET /account` and its
 * forms (`POST /account/tokens`, `POST /account/tokens/:id/revoke`, `POST /account/password`,
 * `POST /account/logout-everywhere`). Every POST checks the CSRF token; logins, registrations, new
 * tokens and password changes are limited as actions, shared with the API (`action-limits.ts`).
 * Invalid input re-shows the form (status 400/401/409; 429 while the account is locked) with the
 * error next to its field and the username kept; success redirects (303) so a reload does not post
 * again.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { addressKey, limitAction } from '../action-limits.js';
import { AccountPage, LoginPage, RegisterPage } from '../pages/account.js';
import type { FormErrors } from '../pages/components.js';
import type { PageContext } from '../pages/layout.js';
import { PendingPage, RegistrationClosedPage, RegistrationModeFields } from '../pages/settings.js';
import { safeRedirectPath as safeNext } from '../redirects.js';
import { appendCookie, checkCsrf, SESSION_COOKIE, serializeCookie } from '../session.js';
import type { PageKit } from './pages.js';

type Form = Record<string, string | undefined>;

/** AUTH_LOCKED's message ("...: try again in 15 min") for people. */
function lockedMessage(message: string): string {
  return `Too many wrong passwords for this account: ${message.slice(message.lastIndexOf(': ') + 2)}.`;
}

/** `account: invalid field: password: at least 8 characters` -> { password: 'At least 8 characters' }. */
function fieldErrors(err: unknown, fields: string[]): FormErrors | undefined {
  if (!isSeedcastError(err)) return undefined;
  if (err.code === 'USER_EXISTS') return { username: 'That username is taken.' };
  if (err.code !== 'USER_INVALID') return undefined;
  for (const field of fields) {
    const at = err.message.indexOf(`${field}: `);
    if (at >= 0) {
      const why = err.message.slice(at + field.length + 2);
      return { [field]: `${why.charAt(0).toUpperCase()}${why.slice(1)}.` };
    }
  }
  return { form: err.message };
}

export async function accountPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const ttlSeconds = 30 * 24 * 3600;

  const startSession = async (reply: FastifyReply, userId: number) => {
    const { cookie } = await site.sessions.create(userId);
    appendCookie(reply, serializeCookie(SESSION_COOKIE, cookie, { secure: kit.secure, maxAge: ttlSeconds }));
  };

  const requireLogin = (ctx: PageContext, reply: FastifyReply, path: string) => {
    if (ctx.visitor.user) return ctx.visitor.user;
    reply.redirect(`/login?next=${encodeURIComponent(path)}`, 303);
    return undefined;
  };

  app.get<{ Querystring: { next?: string; reset?: string } }>('/login', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const next = safeNext(request.query.next);
    if (ctx.visitor.user) return reply.redirect(next ?? '/', 303);
    const notice =
      request.query.reset === 'done' ? 'Your password was reset: log in with the new one.' : undefined;
    return kit.send(reply, LoginPage({ ctx, next, ...(notice ? { notice } : {}) }));
  });

  app.post<{ Body: Form }>('/login', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const body = request.body ?? {};
    limitAction(reply, { action: 'logins' });
    checkCsrf(ctx.visitor, body._csrf);
    const username = (body.username ?? '').trim();
    const next = safeNext(body.next);
    const errors: FormErrors = {};
    if (!username) errors.username = 'Enter your username.';
    if (!body.password) errors.password = 'Enter your password.';
    if (errors.username || errors.password)
      return kit.send(reply, LoginPage({ ctx, username, next, errors }), 400);
    try {
      const address = addressKey(request.ip);
      const user = await site.users.authenticate({ username, password: body.password }, { address });
      await startSession(reply, user.id);
      if (ctx.visitor.session) await site.sessions.end(ctx.visitor.session);
      return reply.redirect(next ?? '/', 303);
    } catch (err) {
      if (isSeedcastError(err, 'AUTH_LOCKED')) {
        const locked = { form: lockedMessage(err.message) };
        return kit.send(reply, LoginPage({ ctx, username, next, errors: locked }), 429);
      }
      if (isSeedcastError(err, 'ACCOUNT_PENDING')) {
        const pending = { form: 'Your account is waiting for an admin of this site to approve it.' };
        return kit.send(reply, LoginPage({ ctx, username, next, errors: pending }), 403);
      }
      if (!isSeedcastError(err, 'AUTH_FAILED')) throw err;
      const failed = { form: 'Wrong username or password.' };
      return kit.send(reply, LoginPage({ ctx, username, next, errors: failed }), 401);
    }
  });

  app.get<{ Querystring: { invite?: string } }>('/register', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    if (ctx.visitor.user) return reply.redirect('/account', 303);
    // The site's registration mode (issue 19; the first account always registers).
    if (!ctx.firstRun && ctx.site?.registration === 'closed')
      return kit.send(reply, RegistrationClosedPage({ ctx }));
    const invite = typeof request.query.invite === 'string' ? request.query.invite.slice(0, 100) : undefined;
    return kit.send(reply, RegisterPage({ ctx, extra: RegistrationModeFields({ ctx, invite }) }));
  });

  app.post<{ Body: Form }>('/register', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const body = request.body ?? {};
    limitAction(reply, { action: 'registrations' });
    checkCsrf(ctx.visitor, body._csrf);
    const username = (body.username ?? '').trim();
    const password = body.password ?? '';
    const invite = body.invite;
    const page = (errors: FormErrors) =>
      RegisterPage({ ctx, username, errors, extra: RegistrationModeFields({ ctx, invite, errors }) });
    if (password !== (body.confirm ?? '')) {
      const errors = { confirm: 'The two passwords differ.' };
      return kit.send(reply, page(errors), 400);
    }
    try {
      // The site's registration mode (issue 19): closed, invite code, or approval (no session yet).
      const user = site.siteAccounts
        ? await site.siteAccounts.register({ username, password, invite })
        : { ...(await site.users.register({ username, password })), pending: false };
      if (user.pending) return kit.send(reply, PendingPage({ ctx, username: user.username }), 201);
      await startSession(reply, user.id);
      return reply.redirect('/account', 303);
    } catch (err) {
      if (isSeedcastError(err, 'REGISTRATION_CLOSED'))
        return kit.send(reply, RegistrationClosedPage({ ctx }), 403);
      if (isSeedcastError(err, 'INVITE_INVALID'))
        return kit.send(reply, page({ invite: 'This invite code is missing, used or unknown.' }), 403);
      const errors = fieldErrors(err, ['username', 'password']);
      if (!errors) throw err;
      const status = isSeedcastError(err, 'USER_EXISTS') ? 409 : 400;
      return kit.send(reply, page(errors), status);
    }
  });

  app.post<{ Body: Form }>('/logout', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    checkCsrf(ctx.visitor, request.body?._csrf);
    if (ctx.visitor.session) await site.sessions.end(ctx.visitor.session);
    appendCookie(reply, serializeCookie(SESSION_COOKIE, '', { secure: kit.secure, maxAge: 0 }));
    return reply.redirect('/', 303);
  });

  app.get<{ Querystring: { revoked?: string; password?: string; p2p?: string } }>(
    '/account',
    async (request, reply) => {
      const ctx = await kit.context(request, reply);
      const user = requireLogin(ctx, reply, '/account');
      if (!user) return reply;
      const tokens = await site.tokens.list(user.id);
      const notice =
        request.query.revoked !== undefined
          ? 'The token was revoked.'
          : request.query.password !== undefined
            ? 'Your password was changed. Every other session and every API token has ended.'
            : undefined;
      const p2p = site.settings
        ? { setting: await site.settings.p2pOf(user.id), siteDefault: await site.settings.p2pDefault() }
        : undefined;
      const saved = request.query.p2p !== undefined ? 'Your P2P choice was saved.' : undefined;
      return kit.send(
        reply,
        AccountPage({ ctx, user, tokens, notice: notice ?? saved, ...(p2p ? { p2p } : {}) }),
      );
    },
  );

  // Share with other viewers (issue 17): the site's default, on or off, for every browser.
  app.post<{ Body: Form }>('/account/p2p', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    if (!site.settings) throw new SeedcastError('NOT_FOUND', 'this site keeps no settings');
    const setting = request.body?.p2p;
    if (setting !== 'default' && setting !== 'on' && setting !== 'off')
      throw new SeedcastError('USER_INVALID', 'p2p: default, on or off');
    await site.settings.setP2p(user.id, setting);
    return reply.redirect('/account?p2p=saved', 303);
  });

  app.post<{ Body: Form }>('/account/tokens', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    limitAction(reply, { action: 'tokens', user });
    const name = (request.body?.name ?? '').trim();
    try {
      const { token } = await site.tokens.create(user.id, { name });
      const tokens = await site.tokens.list(user.id);
      return kit.send(reply, AccountPage({ ctx, user, tokens, newToken: token, tokenName: name }), 201);
    } catch (err) {
      if (!isSeedcastError(err, 'USER_INVALID')) throw err;
      const tokens = await site.tokens.list(user.id);
      const errors = { name: 'At most 100 characters.' };
      return kit.send(reply, AccountPage({ ctx, user, tokens, tokenName: name, errors }), 400);
    }
  });

  app.post<{ Params: { id: string }; Body: Form }>('/account/tokens/:id/revoke', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || !(await site.tokens.revoke(user.id, id)))
      throw new SeedcastError('NOT_FOUND', 'no such token');
    return reply.redirect('/account?revoked', 303);
  });

  app.post<{ Body: Form }>('/account/password', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    limitAction(reply, { action: 'password-changes', user });
    const body = request.body ?? {};
    const again = async (passwordErrors: FormErrors, status: number) => {
      const tokens = await site.tokens.list(user.id);
      return kit.send(reply, AccountPage({ ctx, user, tokens, passwordErrors }), status);
    };
    if ((body.new_password ?? '') !== (body.confirm_password ?? ''))
      return again({ confirm_password: 'The two passwords differ.' }, 400);
    try {
      await site.users.changePassword(
        user.id,
        { current: body.current_password ?? '', password: body.new_password ?? '' },
        { address: addressKey(request.ip) },
      );
    } catch (err) {
      if (isSeedcastError(err, 'AUTH_FAILED'))
        return again({ current_password: 'That is not your current password.' }, 401);
      if (isSeedcastError(err, 'AUTH_LOCKED')) return again({ form: lockedMessage(err.message) }, 429);
      const errors = fieldErrors(err, ['password']);
      if (!errors) throw err;
      return again(errors.password ? { new_password: errors.password } : errors, 400);
    }
    // Every session and token ends; this browser gets a fresh session.
    await site.sessions.endAll(user.id);
    await site.tokens.revokeAll(user.id);
    await startSession(reply, user.id);
    return reply.redirect('/account?password=changed', 303);
  });

  app.post<{ Body: Form }>('/account/logout-everywhere', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    await site.sessions.endAll(user.id);
    await site.tokens.revokeAll(user.id);
    appendCookie(reply, serializeCookie(SESSION_COOKIE, '', { secure: kit.secure, maxAge: 0 }));
    return reply.redirect('/login', 303);
  });
}
