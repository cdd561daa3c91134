/**
 * Accounts' email addresses (`users.email`, `users.email_verified_at`): optional, one per account,
 * unique without regard to case (index `users_email_key` on `lower(email)`). Addresses are
 * normalised (trimmed, lower-cased, an internationalised domain in its ASCII form) and checked
 * loosely after RFC 5321: at most 254 characters, a local part of at most 64 printable ASCII
 * characters without spaces, a domain of dot-separated labels with at least one dot.
 *
 * A new address is unverified until the link mailed to it is opened (`verify-email` token, which
 * carries the address: changing it again makes older links useless). Only a verified address
 * receives password-reset mail, so nobody can divert an account's resets by typing an address.
 * An address verified by one account cannot be claimed by another (EMAIL_TAKEN); an address merely
 * typed (unverified) by another account is taken over by the one that claims it now, so nobody can
 * squat someone else's address.
 */

import { domainToASCII } from 'node:url';
import { sql } from 'kysely';
import { constraintKind, type Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import type { AccountTokenRepository } from './account-tokens.js';

export const MAX_EMAIL = 254;
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The normalised form of `input` (lower case, ASCII domain); USER_INVALID naming `email` otherwise. */
export function checkEmail(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '')
    throw new SeedcastError('USER_INVALID', 'email: required');
  const value = input.trim();
  const bad = (why: string) => new SeedcastError('USER_INVALID', `email: ${why}`);
  if (value.length > MAX_EMAIL) throw bad(`at most ${MAX_EMAIL} characters`);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) throw bad('an address like name@example.org');
  const local = value.slice(0, at);
  const domain = domainToASCII(value.slice(at + 1).toLowerCase());
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    throw bad('the part before @ has characters an address cannot have');
  const labels = domain.split('.');
  if (
    domain === '' ||
    labels.length < 2 ||
    !labels.every((l) => LABEL.test(l)) ||
    /^\d+$/.test(labels.at(-1)!)
  )
    throw bad('the part after @ is not a domain name');
  const address = `${local.toLowerCase()}@${domain}`;
  if (address.length > MAX_EMAIL) throw bad(`at most ${MAX_EMAIL} characters`);
  return address;
}

export interface AccountEmail {
  email: string;
  /** When the address was verified; null until its link is opened. */
  verifiedAt: number | null;
}

/** Who a password reset goes to: an active account with a verified address. */
export interface ResetTarget {
  userId: number;
  username: string;
  email: string;
}

export class AccountEmails {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The account's address, if it has one. */
  async get(userId: number): Promise<AccountEmail | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['email', 'email_verified_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    return row?.email ? { email: row.email, verifiedAt: row.email_verified_at } : undefined;
  }

  /**
   * Sets the account's address (normalised; unverified unless it is the same, verified, address).
   * EMAIL_TAKEN when another account verified it. Returns the stored state.
   */
  async set(userId: number, input: unknown): Promise<AccountEmail> {
    const email = checkEmail(input);
    try {
      return await this.db.transaction().execute(async (tx) => {
        const holder = await tx
          .selectFrom('users')
          .select(['id', 'email', 'email_verified_at'])
          .where(sql<string>`lower(email)`, '=', email)
          .executeTakeFirst();
        if (holder?.id === userId && holder.email === email)
          return { email, verifiedAt: holder.email_verified_at };
        if (holder && holder.id !== userId) {
          if (holder.email_verified_at !== null)
            throw new SeedcastError('EMAIL_TAKEN', 'email: another account uses this address');
          await tx
            .updateTable('users')
            .set({ email: null, email_verified_at: null })
            .where('id', '=', holder.id)
            .execute();
        }
        // A same address in another case stays verified; anything else waits for its link.
        const verifiedAt = holder?.id === userId ? holder.email_verified_at : null;
        await tx
          .updateTable('users')
          .set({ email, email_verified_at: verifiedAt })
          .where('id', '=', userId)
          .execute();
        return { email, verifiedAt };
      });
    } catch (err) {
      if (constraintKind(err) === 'unique')
        throw new SeedcastError('EMAIL_TAKEN', 'email: another account uses this address');
      throw err;
    }
  }

  /** Removes the account's address (resets then need an admin's link). */
  async remove(userId: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ email: null, email_verified_at: null })
      .where('id', '=', userId)
      .execute();
  }

  /**
   * Verifies an address with its `verify-email` token (used once): ACCOUNT_TOKEN_INVALID when the
   * token is not usable or the account's address changed since the link was sent.
   */
  async verify(tokens: AccountTokenRepository, token: unknown): Promise<{ userId: number; email: string }> {
    return this.db.transaction().execute(async (tx) => {
      const used = await tokens.consume(token, 'verify-email', tx);
      const row = await tx
        .updateTable('users')
        .set({ email_verified_at: this.now() })
        .where('id', '=', used.userId)
        .where('email', '=', used.email ?? '')
        .returning(['id', 'email'])
        .executeTakeFirst();
      if (!row?.email)
        throw new SeedcastError(
          'ACCOUNT_TOKEN_INVALID',
          'token: the address changed since this link was sent',
        );
      return { userId: row.id, email: row.email };
    });
  }

  /**
   * The account a "forgot password" request names (a username, or an address: anything with `@`),
   * when it is active and has a verified address; undefined otherwise (the caller says the same
   * thing either way).
   */
  async resetTarget(login: string): Promise<ResetTarget | undefined> {
    const value = login.trim();
    if (value === '' || value.length > MAX_EMAIL) return undefined;
    let q = this.db
      .selectFrom('users')
      .select(['id', 'username', 'email'])
      .where('disabled_at', 'is', null)
      .where('email_verified_at', 'is not', null);
    if (value.includes('@')) {
      let email: string;
      try {
        email = checkEmail(value);
      } catch {
        return undefined;
      }
      q = q.where(sql<string>`lower(email)`, '=', email);
    } else q = q.where(sql<string>`lower(username)`, '=', value.toLowerCase());
    const row = await q.executeTakeFirst();
    return row?.email ? { userId: row.id, username: row.username, email: row.email } : undefined;
  }
}
