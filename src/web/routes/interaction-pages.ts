/**
 * What visitors do on an item page, as HTML form posts (each checks the CSRF field and answers 303
 * back to the item, so a reload does not post again): `POST /items/:id/comments` (`body`, optional
 * `parent` for a reply), `POST /items/:id/comments/:commentId/edit` (`body`; its author) and
 * `.../delete` (its author, or an admin with an optional `reason` for the audit log),
 * `POST /items/:id/favourite` (`favourite=1|0`), `POST /items/:id/report` (`reason`, `details`).
 * Comments and favourites need an account (visitors are sent to log in); anyone may report. The
 * item page shows one page of comments; `?after=<cursor>` (the "Older comments" link) the next,
 * `?thread=<id>` the page that starts with that thread (where a new reply lands). The storage is
 * the site's `Community` (comments, favourites, reports), given to the app as
 * `SiteServices.community`; without one these routes are not registered.
 * `communitySection()` renders the item page's comments section, favourite button and report form.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import type { ReportRow } from '../pages/admin.js';
import {
  type CommentPageView,
  CommentThread,
  FavouriteButton,
  REPORT_REASONS,
  ReportForm,
} from '../pages/interactions.js';
import type { PageContext } from '../pages/layout.js';
import { checkCsrf } from '../session.js';
import type { PageKit } from './pages.js';

/** The storage behind comments, favourites and reports (implemented over the catalog). */
export interface Community {
  /** One page of comments, newest thread first; `after` is a previous page's `next`. */
  commentPage(
    itemId: number,
    options?: { after?: string; thread?: number; limit?: number },
  ): Promise<CommentPageView>;
  /** Adds a comment; `parentId` must be a comment of the same item (else ITEM_INVALID naming parent). */
  addComment(input: {
    itemId: number;
    userId: number;
    parentId: number | null;
    body: string;
  }): Promise<{ id: number; rootId?: number }>;
  /** Its author only (FORBIDDEN otherwise); NOT_FOUND unless a live comment of the item. */
  editComment(input: { itemId: number; id: number; actor: Actor; body: string }): Promise<void>;
  /** Its author or an admin (FORBIDDEN otherwise); an admin's deletion is audited. */
  removeComment(input: { itemId: number; id: number; actor: Actor; reason?: string }): Promise<unknown>;
  setFavourite(userId: number, itemId: number, on: boolean): Promise<void>;
  favourites(itemId: number, userId: number | undefined): Promise<{ count: number; mine: boolean }>;
  report(input: { itemId: number; reporterId: number | null; reason: string }): Promise<void>;
  openReports(): Promise<ReportRow[]>;
  /** Ids of the ready items an account favours, newest favourite first (for its user page). */
  favouriteItemIds?(userId: number, options?: { limit?: number }): Promise<number[]>;
  /** Resolves a report; recorded in the audit log when `actor` is given. */
  resolveReport(id: number, actor?: Actor): Promise<void>;
}

export const MAX_COMMENT = 5000;
const MAX_DETAILS = 2000;

type Form = Record<string, string | undefined>;
type ItemRequest = FastifyRequest<{ Params: { id: string }; Body: Form }>;

/** A form's comment body: CRLF to LF, trimmed, 1 to MAX_COMMENT characters (USAGE otherwise). */
function commentBody(form: Form | undefined): string {
  const body = (form?.body ?? '').replace(/\r\n/g, '\n').trim();
  if (body === '') throw new SeedcastError('USAGE', 'body: write something');
  if (body.length > MAX_COMMENT) throw new SeedcastError('USAGE', `body: at most ${MAX_COMMENT} characters`);
  return body;
}

/** The item page's comments section for one visitor: favourite button, thread, report form. */
export async function communitySection(
  community: Community,
  ctx: PageContext,
  itemId: number,
  request: FastifyRequest,
): Promise<Html> {
  const query = (request.query ?? {}) as { reported?: string; after?: string; thread?: string };
  const after = typeof query.after === 'string' && query.after !== '' ? query.after : undefined;
  const thread = /^\d{1,12}$/.test(query.thread ?? '') ? Number(query.thread) : undefined;
  const [page, favourites] = await Promise.all([
    community.commentPage(itemId, { after, thread }),
    community.favourites(itemId, ctx.visitor.user?.id),
  ]);
  const reported = query.reported === '1';
  return h(
    Fragment,
    null,
    FavouriteButton({ ctx, itemId, favourited: favourites.mine, count: favourites.count }),
    CommentThread({
      ctx,
      itemId,
      page,
      after: after ?? (thread === undefined ? undefined : `thread ${thread}`),
    }),
    ReportForm({ ctx, itemId, sent: reported }),
  );
}

