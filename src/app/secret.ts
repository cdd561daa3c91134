/**
 * The app's per-install secret: 32 random bytes in `$SEEDCAST_HOME/app-secret` (mode 0600, made on
 * first use), readable only by the user who runs the aggregator. The browser proves it holds the
 * secret with a cookie set from the link `seedcast app` opens (`/?token=...`); forms and scripts also
 * send a CSRF token derived from it, so neither another local user's process nor a web page in the
 * browser can drive the app.
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeedcastError } from '../errors.js';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export interface AppSecret {
  /** The value of the login link's `token` and of the session cookie. */
  token: string;
  /** The CSRF token pages embed (an HMAC of the secret: the cookie alone never reveals it). */
  csrf: string;
}

/**
 * Read the secret under `home`, making it the first time (or when the file is not one we wrote).
 * A file others could read is narrowed to 0600; a symbolic link in its place is refused (another
 * user could point it at a file they know).
 */
export async function loadAppSecret(home: string): Promise<AppSecret> {
  const path = join(home, 'app-secret');
  const info = await lstat(path).catch(() => undefined);
  if (info && !info.isFile())
    throw new SeedcastError('APP_FORBIDDEN', `${path} is not a regular file: remove it and start again`);
  if (info && typeof process.getuid === 'function' && info.uid !== process.getuid())
    throw new SeedcastError('APP_FORBIDDEN', `${path} belongs to another user: remove it and start again`);
  let token = info ? (await readFile(path, 'utf8').catch(() => '')).trim() : '';
  if (/^[0-9a-f]{64}$/.test(token)) {
    if (info && (info.mode & 0o077) !== 0) await chmod(path, 0o600);
    return secretFrom(token);
  }
  await mkdir(home, { recursive: true });
  token = randomBytes(32).toString('hex');
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(`${token}\n`);
  } finally {
    await fh.close();
  }
  return secretFrom(token);
}

export function secretFrom(token: string): AppSecret {
  return { token, csrf: createHmac('sha256', token).update('seedcast-app-csrf').digest('base64url') };
}

/** Constant-time comparison of two strings. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
