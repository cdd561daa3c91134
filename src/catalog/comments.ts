/**
 * Threaded comments, stored so that any page of them costs the same however the threads are shaped.
 * A reply names its parent (a comment of the same item that is not deleted); each row keeps its
 * thread's top-level comment (`root_id`), its `depth`, and a `sort_key`: the 12-digit ids of the
 * ancestors it is shown under plus its own, at most `THREAD_LEVELS` of them. Past that level,
 * replies are shown flat (oldest first, "in reply to @x") under their level-4 ancestor, as Discourse
 * and Reddit do, so the key never grows with the chain. Pages are newest thread first, each thread
 * in reply order (`root_id desc, sort_key`), read from one index and continued by a cursor (the
 * last comment's key, ids joined by "."), so every comment is reachable and a page costs
 * O(page size). Authors edit and delete their own comments; admins delete any (recorded in the
 * audit log). A deleted comment with replies stays as "[deleted]" (body emptied) to keep its thread.
 */

import type { Database, Role } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { invalid, text } from './item-input.js';
import { recordAudit } from './moderation.js';
import { canModerate } from './roles.js';

export const MAX_COMMENT = 5000;
/** Levels shown nested (top level included); deeper replies are shown flat at the last one. */
export const THREAD_LEVELS = 5;
/** Comments per page (the API may ask for 1 to `MAX_PAGE`). */
export const COMMENT_PAGE = 50;
export const MAX_PAGE = 100;
const WIDTH = 12;

export interface Comment {
  id: number;
  itemId: number;
  parentId: number | null;
  /** The thread's top-level comment (its own id at the top). */
  rootId: number;
  /** Replies above it in its chain (0 at the top). */
  depth: number;
  /** The level it is shown at (0 to THREAD_LEVELS - 1) and the comment it is shown under. */
  level: number;
  shownUnder: number | null;
  userId: number;
  author: string;
  /** Author of the comment it answers (null at the top, or when that comment is deleted). */
  replyTo: string | null;
  body: string;
  createdAt: number;
  editedAt: number | null;
  /** Deleted but kept for its replies: the body is empty. */
  deleted: boolean;
}

export interface CommentPage {
  comments: Comment[];
  /** Cursor of the next (older) page, or null when this is the last. */
  next: string | null;
  /** Comments of the item, deleted placeholders included. */
  total: number;
}

/** Who acts on a comment. */
export interface Actor {
  id: number;
  username: string;
  role: Role;
}

function pad(id: number): string {
  return String(id).padStart(WIDTH, '0');
}

/** A reply's sort key: its parent's shown ancestors (at most THREAD_LEVELS - 1) and its own id. */
export function replyKey(parent: { sortKey: string; depth: number }, id: number): string {
  return parent.sortKey.slice(0, WIDTH * Math.min(parent.depth + 1, THREAD_LEVELS - 1)) + pad(id);
}

/** The ids in a sort key. */
export function keyIds(key: string): number[] {
  const ids: number[] = [];
  for (let i = 0; i + WIDTH <= key.length; i += WIDTH) ids.push(Number(key.slice(i, i + WIDTH)));
  return ids;
}

/** A page cursor ("12.40.41") to a sort key; ITEM_INVALID naming `after` when malformed. */
export function parseCursor(cursor: string): string {
  if (!/^\d{1,12}(\.\d{1,12}){0,4}$/.test(cursor)) invalid('after', 'a cursor from a previous page');
  return cursor
    .split('.')
    .map((s) => s.padStart(WIDTH, '0'))
    .join('');
}

export function cursorOf(key: string): string {
  return keyIds(key).join('.');
}

const COLUMNS = [
  'c.id',
  'c.item_id',
  'c.parent_id',
  'c.root_id',
  'c.depth',
  'c.sort_key',
  'c.user_id',
  'u.username',
  'pu.username as reply_to',
  'p.deleted_at as parent_deleted_at',
  'c.body',
  'c.created_at',
  'c.edited_at',
  'c.deleted_at',
] as const;

