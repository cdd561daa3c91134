/**
 * What people add to items: threaded comments (`comments.ts`: pages, edit, delete), favourites (one
 * per account and item) and reports to the admins (open until resolved; resolving one is recorded
 * in the audit log when an admin is named). Implements the pages' `Community` port; the API routes
 * use it too. Checks its input: refusals are ITEM_INVALID naming the field.
 */

import { constraintKind } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { type Actor, CommentRepository } from './comments.js';
import { invalid, text } from './item-input.js';
import { recordAudit } from './moderation.js';

export const MAX_REPORT = 2000;

export interface Report {
  id: number;
  itemId: number;
  itemTitle: string;
  reporter: string | null;
  reason: string;
  createdAt: number;
  resolvedAt: number | null;
}

export class CommunityRepository extends CommentRepository {
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

  /** Marks a report resolved (nothing happens when it is not open); recorded when `actor` is given. */
  async resolveReport(id: number, actor?: Actor): Promise<void> {
    await this.resolveOpenReport(id, actor);
  }

  /** Marks a report resolved; false when there is no open report with this id. */
  async resolveOpenReport(id: number, actor?: Actor): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('reports')
        .set({ resolved_at: this.now() })
        .where('id', '=', id)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      const done = Number(result.numUpdatedRows) > 0;
      if (done && actor) {
        const report = await tx
          .selectFrom('reports')
          .select(['item_id', 'reason'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        await recordAudit(tx, {
          actor,
          action: 'report.resolve',
          targetType: 'report',
          targetId: id,
          target: `item ${report.item_id}: ${report.reason.slice(0, 200)}`,
          at: this.now(),
        });
      }
      return done;
    });
  }
}
