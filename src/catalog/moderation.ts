/**
 * Moderation: the audit log (who did what to which comment, account, item or report, when and why)
 * and disabling accounts. A disabled account (`users.disabled_at` set) cannot log in, and its
 * sessions and API tokens are refused from the next request on (`sessions.ts` and `tokens.ts` check
 * the column on every verification), so it cannot post; its published items stay until an admin
 * takes them down. Re-enabling brings back its password, sessions and tokens. Admin accounts cannot
 * be disabled (so the site cannot lose its last admin this way). Rows are kept, newest first; an
 * actor's name is stored with the entry so the log outlives the account.
 */

import type { Database, Role } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { text } from './item-input.js';
import { canModerate } from './roles.js';

export const MAX_REASON = 2000;

export type AuditAction =
  | 'comment.delete'
  | 'user.disable'
  | 'user.enable'
  | 'item.takedown'
  | 'item.restore'
  | 'report.resolve'
  // accounts (issue 19): an admin's one-time reset link; an account deleted (by its owner)
  | 'user.reset-link'
  | 'user.delete'
  | 'user.role';

export interface AuditEntry {
  id: number;
  actorId: number | null;
  actor: string;
  action: string;
  targetType: string;
  targetId: number | null;
  target: string;
  reason: string;
  createdAt: number;
}

export interface AuditInput {
  actor: { id: number; username: string };
  action: AuditAction;
  targetType: 'comment' | 'user' | 'item' | 'report';
  targetId: number | null;
  target?: string;
  reason?: string;
  at: number;
}

export interface DisabledAccount {
  id: number;
  username: string;
  disabledAt: number;
}

/** Writes one audit entry (inside the caller's transaction when given one). */
export async function recordAudit(db: Database, entry: AuditInput): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: entry.actor.id,
      actor: entry.actor.username,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      target: (entry.target ?? '').slice(0, 300),
      reason: (entry.reason ?? '').trim().slice(0, MAX_REASON),
      created_at: entry.at,
    })
    .execute();
}

export class ModerationRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async record(entry: Omit<AuditInput, 'at'>): Promise<void> {
    await recordAudit(this.db, { ...entry, at: this.now() });
  }

  /** Audit entries, newest first: `limit` (1 to 200, default 50) with ids below `before`. */
  async auditLog(
    options: { before?: number; limit?: number } = {},
  ): Promise<{ entries: AuditEntry[]; next: number | null }> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 50)), 200);
    let q = this.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (options.before !== undefined) q = q.where('id', '<', options.before);
    const rows = await q.execute();
    const entries = rows.slice(0, limit).map((r) => ({
      id: r.id,
      actorId: r.actor_id,
      actor: r.actor,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id === null ? null : Number(r.target_id),
      target: r.target,
      reason: r.reason,
      createdAt: r.created_at,
    }));
    return { entries, next: rows.length > limit ? entries[entries.length - 1]!.id : null };
  }

  /**
   * Disables or re-enables an account by username (case-insensitive) and records it. NOT_FOUND for
   * an unknown name, FORBIDDEN for an admin account; doing it twice changes nothing the second time.
   */
  async setDisabled(input: {
    actor: { id: number; username: string; role: Role };
    username: string;
    disabled: boolean;
    reason?: string;
  }): Promise<{ id: number; username: string; disabled: boolean }> {
    if (!canModerate(input.actor)) throw new SeedcastError('FORBIDDEN', 'admins and moderators only');
    const reason = text('reason', input.reason ?? '', MAX_REASON, { multiline: true });
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'role', 'disabled_at'])
      .where((eb) => eb(eb.fn('lower', ['username']), '=', input.username.toLowerCase()))
      .executeTakeFirst();
    if (!user) throw new SeedcastError('NOT_FOUND', `no account ${input.username}`);
    if (user.role === 'admin') throw new SeedcastError('FORBIDDEN', 'admin accounts cannot be disabled');
    if (user.role === 'moderator' && input.actor.role !== 'admin')
      throw new SeedcastError('FORBIDDEN', 'only an admin disables a moderator');
    const changed = input.disabled !== (user.disabled_at !== null);
    if (changed) {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .updateTable('users')
          .set({ disabled_at: input.disabled ? this.now() : null })
          .where('id', '=', user.id)
          .execute();
        await recordAudit(tx, {
          actor: input.actor,
          action: input.disabled ? 'user.disable' : 'user.enable',
          targetType: 'user',
          targetId: user.id,
          target: user.username,
          reason,
          at: this.now(),
        });
      });
    }
    return { id: user.id, username: user.username, disabled: input.disabled };
  }

  /** Disabled accounts, most recently disabled first (at most 500). */
  async disabledAccounts(): Promise<DisabledAccount[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'disabled_at'])
      .where('disabled_at', 'is not', null)
      .orderBy('disabled_at', 'desc')
      .limit(500)
      .execute();
    return rows.map((r) => ({ id: r.id, username: r.username, disabledAt: r.disabled_at! }));
  }
}
