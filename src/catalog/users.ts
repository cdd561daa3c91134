/**
 * Accounts: registration (the first account is the admin), password login and lookups. Usernames are
 * 2–32 characters of letters, digits, `_`, `.` and `-`, unique without regard to case; passwords are
 * stored as scrypt hashes (`passwords.ts`). A failed login says the same thing, and takes as long,
 * whether the username exists or not.
 */

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

  /** The account with this username and password; AUTH_FAILED otherwise (or when disabled). */
  async authenticate(input: { username: unknown; password: unknown }): Promise<User> {
    const username = typeof input.username === 'string' ? input.username : '';
    const password = typeof input.password === 'string' ? input.password : '';
    const row = USERNAME.test(username) ? await this.rowByName(username) : undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash(this.options.scrypt)));
    if (!row || !ok || row.disabled_at !== null) throw new SeedcastError('AUTH_FAILED');
    return toUser(row);
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
