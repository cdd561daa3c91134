/**
 * The admin page's routes (admins only: visitors without an account are sent to log in, other
 * accounts get a 403 page): `GET /admin` lists the items taken down, `POST /admin/takedown` (form
 * field `item`) and `POST /admin/items/:id/takedown` take an item down: its status becomes
 * `taken_down`, so its page, API answer, files and feeds are gone, and the site's peer stops seeding
 * it and the tracker stops tracking it; `POST /admin/items/:id/restore` makes it ready again and
 * seeds it. With the site's `Community`, open reports are listed too: `POST /admin/reports/:id/resolve`,
 * and a takedown with `?report=<id>` resolves that report. With the site's moderation log:
 * `POST /admin/users/disable` (form fields `username`, `reason`) and `POST /admin/users/:name/enable`,
 * and `GET /admin/audit` (`?before=<id>`) lists the log; takedowns, restores, resolved reports and
 * account changes made here are recorded in it. `POST /admin/p2p` (field `p2p`: `on` or `off`) sets the
 * site's default for browser P2P (issue 17). Every POST checks the CSRF field and answers 303
 * back to `/admin`.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canModerate, type User } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { AdminPage, AuditPage } from '../pages/admin.js';
import type { PageContext } from '../pages/layout.js';
import { checkCsrf } from '../session.js';
import { restoreItem, takeDownItem } from '../takedown.js';
import type { PageKit } from './pages.js';

type Form = Record<string, string | undefined>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Body: Form }>;

const NOTICES: Record<string, string> = {
  down: 'The item was taken down: it is no longer shown, served, tracked or seeded.',
  restored: 'The item was restored.',
  resolved: 'The report was resolved.',
  disabled: 'The account was disabled: it can no longer log in, and its sessions and tokens stopped working.',
  enabled: 'The account was enabled again.',
  p2p: "The site's default for browser P2P was saved.",
};

export async function adminPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;

  /** The admin behind the request, or a redirect to log in (undefined then). */
  const admin = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ ctx: PageContext; user: User } | undefined> => {
    const ctx = await kit.context(request, reply);
    const user = ctx.visitor.user;
    if (!user) {
      reply.redirect('/login?next=%2Fadmin', 303);
      return undefined;
    }
    if (!canModerate(user))
      throw new SeedcastError('FORBIDDEN', 'this page is for the site’s admins and moderators');
    return { ctx, user };
  };

  const itemId = (text: string | undefined): number => {
    const trimmed = (text ?? '').trim().replace(/^.*\/items\/(\d+)\/?$/, '$1');
    if (!/^\d{1,12}$/.test(trimmed)) throw new SeedcastError('USAGE', 'item: the number of an item');
    return Number(trimmed);
  };

  const takeDown = (actor: User, id: number, reason: string | undefined) =>
    takeDownItem(site, { actor, id, reason: reason?.trim() || 'taken down by an admin' });
  const restore = (actor: User, id: number) => restoreItem(site, { actor, id });

  app.get<{ Querystring: { done?: string } }>('/admin', async (request, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    const takenDown = await site.items.newest({ status: 'taken_down', limit: 100 });
    return kit.send(
      reply,
      AdminPage({
        ctx: who.ctx,
        reports: site.community ? await site.community.openReports() : undefined,
        takenDown: takenDown.map((i) => ({
          id: i.id,
          title: i.title,
          reason: i.takedownReason ?? null,
          takenDownAt: i.takenDownAt ?? i.updatedAt,
        })),
        moderation: site.moderation
          ? {
              disabled: await site.moderation.disabledAccounts(),
              audit: (await site.moderation.auditLog({ limit: 20 })).entries,
            }
          : undefined,
        notice: NOTICES[request.query.done ?? ''],
        ...(site.fixity ? { fixity: await site.fixity.view() } : {}),
        ...(site.settings && who.user.role === 'admin'
          ? { p2pDefault: await site.settings.p2pDefault() }
          : {}),
      }),
    );
  });

  // Accounts and the audit log (moderation, issue 15).
  const moderation = () => {
    if (!site.moderation) throw new SeedcastError('NOT_FOUND', 'this site keeps no moderation log');
    return site.moderation;
  };
  app.post<{ Body: Form }>('/admin/users/disable', async (request, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    const username = (request.body?.username ?? '').trim();
    if (username === '') throw new SeedcastError('USAGE', 'username: the account to disable');
    await moderation().setDisabled({
      actor: who.user,
      username,
      disabled: true,
      reason: request.body?.reason,
    });
    return reply.redirect('/admin?done=disabled', 303);
  });
  app.post<{ Params: { name: string }; Body: Form }>('/admin/users/:name/enable', async (request, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    await moderation().setDisabled({ actor: who.user, username: request.params.name, disabled: false });
    return reply.redirect('/admin?done=enabled', 303);
  });
  app.get<{ Querystring: { before?: string } }>('/admin/audit', async (request, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    const before = /^\d{1,15}$/.test(request.query.before ?? '') ? Number(request.query.before) : undefined;
    const { entries, next } = await moderation().auditLog({ before, limit: 100 });
    return kit.send(reply, AuditPage({ ctx: who.ctx, entries, next }));
  });

  // The site's default for browser P2P (issue 17): on or off.
  app.post<{ Body: Form }>('/admin/p2p', async (request, reply) => {
    const who = await admin(request, reply);
    if (who && who.user.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'settings are for admins');
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    const choice = request.body?.p2p;
    if (!site.settings) throw new SeedcastError('NOT_FOUND', 'this site keeps no settings');
    if (choice !== 'on' && choice !== 'off') throw new SeedcastError('USAGE', 'p2p: on or off');
    await site.settings.setP2pDefault(choice);
    return reply.redirect('/admin?done=p2p', 303);
  });

  app.post<{ Body: Form }>('/admin/takedown', async (request, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    await takeDown(who.user, itemId(request.body?.item), request.body?.reason);
    return reply.redirect('/admin?done=down', 303);
  });

  app.post('/admin/items/:id/takedown', async (request: IdRequest, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    const report = (request.query as { report?: string }).report;
    await takeDown(who.user, itemId(request.params.id), report ? `report ${report}` : undefined);
    if (report && /^\d{1,12}$/.test(report)) await site.community?.resolveReport(Number(report), who.user);
    return reply.redirect('/admin?done=down', 303);
  });

  app.post('/admin/reports/:id/resolve', async (request: IdRequest, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    if (!site.community) throw new SeedcastError('NOT_FOUND', 'this site keeps no reports');
    await site.community.resolveReport(itemId(request.params.id), who.user);
    return reply.redirect('/admin?done=resolved', 303);
  });

  app.post('/admin/items/:id/restore', async (request: IdRequest, reply) => {
    const who = await admin(request, reply);
    if (!who) return reply;
    checkCsrf(who.ctx.visitor, request.body?._csrf);
    await restore(who.user, itemId(request.params.id));
    return reply.redirect('/admin?done=restored', 303);
  });
}
