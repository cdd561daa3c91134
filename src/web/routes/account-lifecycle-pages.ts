/**
 * The account pages of issue 19: `GET|POST /forgot-password` (the same answer whatever was typed),
 * `GET|POST /reset-password?token=` (the link's form; a bad, used or expired link says so),
 * `GET /verify-email?token=` (verifies at once: the link proves the mailbox), `GET|POST
 * /account/email` (+ `/account/email/resend`, `/account/email/remove`), `GET|POST /account/delete`,
 * `GET /account/export.json` (a download) and the admin's `POST /admin/users/:name/reset-link`
 * (renders the one-time link once). Every POST checks the CSRF token; mails and password changes are
 * limited as actions, shared with the API.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { addressKey, limitAction } from '../action-limits.js';
import {
  AccountDeletedPage,
  DeleteAccountPage,
  EmailPage,
  ForgotPasswordPage,
  ResetLinkPage,
  ResetPasswordPage,
  VerifyEmailPage,
} from '../pages/account-lifecycle.js';
import type { FormErrors } from '../pages/components.js';
import type { PageContext } from '../pages/layout.js';
import { appendCookie, checkCsrf, SESSION_COOKIE, serializeCookie } from '../session.js';
import {
  type AccountSite,
  adminResetLink,
  changeEmail,
  deleteAccount,
  exportAccount,
  exportFilename,
  resendVerification,
} from './account-actions.js';
import { documented } from './account-lifecycle.js';
import type { PageKit } from './pages.js';

type Form = Record<string, string | undefined>;
const hidden = { schema: documented({ hide: true }) };

/** "email: the part after @ ..." -> "The part after @ ...". */
function fieldMessage(err: unknown, field: string): string | undefined {
  if (!isSeedcastError(err)) return undefined;
  const at = err.message.indexOf(`${field}: `);
  if (at < 0) return undefined;
  const why = err.message.slice(at + field.length + 2);
  return `${why.charAt(0).toUpperCase()}${why.slice(1)}.`;
}

