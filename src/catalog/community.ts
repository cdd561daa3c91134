/**
 * What people add to items: threaded comments (a reply names its parent, which must be a comment of
 * the same item), favourites (one per account and item) and reports to the admins (open until
 * resolved). Implements the pages' `Community` port; the API routes use it too. Checks its input:
 * refusals are ITEM_INVALID naming the field.
 */

import { constraintKind, type Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { invalid, text } from './item-input.js';

export const MAX_COMMENT = 5000;
export const MAX_REPORT = 2000;

export interface Comment {
  id: number;
  itemId: number;
  parentId: number | null;
  userId: number;
  author: string;
  body: string;
  createdAt: number;
}

export interface Report {
  id: number;
  itemId: number;
  itemTitle: string;
  reporter: string | null;
  reason: string;
  createdAt: number;
  resolvedAt: number | null;
}

/** Comments in thread order: each followed by its replies (oldest first), with its depth. */
export function threadOrder(comments: readonly Comment[]): (Comment & { depth: number })[] {
  const children = new Map<number | null, Comment[]>();
  const ids = new Set(comments.map((c) => c.id));
  for (const c of [...comments].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)) {
    const parent = c.parentId !== null && ids.has(c.parentId) ? c.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  const out: (Comment & { depth: number })[] = [];
  const visit = (parent: number | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      out.push({ ...c, depth });
      visit(c.id, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}

export class CommunityRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** An item's comments, oldest first (at most 2,000), with their authors' names. */
  async comments(itemId: number): Promise<Comment[]> {
    const rows = await this.db
      .selectFrom('comments')
      .innerJoin('users', 'users.id', 'comments.user_id')
      .select([
        'comments.id',
        'comments.item_id',
        'comments.parent_id',
        'comments.user_id',
        'users.username',
        'comments.body',
        'comments.created_at',
      ])
      .where('comments.item_id', '=', itemId)
      .orderBy('comments.created_at')
      .orderBy('comments.id')
      .limit(2000)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      itemId: r.item_id,
      parentId: r.parent_id,
      userId: r.user_id,
      author: r.username,
      body: r.body,
      createdAt: r.created_at,
    }));
  }

  /** Adds a comment (1 to 5,000 characters; `parentId` a comment of the same item, or null). */
  async addComment(input: {
    itemId: number;
    userId: number;
    parentId: number | null;
    body: string;
  }): Promise<{ id: number }> {
    const body = text('body', input.body, MAX_COMMENT, { multiline: true });
    if (body === '') invalid('body', 'required');
    const parentId = input.parentId ?? null;
    if (parentId !== null) {
      const parent = await this.db
        .selectFrom('comments')
        .select('item_id')
        .where('id', '=', Number.isSafeInteger(parentId) ? parentId : -1)
        .executeTakeFirst();
      if (parent?.item_id !== input.itemId) invalid('parent', 'not a comment of this item');
    }
    try {
      return await this.db
        .insertInto('comments')
        .values({
          item_id: input.itemId,
          user_id: input.userId,
          parent_id: parentId,
          body,
          created_at: this.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (constraintKind(err) === 'foreign_key')
        throw new SeedcastError('NOT_FOUND', 'no such item or account');
      throw err;
    }
  }

  /** Deletes a comment (and its replies). */
  async deleteComment(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('comments').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async setFavourite(userId: number, itemId: number, on: boolean): Promise<void> {
    if (!on) {
      await this.db
        .deleteFrom('favourites')
        .where('user_id', '=', userId)
        .where('item_id', '=', itemId)
        .execute();
      return;
    }
    try {
      await this.db
        .insertInto('favourites')
        .values({ user_id: userId, item_id: itemId, created_at: this.now() })
        .onConflict((oc) => oc.columns(['user_id', 'item_id']).doNothing())
        .execute();
    } catch (err) {
      if (constraintKind(err) === 'foreign_key')
        throw new SeedcastError('NOT_FOUND', 'no such item or account');
      throw err;
    }
  }

  /** How many accounts favour the item, and whether `userId` is one of them. */
  async favourites(itemId: number, userId: number | undefined): Promise<{ count: number; mine: boolean }> {
    const row = await this.db
      .selectFrom('favourites')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('n'),
        eb.fn
          .sum<number | string | null>(
            eb
              .case()
              .when('user_id', '=', userId ?? -1)
              .then(1)
              .else(0)
              .end(),
          )
          .as('mine'),
      ])
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    return { count: Number(row.n), mine: Number(row.mine ?? 0) > 0 };
  }

  /** Ids of the ready items an account favours, most recently favoured first. */
  async favouriteItemIds(
    userId: number,
    options: { limit?: number; offset?: number } = {},
  ): Promise<number[]> {
    const rows = await this.db
      .selectFrom('favourites')
      .innerJoin('items', 'items.id', 'favourites.item_id')
      .select('favourites.item_id')
      .where('favourites.user_id', '=', userId)
      .where('items.status', '=', 'ready')
      .orderBy('favourites.created_at', 'desc')
      .orderBy('favourites.item_id', 'desc')
      .limit(Math.min(Math.max(1, options.limit ?? 50), 100))
      .offset(Math.max(0, options.offset ?? 0))
      .execute();
    return rows.map((r) => r.item_id);
  }

  /** Files a report (reason: 1 to 2,000 characters). */
  async report(input: { itemId: number; reporterId: number | null; reason: string }): Promise<void> {
    await this.fileReport(input);
  }

  /** Files a report and returns its id. */
  async fileReport(input: {
    itemId: number;
    reporterId: number | null;
    reason: string;
  }): Promise<{ id: number }> {
    const reason = text('reason', input.reason, MAX_REPORT, { multiline: true });
    if (reason === '') invalid('reason', 'required');
    try {
      return await this.db
        .insertInto('reports')
        .values({ item_id: input.itemId, reporter_id: input.reporterId, reason, created_at: this.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (constraintKind(err) === 'foreign_key') throw new SeedcastError('NOT_FOUND', 'no such item');
      throw err;
    }
  }

  /** Reports not yet resolved, oldest first (at most 500). */
  async openReports(): Promise<Report[]> {
    const rows = await this.db
      .selectFrom('reports')
      .innerJoin('items', 'items.id', 'reports.item_id')
      .leftJoin('users', 'users.id', 'reports.reporter_id')
      .select([
        'reports.id',
        'reports.item_id',
        'items.title',
        'users.username',
        'reports.reason',
        'reports.created_at',
        'reports.resolved_at',
      ])
      .where('reports.resolved_at', 'is', null)
      .orderBy('reports.created_at')
      .orderBy('reports.id')
      .limit(500)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      itemId: r.item_id,
      itemTitle: r.title,
      reporter: r.username ?? null,
      reason: r.reason,
      createdAt: r.created_at,
      resolvedAt: r.resolved_at,
    }));
  }

  /** Marks a report resolved (nothing happens when it is not open). */
  async resolveReport(id: number): Promise<void> {
    await this.resolveOpenReport(id);
  }

  /** Marks a report resolved; false when there is no open report with this id. */
  async resolveOpenReport(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('reports')
      .set({ resolved_at: this.now() })
      .where('id', '=', id)
      .where('resolved_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
