/**
 * Login sessions for the site's pages: the cookie holds 32 random bytes (base64url); the database
 * holds only their SHA-256 as the session id, so a leaked database cannot be replayed as cookies.
 * Sessions expire, end on logout, and stop working when the account is disabled.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { toUser, type User } from './users.js';

const COOKIE = /^[A-Za-z0-9_-]{43}$/;
const DEFAULT_TTL = 30 * 24 * 3600 * 1000;

function idOf(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}

export class SessionRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number; ttlMs?: number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Starts a session; returns the cookie value (shown once) and when it expires. */
  async create(userId: number): Promise<{ cookie: string; expiresAt: number }> {
    const cookie = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + (this.options.ttlMs ?? DEFAULT_TTL);
    await this.db
      .insertInto('sessions')
      .values({ id: idOf(cookie), user_id: userId, created_at: now, expires_at: expiresAt })
      .execute();
    return { cookie, expiresAt };
  }

  /** The account behind a session cookie; TOKEN_INVALID when unknown, expired, ended or disabled. */
  async verify(cookie: unknown): Promise<User> {
    if (typeof cookie !== 'string' || !COOKIE.test(cookie)) throw new SeedcastError('TOKEN_INVALID');
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.expires_at',
        'users.id',
        'users.username',
        'users.role',
        'users.created_at',
        'users.disabled_at',
      ])
      .where('sessions.id', '=', idOf(cookie))
      .executeTakeFirst();
    if (!row || row.expires_at <= this.now() || row.disabled_at !== null)
      throw new SeedcastError('TOKEN_INVALID');
    return toUser(row);
  }

  /** Ends one session (logout). */
  async end(cookie: string): Promise<void> {
    if (typeof cookie !== 'string' || !COOKIE.test(cookie)) return;
    await this.db.deleteFrom('sessions').where('id', '=', idOf(cookie)).execute();
  }

  /** Ends every session of an account (password change, "log out everywhere"). */
  async endAll(userId: number): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('expires_at', '<=', this.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
