/**
 * The site admin's side of accounts (issue 19): registering under the site's registration mode
 * (open; closed; by single-use invite code; or awaiting an admin's approval, `pending_since` set),
 * the first account always going through and becoming the admin whatever the mode; invite codes
 * (stored as SHA-256 hashes; the code is shown once); the admin's paged user list with search; and
 * changing an account's role, disabled state, quota or approval, never leaving the site without an
 * active admin (LAST_ADMIN, 409). Whether any account exists is cached once true (it never flips back).
 */

import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { type Database, escapeLike, type Role, type UserRow } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { recordAudit } from './moderation.js';
import { QuotaRepository } from './quota.js';
import type { SiteSettings } from './site-settings.js';
import type { User, UserRepository } from './users.js';

export const ADMIN_PAGE_SIZE = 50;

export interface AdminUserRow {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
  /** Waiting for approval since (ms), or null. */
  pendingSince: number | null;
  /** Own quota in bytes, null: none, 'default': the site's default. */
  quota: number | null | 'default';
}

export interface AdminUserPatch {
  role?: Role;
  disabled?: boolean;
  /** Bytes; null: no quota; 'default': the site's default. */
  quotaBytes?: number | null | 'default';
  /** true approves a pending account; false rejects it (deletes it while still pending). */
  approved?: boolean;
}

const hashCode = (code: string) => createHash('sha256').update(code.trim()).digest('hex');

export class SiteAccounts {
  private someone = false;
  private readonly quotas: QuotaRepository;

  constructor(
    private readonly db: Database,
    private readonly parts: { users: UserRepository; settings?: SiteSettings; now?: () => number },
  ) {
    this.quotas = new QuotaRepository(db);
  }

  /** True once any account exists (cached from then on: it never becomes false again). */
  async anyAccount(): Promise<boolean> {
    if (this.someone) return true;
    const row = await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    this.someone = row !== undefined;
    return this.someone;
  }

  /**
   * Registers under the site's mode. The first account always works (it is the admin). Closed:
   * REGISTRATION_CLOSED; invite: INVITE_INVALID unless `invite` is an unused code (used up by this
   * account); approval: the account is created pending (it cannot log in until approved).
   */
  async register(input: {
    username: unknown;
    password: unknown;
    invite?: unknown;
  }): Promise<User & { pending: boolean }> {
    const mode = (await this.parts.settings?.profile())?.registration ?? 'open';
    const first = !(await this.anyAccount());
    let inviteHash: string | undefined;
    if (!first && mode === 'closed') throw new SeedcastError('REGISTRATION_CLOSED');
    if (!first && mode === 'invite') {
      const code = typeof input.invite === 'string' ? input.invite : '';
      inviteHash = hashCode(code);
      const invite = code
        ? await this.db
            .selectFrom('invites')
            .selectAll()
            .where('code_hash', '=', inviteHash)
            .executeTakeFirst()
        : undefined;
      if (
        !invite ||
        invite.used_at !== null ||
        (invite.expires_at !== null && invite.expires_at < this.now())
      )
        throw new SeedcastError('INVITE_INVALID', 'invite: missing, used or unknown code');
    }
    const user = await this.parts.users.register(input);
    this.someone = true;
    if (user.role === 'admin') return { ...user, pending: false };
    if (inviteHash) {
      const used = await this.db
        .updateTable('invites')
        .set({ used_by: user.id, used_at: this.now() })
        .where('code_hash', '=', inviteHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) {
        // Another registration used the code at the same moment: this one does not count.
        await this.db.deleteFrom('users').where('id', '=', user.id).execute();
        throw new SeedcastError('INVITE_INVALID', 'invite: this code was just used');
      }
    }
    if (mode === 'approval') {
      await this.db
        .updateTable('users')
        .set({ pending_since: this.now() })
        .where('id', '=', user.id)
        .execute();
      return { ...user, pending: true };
    }
    return { ...user, pending: false };
  }

  /** A new single-use invite code (shown once; only its hash is kept). */
  async createInvite(actor: { id: number }, options: { ttlMs?: number } = {}): Promise<{ code: string }> {
    const code = randomBytes(12).toString('base64url');
    await this.db
      .insertInto('invites')
      .values({
        code_hash: hashCode(code),
        created_by: actor.id,
        created_at: this.now(),
        expires_at: options.ttlMs ? this.now() + options.ttlMs : null,
        used_by: null,
        used_at: null,
      })
      .execute();
    return { code };
  }

  /** Invites, newest first (without their codes). */
  async invites(): Promise<
    { createdAt: number; createdBy: string; usedBy: string | null; usedAt: number | null }[]
  > {
    const rows = await this.db
      .selectFrom('invites')
      .leftJoin('users as c', 'c.id', 'invites.created_by')
      .leftJoin('users as u', 'u.id', 'invites.used_by')
      .select(['invites.created_at', 'invites.used_at', 'c.username as creator', 'u.username as user'])
      .orderBy('invites.created_at', 'desc')
      .limit(100)
      .execute();
    return rows.map((r) => ({
      createdAt: r.created_at,
      createdBy: r.creator ?? '',
      usedBy: r.user ?? null,
      usedAt: r.used_at,
    }));
  }

