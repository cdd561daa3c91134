/**
 * Password hashing with scrypt (RFC 7914) from `node:crypto`: a random 16-byte salt, N = 2^15, r = 8,
 * p = 1 and a 32-byte key by default (OWASP's scrypt minimum is N = 2^17 with r = 8 for interactive
 * logins at higher cost; 2^15 keeps a login near 50 ms on one of our small cores). The parameters are
 * stored with the hash (`scrypt$N$r$p$salt$hash`, base64), so they can be raised later without
 * invalidating old hashes, and the comparison is constant-time.
 */

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SeedcastError } from '../errors.js';

export interface ScryptCost {
  /** CPU/memory cost, a power of two (default 2^15). */
  N?: number;
  r?: number;
  p?: number;
}

const DEFAULT = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;

function derive(password: string, salt: Buffer, cost: Required<ScryptCost>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** Throws USER_INVALID unless `password` is an acceptable password. */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string') throw new SeedcastError('USER_INVALID', 'password: required');
  const length = [...password].length;
  if (length < MIN_PASSWORD)
    throw new SeedcastError('USER_INVALID', `password: at least ${MIN_PASSWORD} characters`);
  if (length > MAX_PASSWORD)
    throw new SeedcastError('USER_INVALID', `password: at most ${MAX_PASSWORD} characters`);
  return password;
}

/** The stored form of `password`. */
export async function hashPassword(password: string, cost: ScryptCost = {}): Promise<string> {
  const full = { ...DEFAULT, ...cost };
  if (!Number.isInteger(Math.log2(full.N)) || full.N < 2) throw new RangeError('N must be a power of two');
  const salt = randomBytes(16);
  const key = await derive(password, salt, full);
  return ['scrypt', full.N, full.r, full.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored` (false for a malformed stored hash). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((v) => Number.isSafeInteger(v) && v > 0) || N > 2 ** 20 || r > 32 || p > 16)
    return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_LENGTH || salt.length < 8) return false;
  const key = await derive(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A stored hash of nobody's password, checked on unknown usernames so that they take as long. */
const decoys = new Map<string, Promise<string>>();
export function decoyHash(cost: ScryptCost = {}): Promise<string> {
  const id = JSON.stringify({ ...DEFAULT, ...cost });
  let decoy = decoys.get(id);
  if (!decoy) {
    decoy = hashPassword(randomBytes(16).toString('hex'), cost);
    decoys.set(id, decoy);
  }
  return decoy;
}