export async function accountLifecyclePageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  if (!kit.site.accounts) return;
  const site = kit.site as AccountSite;
  const { accounts } = site;

  // Pages whose URL (or body) holds a one-time token: no Referer leaves them (set last, over the
  // page default).
  app.addHook('onSend', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/reset-password' || path === '/verify-email' || path.endsWith('/reset-link'))
      reply.header('referrer-policy', 'no-referrer');
  });

  const requireLogin = (ctx: PageContext, reply: FastifyReply, path: string): User | undefined => {
    if (ctx.visitor.user) return ctx.visitor.user;
    reply.redirect(`/login?next=${encodeURIComponent(path)}`, 303);
    return undefined;
  };

  app.get('/forgot-password', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    return kit.send(reply, ForgotPasswordPage({ ctx, mailEnabled: accounts.mail.enabled }));
  });

  app.post<{ Body: Form }>('/forgot-password', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    checkCsrf(ctx.visitor, request.body?._csrf);
    const login = (request.body?.login ?? '').trim();
    if (!login) {
      const errors = { login: 'Enter your username or email address.' };
      return kit.send(reply, ForgotPasswordPage({ ctx, mailEnabled: accounts.mail.enabled, errors }), 400);
    }
    limitAction(reply, { action: 'account-mails' });
    await accounts.mail.requestReset(login.slice(0, 254));
    return kit.send(reply, ForgotPasswordPage({ ctx, mailEnabled: accounts.mail.enabled, sent: true }));
  });

  app.get<{ Querystring: { token?: string } }>('/reset-password', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const token = request.query.token ?? '';
    const valid = await accounts.tokens.check(token, 'reset').then(
      () => true,
      () => false,
    );
    return kit.send(reply, ResetPasswordPage({ ctx, token, valid }), valid ? 200 : 400);
  });

  app.post<{ Body: Form }>('/reset-password', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const body = request.body ?? {};
    checkCsrf(ctx.visitor, body._csrf);
    limitAction(reply, { action: 'password-changes' });
    const token = body.token ?? '';
    const again = (errors: FormErrors, status: number) =>
      kit.send(reply, ResetPasswordPage({ ctx, token, valid: true, errors }), status);
    if ((body.password ?? '') !== (body.confirm ?? ''))
      return again({ confirm: 'The two passwords differ.' }, 400);
    try {
      await accounts.tokens.resetPassword(token, body.password ?? '');
    } catch (err) {
      if (isSeedcastError(err, 'ACCOUNT_TOKEN_INVALID'))
        return kit.send(reply, ResetPasswordPage({ ctx, token, valid: false }), 400);
      const why = fieldMessage(err, 'password');
      if (!why) throw err;
      return again({ password: why }, 400);
    }
    // Every session ended, this browser's too: log in with the new password.
    appendCookie(reply, serializeCookie(SESSION_COOKIE, '', { secure: kit.secure, maxAge: 0 }));
    return reply.redirect('/login?reset=done', 303);
  });

  app.get<{ Querystring: { token?: string } }>('/verify-email', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    try {
      const done = await accounts.emails.verify(accounts.tokens, request.query.token ?? '');
      return kit.send(reply, VerifyEmailPage({ ctx, email: done.email }));
    } catch (err) {
      if (!isSeedcastError(err, 'ACCOUNT_TOKEN_INVALID')) throw err;
      return kit.send(reply, VerifyEmailPage({ ctx }), 400);
    }
  });

  const emailPage = async (
    ctx: PageContext,
    reply: FastifyReply,
    user: User,
    extra: { notice?: string; errors?: FormErrors; value?: string; status?: number } = {},
  ) => {
    const current = await accounts.emails.get(user.id);
    const page = EmailPage({
      ctx,
      current,
      mailEnabled: accounts.mail.enabled,
      ...(extra.notice ? { notice: extra.notice } : {}),
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.value !== undefined ? { value: extra.value } : {}),
    });
    return kit.send(reply, page, extra.status ?? 200);
  };

  const NOTICES: Record<string, string> = {
    sent: 'Saved. A link to verify the address is on its way: open it within a day.',
    saved: 'Saved.',
    resent: 'The verification link was mailed again.',
    removed: 'The address was removed.',
  };

  app.get<{ Querystring: { done?: string } }>('/account/email', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/email');
    if (!user) return reply;
    const notice = NOTICES[request.query.done ?? ''];
    return emailPage(ctx, reply, user, notice ? { notice } : {});
  });

  app.post<{ Body: Form }>('/account/email', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/email');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    const value = (request.body?.email ?? '').trim();
    if (!value) return emailPage(ctx, reply, user, { errors: { email: 'Enter an address.' }, status: 400 });
    limitAction(reply, { action: 'account-mails', user });
    try {
      const changed = await changeEmail(site, user, value);
      return reply.redirect(`/account/email?done=${changed?.verificationSent ? 'sent' : 'saved'}`, 303);
    } catch (err) {
      const why = fieldMessage(err, 'email');
      if (!why) throw err;
      return emailPage(ctx, reply, user, {
        errors: { email: why },
        value,
        status: isSeedcastError(err, 'EMAIL_TAKEN') ? 409 : 400,
      });
    }
  });

  app.post<{ Body: Form }>('/account/email/resend', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/email');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    limitAction(reply, { action: 'account-mails', user });
    await resendVerification(site, user);
    return reply.redirect('/account/email?done=resent', 303);
  });

  app.post<{ Body: Form }>('/account/email/remove', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/email');
    if (!user) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    await changeEmail(site, user, null);
    return reply.redirect('/account/email?done=removed', 303);
  });

  const deletePage = async (
    ctx: PageContext,
    reply: FastifyReply,
    user: User,
    extra: { errors?: FormErrors; choice?: string; status?: number } = {},
  ) => {
    const lastAdmin = await accounts.removal.checkRemovable(user.id).then(
      () => false,
      (err) => isSeedcastError(err, 'LAST_ADMIN'),
    );
    const items = (await accounts.removal.ownedItemIds(user.id)).length;
    const siteName = (await accounts.removal.siteAccount(user.id))?.username;
    const page = DeleteAccountPage({
      ctx,
      items,
      siteName,
      lastAdmin,
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.choice ? { choice: extra.choice } : {}),
    });
    return kit.send(reply, page, extra.status ?? 200);
  };

  app.get('/account/delete', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/delete');
    if (!user) return reply;
    return deletePage(ctx, reply, user);
  });

  app.post<{ Body: Form }>('/account/delete', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/delete');
    if (!user) return reply;
    const body = request.body ?? {};
    checkCsrf(ctx.visitor, body._csrf);
    limitAction(reply, { action: 'password-changes', user });
    const choice = body.items;
    if (choice !== 'delete' && choice !== 'transfer')
      return deletePage(ctx, reply, user, {
        errors: { form: 'Choose what happens to your items.' },
        status: 400,
      });
    try {
      await deleteAccount(site, user, {
        password: body.password ?? '',
        items: choice,
        address: addressKey(request.ip),
        log: request.log,
      });
    } catch (err) {
      if (isSeedcastError(err, 'AUTH_FAILED'))
        return deletePage(ctx, reply, user, {
          errors: { password: 'That is not your password.' },
          choice,
          status: 401,
        });
      if (isSeedcastError(err, 'AUTH_LOCKED'))
        return deletePage(ctx, reply, user, { errors: { form: err.message }, choice, status: 429 });
      if (isSeedcastError(err, 'LAST_ADMIN')) return deletePage(ctx, reply, user, { status: 409 });
      throw err;
    }
    appendCookie(reply, serializeCookie(SESSION_COOKIE, '', { secure: kit.secure, maxAge: 0 }));
    // The session is gone: the page is rendered for a visitor.
    const after = await kit.context(request, reply);
    return kit.send(reply, AccountDeletedPage({ ctx: after, transferred: choice === 'transfer' }));
  });

  app.get('/account/export.json', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = requireLogin(ctx, reply, '/account/export.json');
    if (!user) return reply;
    const data = await exportAccount(site, user);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportFilename(user)}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(`${JSON.stringify(data, null, 2)}\n`);
  });

  // The users page's button posts to /admin/users/NAME/reset-link; the /admin page's form names the
  // account in its body (/admin/reset-link).
  const resetLinkPage = async (
    request: FastifyRequest<{ Params: { name?: string }; Body: Form }>,
    reply: FastifyReply,
  ) => {
    const ctx = await kit.context(request, reply);
    const admin = requireLogin(ctx, reply, '/admin');
    if (!admin) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    if (admin.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'admins only');
    const name = (request.params.name ?? request.body?.username ?? '').trim();
    if (!name) throw new SeedcastError('USER_INVALID', 'username: required');
    const link = await adminResetLink(site, admin, name);
    return kit.send(reply, ResetLinkPage({ ctx, ...link }), 201);
  };
  app.post<{ Params: { name: string }; Body: Form }>('/admin/users/:name/reset-link', hidden, resetLinkPage);
  app.post<{ Params: { name?: string }; Body: Form }>('/admin/reset-link', hidden, resetLinkPage);
}