  /** A page (1-based) of accounts, names containing `q` (case-insensitive), pending ones first. */
  async list(
    options: { q?: string; page?: number } = {},
  ): Promise<{ users: AdminUserRow[]; total: number; page: number; pages: number }> {
    const page = Math.max(1, Math.floor(options.page ?? 1));
    const q = (options.q ?? '').trim().toLowerCase().slice(0, 64);
    let base = this.db.selectFrom('users');
    if (q) base = base.where(sql<string>`lower(username)`, 'like', `%${escapeLike(q)}%`);
    const total = Number(
      (await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0,
    );
    const rows = await base
      .select(['id', 'username', 'role', 'created_at', 'disabled_at', 'pending_since', 'quota_bytes'])
      .orderBy(sql`case when pending_since is null then 1 else 0 end`)
      .orderBy(sql`lower(username)`)
      .limit(ADMIN_PAGE_SIZE)
      .offset((page - 1) * ADMIN_PAGE_SIZE)
      .execute();
    const users: AdminUserRow[] = [];
    for (const r of rows) users.push(await this.adminRow(r));
    return { users, total, page, pages: Math.max(1, Math.ceil(total / ADMIN_PAGE_SIZE)) };
  }

  /** One account's row, or NOT_FOUND. */
  async row(username: string): Promise<AdminUserRow> {
    const r = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'role', 'created_at', 'disabled_at', 'pending_since'])
      .where(sql<string>`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();
    if (!r) throw new SeedcastError('NOT_FOUND', `no account ${username}`);
    return this.adminRow(r);
  }

  /** A `users` row as the admin's users page shows it, with the account's quota. */
  private async adminRow(
    r: Pick<UserRow, 'id' | 'username' | 'role' | 'created_at' | 'disabled_at' | 'pending_since'>,
  ): Promise<AdminUserRow> {
    return {
      id: r.id,
      username: r.username,
      role: r.role,
      createdAt: r.created_at,
      disabled: r.disabled_at !== null,
      pendingSince: r.pending_since,
      quota: toQuota(await this.quotas.quotaOf(r.id)),
    };
  }

  /**
   * An admin changes an account. Roles: admin, moderator, user; the last active admin can be neither
   * demoted nor disabled (LAST_ADMIN). Rejecting (`approved: false`) a pending account deletes it;
   * the answer is then undefined. Each change is recorded in the audit log.
   */
  async update(
    actor: { id: number; username: string; role: Role },
    username: string,
    patch: AdminUserPatch,
  ): Promise<AdminUserRow | undefined> {
    if (actor.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'admins only');
    const target = await this.row(username);
    if (patch.role !== undefined && !['admin', 'moderator', 'user'].includes(patch.role))
      throw new SeedcastError('USER_INVALID', 'role: admin, moderator or user');
    const losesAdmin =
      target.role === 'admin' &&
      ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin) {
      const admins = await this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .where('id', '!=', target.id)
        .executeTakeFirst();
      if (Number(admins?.n ?? 0) === 0)
        throw new SeedcastError('LAST_ADMIN', `${target.username} is the only admin`);
    }
    const audit = (action: string, reason = '') =>
      recordAudit(this.db, {
        actor,
        action: action as never,
        targetType: 'user',
        targetId: target.id,
        target: target.username,
        reason,
        at: this.now(),
      });
    if (patch.approved === false && target.pendingSince !== null) {
      await this.db.deleteFrom('users').where('id', '=', target.id).execute();
      return undefined;
    }
    if (patch.approved === true && target.pendingSince !== null)
      await this.db.updateTable('users').set({ pending_since: null }).where('id', '=', target.id).execute();
    if (patch.role !== undefined && patch.role !== target.role) {
      await this.parts.users.setRole(target.id, patch.role);
      await audit('user.role', `${target.role} -> ${patch.role}`);
    }
    if (patch.disabled !== undefined && patch.disabled !== target.disabled) {
      await this.parts.users.setDisabled(target.id, patch.disabled);
      await audit(patch.disabled ? 'user.disable' : 'user.enable');
    }
    if (patch.quotaBytes !== undefined) {
      const q = patch.quotaBytes;
      if (q !== null && q !== 'default' && (!Number.isSafeInteger(q) || q < 0))
        throw new SeedcastError('USER_INVALID', 'quotaBytes: a whole number of bytes, null or "default"');
      await this.quotas.setQuota(target.id, q === null ? 'none' : q);
    }
    return this.row(target.username);
  }

  private now(): number {
    return (this.parts.now ?? Date.now)();
  }
}

function toQuota(q: 'default' | 'none' | number): number | null | 'default' {
  return q === 'none' ? null : q;
}