/** Deletes the comment if it has no replies; true when it did. */
async function removeLeaf(db: Database, id: number): Promise<boolean> {
  const gone = await db
    .deleteFrom('comments')
    .where('id', '=', id)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('comments as r').select('r.id').where('r.parent_id', '=', id))),
    )
    .executeTakeFirst();
  return Number(gone.numDeletedRows) > 0;
}

type CommentRow = Awaited<ReturnType<ReturnType<CommentRepository['rows']>['execute']>>[number];

export class CommentRepository {
  constructor(
    protected readonly db: Database,
    protected readonly options: { now?: () => number } = {},
  ) {}

  protected now(): number {
    return (this.options.now ?? Date.now)();
  }

  protected rows(itemId: number) {
    return this.db
      .selectFrom('comments as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .leftJoin('comments as p', 'p.id', 'c.parent_id')
      .leftJoin('users as pu', 'pu.id', 'p.user_id')
      .select(COLUMNS)
      .where('c.item_id', '=', itemId);
  }

  /**
   * One page of an item's comments: newest thread first, each thread in reply order, `limit`
   * comments (default 50, at most 100) after the cursor `after` (a page's `next`), or from the
   * start of the thread whose top-level comment is `thread` (where a new reply is shown).
   */
  async commentPage(
    itemId: number,
    options: { after?: string; thread?: number; limit?: number } = {},
  ): Promise<CommentPage> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? COMMENT_PAGE)), MAX_PAGE);
    let rows: CommentRow[];
    if (options.after === undefined) {
      let q = this.rows(itemId);
      if (options.thread !== undefined) q = q.where('c.root_id', '<=', options.thread);
      rows = await q
        .orderBy('c.root_id', 'desc')
        .orderBy('c.sort_key')
        .limit(limit + 1)
        .execute();
    } else {
      // Two index ranges: the rest of the cursor's thread, then the older threads.
      const key = parseCursor(options.after);
      const root = keyIds(key)[0]!;
      rows = await this.rows(itemId)
        .where('c.root_id', '=', root)
        .where('c.sort_key', '>', key)
        .orderBy('c.sort_key')
        .limit(limit + 1)
        .execute();
      if (rows.length <= limit) {
        const older = await this.rows(itemId)
          .where('c.root_id', '<', root)
          .orderBy('c.root_id', 'desc')
          .orderBy('c.sort_key')
          .limit(limit + 1 - rows.length)
          .execute();
        rows = [...rows, ...older];
      }
    }
    const total = await this.db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return {
      comments: shown.map((r) => {
        const ids = keyIds(r.sort_key ?? pad(r.id));
        return {
          id: r.id,
          itemId: r.item_id,
          parentId: r.parent_id,
          rootId: r.root_id ?? r.id,
          depth: r.depth,
          level: ids.length - 1,
          shownUnder: ids.length > 1 ? ids[ids.length - 2]! : null,
          userId: r.user_id,
          author: r.username,
          replyTo: r.parent_deleted_at === null ? (r.reply_to ?? null) : null,
          body: r.body,
          createdAt: r.created_at,
          editedAt: r.edited_at,
          deleted: r.deleted_at !== null,
        };
      }),
      next: rows.length > limit && last?.sort_key ? cursorOf(last.sort_key) : null,
      total: Number(total.n),
    };
  }

  /** Adds a comment (1 to 5,000 characters; `parentId` a live comment of the same item, or null). */
  async addComment(input: {
    itemId: number;
    userId: number;
    parentId: number | null;
    body: string;
  }): Promise<{ id: number; rootId: number }> {
    const body = text('body', input.body, MAX_COMMENT, { multiline: true });
    if (body === '') invalid('body', 'required');
    const parentId = input.parentId ?? null;
    return this.db.transaction().execute(async (tx) => {
      const author = await tx
        .selectFrom('users')
        .select('disabled_at')
        .where('id', '=', input.userId)
        .executeTakeFirst();
      if (!author) throw new SeedcastError('NOT_FOUND', 'no such account');
      if (author.disabled_at !== null) throw new SeedcastError('FORBIDDEN', 'this account is disabled');
      const parent =
        parentId === null
          ? undefined
          : await tx
              .selectFrom('comments')
              .select(['item_id', 'root_id', 'depth', 'sort_key', 'deleted_at'])
              .where('id', '=', Number.isSafeInteger(parentId) ? parentId : -1)
              .executeTakeFirst();
      if (parentId !== null && (parent?.item_id !== input.itemId || parent.deleted_at !== null))
        invalid('parent', 'not a comment of this item');
      const item = await tx
        .selectFrom('items')
        .select('id')
        .where('id', '=', input.itemId)
        .executeTakeFirst();
      if (!item) throw new SeedcastError('NOT_FOUND', 'no such item');
      const { id } = await tx
        .insertInto('comments')
        .values({
          item_id: input.itemId,
          user_id: input.userId,
          parent_id: parentId,
          root_id: parent?.root_id ?? null,
          depth: parent ? parent.depth + 1 : 0,
          body,
          created_at: this.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const sortKey = parent
        ? replyKey({ sortKey: parent.sort_key ?? '', depth: parent.depth }, id)
        : pad(id);
      const rootId = parent?.root_id ?? id;
      await tx
        .updateTable('comments')
        .set({ sort_key: sortKey, root_id: rootId })
        .where('id', '=', id)
        .execute();
      return { id, rootId };
    });
  }

  /** The comment, when it belongs to `itemId` and is not deleted; NOT_FOUND otherwise. */
  private async live(itemId: number, id: number) {
    const row = await this.db
      .selectFrom('comments as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select(['c.id', 'c.item_id', 'c.parent_id', 'c.user_id', 'u.username', 'c.body', 'c.deleted_at'])
      .where('c.id', '=', Number.isSafeInteger(id) ? id : -1)
      .executeTakeFirst();
    if (row?.item_id !== itemId || row.deleted_at !== null)
      throw new SeedcastError('NOT_FOUND', `no comment ${id} on item ${itemId}`);
    return row;
  }

  /** Changes a comment's body: its author only (FORBIDDEN for anyone else); marks it edited. */
  async editComment(input: { itemId: number; id: number; actor: Actor; body: string }): Promise<void> {
    const body = text('body', input.body, MAX_COMMENT, { multiline: true });
    if (body === '') invalid('body', 'required');
    const row = await this.live(input.itemId, input.id);
    if (row.user_id !== input.actor.id)
      throw new SeedcastError('FORBIDDEN', 'only its author edits a comment');
    await this.db
      .updateTable('comments')
      .set({ body, edited_at: this.now() })
      .where('id', '=', row.id)
      .execute();
  }

  /**
   * Deletes a comment: its author or an admin (FORBIDDEN for anyone else). Without replies the row
   * goes (and so do deleted placeholders above it left without replies); with replies it stays as
   * "[deleted]" with an empty body. An admin deleting someone else's
   * comment is recorded in the audit log (with `reason`).
   */
  async removeComment(input: {
    itemId: number;
    id: number;
    actor: Actor;
    reason?: string;
  }): Promise<{ kept: boolean }> {
    const row = await this.live(input.itemId, input.id);
    const own = row.user_id === input.actor.id;
    if (!own && !canModerate(input.actor))
      throw new SeedcastError('FORBIDDEN', 'only its author or an admin deletes a comment');
    return this.db.transaction().execute(async (tx) => {
      const kept = !(await removeLeaf(tx, row.id));
      if (kept)
        await tx
          .updateTable('comments')
          .set({ body: '', deleted_at: this.now() })
          .where('id', '=', row.id)
          .execute();
      // Placeholders above it that this leaves without replies go too.
      for (let up = kept ? null : row.parent_id; up !== null; ) {
        const parent = await tx
          .selectFrom('comments')
          .select(['parent_id', 'deleted_at'])
          .where('id', '=', up)
          .executeTakeFirst();
        if (parent?.deleted_at == null || !(await removeLeaf(tx, up))) break;
        up = parent.parent_id;
      }
      if (!own) {
        await recordAudit(tx, {
          actor: input.actor,
          action: 'comment.delete',
          targetType: 'comment',
          targetId: row.id,
          target: `item ${input.itemId}, by ${row.username}: ${row.body.slice(0, 200)}`,
          reason: input.reason,
          at: this.now(),
        });
      }
      return { kept };
    });
  }
}
