/**
 * The password of an app exposed with `--listen`: kept only as a scrypt hash (N=2^15, r=8, p=1, 16-byte
 * salt; `scrypt$<salt>$<hash>`, base64url), checked in constant time.
 */

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, 32, PARAMS, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashAppPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await derive(password, salt)).toString('base64url')}`;
}

export async function checkAppPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, salt, expected] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const key = await derive(password, Buffer.from(salt, 'base64url'));
  const want = Buffer.from(expected, 'base64url');
  return key.length === want.length && timingSafeEqual(key, want);
}
