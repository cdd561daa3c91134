/**
 * Accounts: registration (the first account is the admin), password login and lookups. Usernames are
 * 2–32 characters of letters, digits, `_`, `.` and `-`, unique without regard to case; passwords are
 * stored as scrypt hashes (`passwords.ts`). A failed login says the same thing, and takes as long,
 * whether the username exists or not.
 *
 * Lockout: `lockout.max` wrong passwords for one account within `lockout.timeWindow`, from any
 * addresses, lock its password logins for `timeWindow` (AUTH_LOCKED). Attempts while locked are
 * refused without checking the password and are not counted, so the lock never grows: an attacker
 * must keep guessing to keep it shut, which the per-address failure limit slows down. The lock does
 * not apply to the address of the account's last good login (its owner, at home), and sessions and
 * API tokens already issued keep working. A good login clears the count.
 */

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { constraintKind, type Database, databaseKind, type Role, type UserRow } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { checkPassword, decoyHash, hashPassword, type ScryptCost, verifyPassword } from './passwords.js';

export interface User {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

export interface UserRepositoryOptions {
  /** scrypt cost for new hashes (tests lower it; production keeps the default). */
  scrypt?: ScryptCost;
  now?: () => number;
  /** Failed logins of one account within `timeWindow` ms that lock it for `timeWindow` (null: never). */
  lockout?: { max: number; timeWindow: number } | null;
}

/** Where a login comes from: the client address as the site counts it (`addressKey`). */
export interface LoginSource {
  address?: string;
}

const DEFAULT_LOCKOUT = { max: 10, timeWindow: 15 * 60_000 };

function addressHash(userId: number, address: string): string {
  return createHash('sha256').update(`${userId}\0${address}`).digest('hex');
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$/;

/** Throws USER_INVALID unless `username` is acceptable; returns it. */
export function checkUsername(username: unknown): string {
  if (typeof username !== 'string' || username.length === 0)
    throw new SeedcastError('USER_INVALID', 'username: required');
  if (!USERNAME.test(username)) {
    throw new SeedcastError(
      'USER_INVALID',
      'username: 2 to 32 letters, digits, "_", "." or "-", starting with a letter or digit',
    );
  }
  return username;
}

export function toUser(row: Pick<UserRow, 'id' | 'username' | 'role' | 'created_at' | 'disabled_at'>): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    createdAt: row.created_at,
    disabled: row.disabled_at !== null,
  };
}

export class UserRepository {
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly options: UserRepositoryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Creates an account; the very first one becomes the admin. */
  async register(input: { username: unknown; password: unknown }): Promise<User> {
    const username = checkUsername(input.username);
    const passwordHash = await hashPassword(checkPassword(input.password), this.options.scrypt);
    try {
      const row = await this.db.transaction().execute(async (tx) => {
        // Serialise registrations on PostgreSQL so two "first" users cannot both become admin
        // (SQLite already allows one writer at a time).
        if (databaseKind(this.db) === 'postgres')
          await sql`lock table users in share row exclusive mode`.execute(tx);
        const someone = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
        return tx
          .insertInto('users')
          .values({
            username,
            password_hash: passwordHash,
            role: someone ? 'user' : 'admin',
            created_at: this.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return toUser(row);
    } catch (err) {
      if (constraintKind(err) === 'unique') throw new SeedcastError('USER_EXISTS', username);
      throw err;
    }
  }

  /**
   * The account with this username and password; AUTH_FAILED otherwise (or when disabled),
   * AUTH_LOCKED while the account is locked (see the module comment).
   */
  async authenticate(
    input: { username: unknown; password: unknown },
    source: LoginSource = {},
  ): Promise<User> {
    const username = typeof input.username === 'string' ? input.username : '';
    const password = typeof input.password === 'string' ? input.password : '';
    const row = USERNAME.test(username) ? await this.rowByName(username) : undefined;
    if (row) this.refuseWhileLocked(row, source);
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash(this.options.scrypt)));
    if (!row || row.disabled_at !== null) throw new SeedcastError('AUTH_FAILED');
    if (!ok) {
      await this.countFailure(row.id);
      throw new SeedcastError('AUTH_FAILED');
    }
    // Registered while the site asked for approval (issue 19): no login nor token until approved.
    if (row.pending_since !== null)
      throw new SeedcastError('ACCOUNT_PENDING', 'an admin has not approved it yet');
    await this.db
      .updateTable('users')
      .set({
        login_failures: 0,
        login_failures_since: null,
        locked_until: null,
        ...(source.address ? { login_address: addressHash(row.id, source.address) } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    return toUser(row);
  }

  /**
   * Replaces the password of account `id` after checking its current one (AUTH_FAILED, counted
   * towards the lockout, when wrong; USER_INVALID naming `password` when the new one is too weak).
   * Ending its sessions and tokens is the caller's part.
   */
  async changePassword(
    id: number,
    input: { current: unknown; password: unknown },
    source: LoginSource = {},
  ): Promise<void> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.disabled_at !== null) throw new SeedcastError('AUTH_FAILED');
    this.refuseWhileLocked(row, source);
    const current = typeof input.current === 'string' ? input.current : '';
    if (!(await verifyPassword(current, row.password_hash))) {
      await this.countFailure(row.id);
      throw new SeedcastError('AUTH_FAILED', 'the current password is wrong');
    }
    const hash = await hashPassword(checkPassword(input.password), this.options.scrypt);
    await this.db
      .updateTable('users')
      .set({ password_hash: hash, login_failures: 0, login_failures_since: null, locked_until: null })
      .where('id', '=', id)
      .execute();
  }

  private get lockout() {
    return this.options.lockout === undefined ? DEFAULT_LOCKOUT : this.options.lockout;
  }

  private refuseWhileLocked(row: UserRow, source: LoginSource): void {
    const until = row.locked_until;
    if (until === null || until <= this.now()) return;
    if (source.address && row.login_address === addressHash(row.id, source.address)) return;
    const minutes = Math.max(1, Math.ceil((until - this.now()) / 60_000));
    throw new SeedcastError('AUTH_LOCKED', `try again in ${minutes} min`);
  }

  /** One more wrong password for account `id`: counted in the window, locking it at the limit. */
  private async countFailure(id: number): Promise<void> {
    const lockout = this.lockout;
    if (!lockout) return;
    const now = this.now();
    const windowStart = now - lockout.timeWindow;
    const fresh = sql<boolean>`login_failures_since is null or login_failures_since <= ${windowStart}`;
    const row = await this.db
      .updateTable('users')
      .set({
        login_failures: sql`case when ${fresh} then 1 else login_failures + 1 end`,
        login_failures_since: sql`case when ${fresh} then ${now} else login_failures_since end`,
      })
      .where('id', '=', id)
      .returning('login_failures')
      .executeTakeFirst();
    if (row && row.login_failures >= lockout.max) {
      await this.db
        .updateTable('users')
        .set({ locked_until: now + lockout.timeWindow, login_failures: 0, login_failures_since: null })
        .where('id', '=', id)
        .execute();
    }
  }

  async byId(id: number): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async byName(username: string): Promise<User | undefined> {
    const row = await this.rowByName(username);
    return row ? toUser(row) : undefined;
  }

  async setRole(id: number, role: Role): Promise<void> {
    await this.db.updateTable('users').set({ role }).where('id', '=', id).execute();
  }

  async setDisabled(id: number, disabled: boolean): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ disabled_at: disabled ? this.now() : null })
      .where('id', '=', id)
      .execute();
  }

  private rowByName(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();
  }
}
