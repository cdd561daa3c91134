/**
 * The admin's user list page (issue 19): `GET /admin/users?q=&page=` and `POST /admin/users/:name`
 * (form field `do`: `role` with `role`, `quota` with `quotaMiB` (empty: the site's default; `none`),
 * `disable`, `enable`, `approve`, `reject`), `POST /admin/invites` (a new invite code, shown once).
 * Admins only; each POST checks the CSRF field and answers 303 back to the list with a notice, or
 * the list with the error (e.g. the last admin cannot be demoted). `POST /admin/users/:name/reset-link`
 * belongs to the accounts pages.
 */

import type { FastifyInstance } from 'fastify';
import type { AdminUserPatch } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import { AdminUsersPage } from '../pages/admin-users.js';
import { checkCsrf } from '../session.js';
import type { PageKit } from './pages.js';
import { adminPage } from './settings-pages.js';

type Form = Record<string, string | undefined>;

const NOTICES: Record<string, string> = {
  role: 'The role was changed.',
  quota: 'The quota was saved.',
  disable: 'The account was disabled: it can no longer log in, and its sessions and tokens stopped working.',
  enable: 'The account was enabled again.',
  approve: 'The account was approved: it can log in now.',
  reject: 'The registration was rejected and the account removed.',
};

export async function adminUserPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const hidden = { schema: { hide: true } };
  const accounts = () => {
    if (!site.siteAccounts) throw new SeedcastError('NOT_FOUND', 'this site keeps no account settings');
    return site.siteAccounts;
  };

  const render = async (
    ctx: Parameters<typeof AdminUsersPage>[0]['ctx'],
    query: { q?: string; page?: string; done?: string },
    extra: { error?: string; newInvite?: { code: string; url: string } } = {},
  ) => {
    const q = (query.q ?? '').slice(0, 64);
    const page = Math.max(1, Math.min(100_000, Number.parseInt(query.page ?? '1', 10) || 1));
    const list = await accounts().list({ q, page });
    const registration = (await site.siteSettings?.profile())?.registration ?? 'open';
    const invites = registration === 'invite' ? await accounts().invites() : undefined;
    const notice = query.done ? NOTICES[query.done] : undefined;
    return AdminUsersPage({
      ctx,
      ...list,
      q,
      registration,
      ...(invites ? { invites } : {}),
      ...(notice ? { notice } : {}),
      ...extra,
    });
  };

  app.get<{ Querystring: { q?: string; page?: string; done?: string } }>(
    '/admin/users',
    hidden,
    async (request, reply) => {
      const who = await adminPage(kit, request, reply, '/admin/users');
      if (!who) return reply;
      return kit.send(reply, await render(who.ctx, request.query));
    },
  );

  app.post<{ Params: { name: string }; Body: Form }>('/admin/users/:name', hidden, async (request, reply) => {
    const who = await adminPage(kit, request, reply, '/admin/users');
    if (!who) return reply;
    const body = request.body ?? {};
    checkCsrf(who.ctx.visitor, body._csrf);
    const action = body.do ?? '';
    const patch: AdminUserPatch = {};
    if (action === 'role') patch.role = body.role as AdminUserPatch['role'];
    else if (action === 'disable' || action === 'enable') patch.disabled = action === 'disable';
    else if (action === 'approve' || action === 'reject') patch.approved = action === 'approve';
    else if (action === 'quota') {
      const v = (body.quotaMiB ?? '').trim().toLowerCase();
      const n = Number(v);
      if (v !== '' && v !== 'none' && v !== 'default' && !(Number.isFinite(n) && n >= 0))
        return kit.send(
          reply,
          await render(who.ctx, {}, { error: 'quota: a number of MiB, "none" or empty' }),
          400,
        );
      patch.quotaBytes =
        v === '' || v === 'default' ? 'default' : v === 'none' ? null : Math.round(n * 1024 ** 2);
    } else throw new SeedcastError('USAGE', 'do: role, quota, disable, enable, approve or reject');
    try {
      await accounts().update(who.user, request.params.name, patch);
    } catch (err) {
      if (!isSeedcastError(err, 'LAST_ADMIN') && !isSeedcastError(err, 'USER_INVALID')) throw err;
      return kit.send(reply, await render(who.ctx, {}, { error: err.message }), err.status);
    }
    return reply.redirect(`/admin/users?done=${action}`, 303);
  });

  app.post<{ Body: Form }>('/admin/invites', hidden, async (request, reply) => {
    const who = await adminPage(kit, request, reply, '/admin/users');
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    limitAction(reply, { action: 'registrations', user: who.user });
    const { code } = await accounts().createInvite(who.user);
    const url = `${site.links.root}/register?invite=${encodeURIComponent(code)}`;
    return kit.send(reply, await render(who.ctx, {}, { newInvite: { code, url } }), 201);
  });
}
