/**
 * One-time account tokens (table `account_tokens`): a password reset (mailed, or a link an admin
 * made) or an email address to verify. A token is 32 random bytes shown once as base64url (43
 * characters); only its SHA-256 is stored, so a leaked database holds no usable link. A `reset`
 * token lasts an hour, a `verify-email` token a day. Issuing a token revokes the account's unused
 * ones of the same purpose (marked used, so they still count towards the per-account mail limit);
 * consuming one is a single conditional UPDATE (`used_at is null and expires_at > now`), so two
 * requests racing with the same token cannot both succeed.
 *
 * A password reset sets the new password (scrypt, `passwords.ts`), clears the login lockout and ends
 * every session of the account, in one transaction with consuming the token. API tokens are kept:
 * they are credentials the owner made on purpose (scripts, the CLI) and a forgotten password says
 * nothing about them being leaked; `/account` lists them for revoking.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { AccountTokenPurpose, Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { checkPassword, hashPassword, type ScryptCost } from './passwords.js';

export const TOKEN_TTL: Readonly<Record<AccountTokenPurpose, number>> = Object.freeze({
  reset: 3_600_000,
  'verify-email': 24 * 3_600_000,
});

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function accountTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssuedToken {
  /** The token itself: shown (or mailed) once, never stored. */
  token: string;
  expiresAt: number;
}

export interface ConsumedToken {
  userId: number;
  /** The address being verified (`verify-email`), else null. */
  email: string | null;
}

export interface AccountTokenOptions {
  now?: () => number;
  /** scrypt cost for the new password of a reset (tests lower it). */
  scrypt?: ScryptCost;
}

const invalid = () =>
  new SeedcastError('ACCOUNT_TOKEN_INVALID', 'token: this link is unknown, already used or expired');

export class AccountTokenRepository {
  constructor(
    private readonly db: Database,
    private readonly options: AccountTokenOptions = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * A new token of `purpose` for account `userId` (with the address to verify for `verify-email`);
   * the account's unused tokens of that purpose stop working.
   */
  async issue(
    userId: number,
    purpose: AccountTokenPurpose,
    options: { email?: string } = {},
  ): Promise<IssuedToken> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + TOKEN_TTL[purpose];
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('account_tokens')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .execute();
      await tx
        .insertInto('account_tokens')
        .values({
          token_hash: accountTokenHash(token),
          user_id: userId,
          purpose,
          email: purpose === 'verify-email' ? (options.email ?? null) : null,
          created_at: now,
          expires_at: expiresAt,
          used_at: null,
        })
        .execute();
    });
    return { token, expiresAt };
  }

  /** How many tokens of `purpose` account `userId` was issued since `since` (mail limits). */
  async issuedSince(userId: number, purpose: AccountTokenPurpose, since: number): Promise<number> {
    const row = await this.db
      .selectFrom('account_tokens')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The token's account while it is usable, without using it; ACCOUNT_TOKEN_INVALID otherwise. */
  async check(token: unknown, purpose: AccountTokenPurpose): Promise<ConsumedToken> {
    if (typeof token !== 'string' || !TOKEN.test(token)) throw invalid();
    const row = await this.db
      .selectFrom('account_tokens')
      .innerJoin('users', 'users.id', 'account_tokens.user_id')
      .select(['account_tokens.user_id', 'account_tokens.email'])
      .where('token_hash', '=', accountTokenHash(token))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', this.now())
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw invalid();
    return { userId: row.user_id, email: row.email };
  }

  /** Uses the token once (atomically); ACCOUNT_TOKEN_INVALID when unknown, used, expired or of another purpose. */
  async consume(
    token: unknown,
    purpose: AccountTokenPurpose,
    db: Database = this.db,
  ): Promise<ConsumedToken> {
    if (typeof token !== 'string' || !TOKEN.test(token)) throw invalid();
    const now = this.now();
    const row = await db
      .updateTable('account_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', accountTokenHash(token))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'email'])
      .executeTakeFirst();
    if (!row) throw invalid();
    return { userId: row.user_id, email: row.email };
  }

  /**
   * Resets a password with a `reset` token: USER_INVALID naming `password` when too weak (the token
   * is kept), ACCOUNT_TOKEN_INVALID when the token is not usable. Consumes the token, sets the
   * password, clears the lockout and ends every session, in one transaction; returns the account id.
   */
  async resetPassword(token: unknown, password: unknown): Promise<number> {
    const hash = await hashPassword(checkPassword(password), this.options.scrypt);
    return this.db.transaction().execute(async (tx) => {
      const { userId } = await this.consume(token, 'reset', tx);
      const user = await tx
        .updateTable('users')
        .set({ password_hash: hash, login_failures: 0, login_failures_since: null, locked_until: null })
        .where('id', '=', userId)
        .where('disabled_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!user) throw invalid();
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      return userId;
    });
  }

  /** Deletes tokens that expired before `before` (default now); how many. */
  async purgeExpired(before = this.now()): Promise<number> {
    const result = await this.db
      .deleteFrom('account_tokens')
      .where('expires_at', '<=', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
