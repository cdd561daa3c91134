/**
 * The admins' storage quota page: `GET /admin/quota?user=NAME` shows an account's quota and use,
 * `POST /admin/quota` (form fields `user`, `quota`: bytes with an optional unit, `none` or
 * `default`; CSRF checked) sets it and answers 303 back to the page. Visitors without an account
 * are sent to log in; other accounts get 403. The API twin is `PUT /api/v1/users/:name/quota`.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { QuotaSetting } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { parseBytes } from '../limits.js';
import type { PageContext } from '../pages/layout.js';
import { QuotaPage, type QuotaRow } from '../pages/quota.js';
import { checkCsrf } from '../session.js';
import type { PageKit } from './pages.js';

type Form = Record<string, string | undefined>;

export async function quotaPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const { quotas, guard } = site;
  if (!quotas || !guard) return;

  const admin = async (request: FastifyRequest, reply: FastifyReply): Promise<PageContext | undefined> => {
    const ctx = await kit.context(request, reply);
    if (!ctx.visitor.user) {
      reply.redirect('/login?next=%2Fadmin%2Fquota', 303);
      return undefined;
    }
    if (ctx.visitor.user.role !== 'admin')
      throw new SeedcastError('FORBIDDEN', 'this page is for the site’s admins');
    return ctx;
  };

  const row = async (name: string | undefined): Promise<QuotaRow | undefined> => {
    const account = name ? await site.users.byName(name.trim().slice(0, 64)) : undefined;
    if (!account) return undefined;
    const [setting, usage] = await Promise.all([quotas.quotaOf(account.id), guard.usage(account)]);
    return { username: account.username, setting, quota: usage.quota, used: usage.used };
  };

  app.get<{ Querystring: { user?: string; done?: string } }>('/admin/quota', async (request, reply) => {
    const ctx = await admin(request, reply);
    if (!ctx) return reply;
    const account = await row(request.query.user);
    const error =
      request.query.user && !account ? `No account named “${request.query.user.slice(0, 64)}”.` : undefined;
    const notice = request.query.done && account ? 'The quota was set.' : undefined;
    return kit.send(reply, QuotaPage({ ctx, account, notice, error }), error ? 404 : 200);
  });

  app.post<{ Body: Form }>('/admin/quota', async (request, reply) => {
    const ctx = await admin(request, reply);
    if (!ctx) return reply;
    checkCsrf(ctx.visitor, request.body?._csrf);
    const account = await site.users.byName((request.body?.user ?? '').trim().slice(0, 64));
    if (!account) throw new SeedcastError('NOT_FOUND', 'no such account');
    const text = (request.body?.quota ?? '').trim().toLowerCase();
    let setting: QuotaSetting;
    try {
      setting = text === 'default' ? 'default' : (parseBytes('quota', text, { none: true }) ?? 'none');
    } catch (err) {
      if (!isSeedcastError(err)) throw err;
      const current = await row(account.username);
      return kit.send(reply, QuotaPage({ ctx, account: current, error: err.message }), 400);
    }
    await quotas.setQuota(account.id, setting);
    return reply.redirect(`/admin/quota?user=${encodeURIComponent(account.username)}&done=1`, 303);
  });
}