export async function interactionPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const community = kit.site.community;
  if (!community) return;

  /** The ready item the form is about, the visitor, and the CSRF check. */
  const start = async (request: ItemRequest, reply: FastifyReply, needsAccount: boolean) => {
    const ctx = await kit.context(request, reply);
    const id = Number(request.params.id);
    const item = Number.isSafeInteger(id) && id > 0 ? await kit.site.items.get(id) : undefined;
    if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${request.params.id}`);
    if (needsAccount && !ctx.visitor.user) {
      reply.redirect(`/login?next=${encodeURIComponent(`/items/${id}`)}`, 303);
      return undefined;
    }
    checkCsrf(ctx.visitor, request.body?._csrf);
    return { ctx, id, user: ctx.visitor.user };
  };

  app.post('/items/:id/comments', async (request: ItemRequest, reply) => {
    const s = await start(request, reply, true);
    if (!s) return reply;
    limitAction(reply, { action: 'comments', user: s.user });
    const body = commentBody(request.body);
    const parentText = request.body?.parent?.trim();
    const parentId = parentText ? Number(parentText) : null;
    if (parentId !== null && !(Number.isSafeInteger(parentId) && parentId > 0))
      throw new SeedcastError('USAGE', 'parent: a comment number');
    const { id, rootId } = await community.addComment({ itemId: s.id, userId: s.user!.id, parentId, body });
    // A reply is shown with its thread, which may be on a later page than the newest threads.
    const page = parentId !== null && rootId !== undefined ? `?thread=${rootId}` : '';
    return reply.redirect(`/items/${s.id}${page}#comment-${id}`, 303);
  });

  // Edit and delete one comment (moderation, issue 15).
  type CommentRequest = FastifyRequest<{ Params: { id: string; commentId: string }; Body: Form }>;
  const commentId = (request: CommentRequest) => {
    const n = Number(request.params.commentId);
    if (!Number.isSafeInteger(n) || n < 1) throw new SeedcastError('NOT_FOUND', 'no such comment');
    return n;
  };
  app.post('/items/:id/comments/:commentId/edit', async (request: CommentRequest, reply) => {
    const s = await start(request, reply, true);
    if (!s) return reply;
    const id = commentId(request);
    await community.editComment({ itemId: s.id, id, actor: s.user!, body: commentBody(request.body) });
    return reply.redirect(`/items/${s.id}#comment-${id}`, 303);
  });
  app.post('/items/:id/comments/:commentId/delete', async (request: CommentRequest, reply) => {
    const s = await start(request, reply, true);
    if (!s) return reply;
    const id = commentId(request);
    await community.removeComment({ itemId: s.id, id, actor: s.user!, reason: request.body?.reason });
    return reply.redirect(`/items/${s.id}#comments`, 303);
  });

  app.post('/items/:id/favourite', async (request: ItemRequest, reply) => {
    const s = await start(request, reply, true);
    if (!s) return reply;
    limitAction(reply, { action: 'favourites', user: s.user });
    await community.setFavourite(s.user!.id, s.id, request.body?.favourite !== '0');
    return reply.redirect(`/items/${s.id}#favourite-form`, 303);
  });

  app.post('/items/:id/report', async (request: ItemRequest, reply) => {
    const s = await start(request, reply, false);
    if (!s) return reply;
    limitAction(reply, { action: 'reports', user: s.user });
    const reason = REPORT_REASONS.find((r) => r.value === request.body?.reason);
    if (!reason) throw new SeedcastError('USAGE', 'reason: choose one of the reasons');
    const details = (request.body?.details ?? '').trim().slice(0, MAX_DETAILS);
    await community.report({
      itemId: s.id,
      reporterId: s.user?.id ?? null,
      reason: details ? `${reason.label}: ${details}` : reason.label,
    });
    return reply.redirect(`/items/${s.id}?reported=1#report-sent`, 303);
  });
}
