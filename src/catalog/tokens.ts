/**
 * API tokens (`Authorization: Bearer <token>`): 32 random bytes, shown once as `sc_` + base64url, and
 * stored only as their SHA-256. With 256 bits of entropy a plain hash is enough (no salt or slow hash
 * needed: nothing can be guessed), and looking the hash up through its unique index reveals nothing
 * about the token. Tokens may expire; a disabled account's tokens stop working.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { toUser, type User } from './users.js';

export interface TokenInfo {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

export interface CreateTokenOptions {
  name?: string;
  /** Lifetime in milliseconds (default: until revoked). */
  ttlMs?: number;
}

const TOKEN = /^sc_[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** A new token for `userId`; the token itself is returned here and never again. */
  async create(userId: number, options: CreateTokenOptions = {}): Promise<{ token: string; id: number }> {
    const name = (options.name ?? '').trim();
    if (name.length > 100) throw new SeedcastError('USER_INVALID', 'token name: at most 100 characters');
    if (options.ttlMs !== undefined && !(Number.isSafeInteger(options.ttlMs) && options.ttlMs > 0)) {
      throw new SeedcastError('USER_INVALID', 'token lifetime: a positive number of milliseconds');
    }
    const token = `sc_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        token_hash: hashToken(token),
        name,
        created_at: now,
        expires_at: options.ttlMs === undefined ? null : now + options.ttlMs,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { token, id: row.id };
  }

  /** The account a token belongs to; TOKEN_INVALID when it is unknown, expired, revoked or disabled. */
  async verify(token: unknown): Promise<User> {
    if (typeof token !== 'string' || !TOKEN.test(token)) throw new SeedcastError('TOKEN_INVALID');
    const now = this.now();
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id as token_id',
        'api_tokens.expires_at',
        'users.id',
        'users.username',
        'users.role',
        'users.created_at',
        'users.disabled_at',
      ])
      .where('api_tokens.token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || (row.expires_at !== null && row.expires_at <= now) || row.disabled_at !== null) {
      throw new SeedcastError('TOKEN_INVALID');
    }
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.token_id)
      .execute();
    return toUser(row);
  }

  async list(userId: number): Promise<TokenInfo[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_at', 'last_used_at', 'expires_at'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
    }));
  }

  /** Revokes one of `userId`'s tokens; true when there was such a token. */
  async revoke(userId: number, tokenId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('api_tokens')
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Revokes every token of `userId` (password change, "log out everywhere"); how many there were. */
  async revokeAll(userId: number): Promise<number> {
    const result = await this.db.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
