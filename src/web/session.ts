/**
 * Who is visiting a page, and CSRF protection for every form (OWASP "synchronizer token" bound to a
 * cookie). A logged-in visitor carries `sc_session` (a `SessionRepository` cookie); every visitor
 * gets `sc_csrf`, 32 random bytes. Both are HttpOnly, SameSite=Lax, Path=/, and Secure when the
 * site's public URL is https (RFC 6265bis). A form's hidden `_csrf` field (or, for the API called
 * from the site's own scripts, the `X-CSRF-Token` header) must equal SHA-256 of "csrf\0" and the
 * session cookie (or, before login, of the `sc_csrf` cookie), base64url: another site can make a
 * browser send the cookies, but cannot read them, so it cannot know the token.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRepository, User } from '../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../errors.js';

export const SESSION_COOKIE = 'sc_session';
export const CSRF_COOKIE = 'sc_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** Cookie header to a map (first value wins; values are not decoded: ours are base64url). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie; undefined makes a browser-session cookie. */
  maxAge?: number;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  let out = `${name}=${value}; Path=/; HttpOnly; SameSite=Lax`;
  if (options.maxAge !== undefined) out += `; Max-Age=${Math.max(0, Math.floor(options.maxAge))}`;
  if (options.secure) out += '; Secure';
  return out;
}

/** Adds a Set-Cookie header without dropping the ones already set. */
export function appendCookie(reply: FastifyReply, cookie: string): void {
  const current = reply.getHeader('set-cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  reply.header('set-cookie', [...list, cookie]);
}

export function csrfTokenFor(key: string): string {
  return createHash('sha256').update(`csrf\0${key}`).digest('base64url');
}

/** The visitor of one request: the account (if logged in), its session cookie and the CSRF token. */
export interface Visitor {
  user?: User;
  session?: string;
  csrf: string;
}

/**
 * Reads the request's cookies: verifies the session (an invalid one is cleared), and makes sure the
 * visitor has a CSRF cookie (sets one on `reply` when missing).
 */
export async function visitorOf(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { sessions: SessionRepository; secure: boolean },
): Promise<Visitor> {
  const cookies = parseCookies(request.headers.cookie);
  const session = cookies.get(SESSION_COOKIE);
  let user: User | undefined;
  if (session !== undefined) {
    try {
      user = await options.sessions.verify(session);
    } catch (err) {
      if (!isSeedcastError(err, 'TOKEN_INVALID')) throw err;
      appendCookie(reply, serializeCookie(SESSION_COOKIE, '', { secure: options.secure, maxAge: 0 }));
    }
  }
  if (user && session) return { user, session, csrf: csrfTokenFor(session) };
  let anonymous = cookies.get(CSRF_COOKIE);
  if (anonymous === undefined || !COOKIE_VALUE.test(anonymous)) {
    anonymous = randomBytes(32).toString('base64url');
    appendCookie(reply, serializeCookie(CSRF_COOKIE, anonymous, { secure: options.secure }));
  }
  return { csrf: csrfTokenFor(anonymous) };
}

/** FORBIDDEN unless `given` is the visitor's CSRF token. */
export function checkCsrf(visitor: Visitor, given: unknown): void {
  const expected = Buffer.from(visitor.csrf);
  const actual = Buffer.from(typeof given === 'string' ? given : '');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new SeedcastError(
      'FORBIDDEN',
      'this form has expired or did not come from this site; reload and try again',
    );
}

/**
 * The account behind a session cookie on an API request made by the site's own scripts, or
 * undefined when there is no session cookie. Requires the `X-CSRF-Token` header (FORBIDDEN without
 * it), so a cross-site form cannot use the cookie.
 */
export async function sessionUser(
  request: FastifyRequest,
  sessions: SessionRepository,
): Promise<User | undefined> {
  const session = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
  if (session === undefined) return undefined;
  const user = await sessions.verify(session);
  checkCsrf({ user, session, csrf: csrfTokenFor(session) }, request.headers[CSRF_HEADER]);
  return user;
}
