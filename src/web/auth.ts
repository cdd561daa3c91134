/**
 * Authentication for the API: `Authorization: Bearer <token>` is checked against the token
 * repository; routes that need an account call `requireUser(request, tokens)` in a
 * `preHandler`-free way (the handler awaits it and gets the `User`). Routes the site's own pages
 * call from the browser (publishing, tus uploads) use `authenticate(request, tokens, resolveUser)`
 * with the site's `resolveUser`: without a Bearer header, the `sc_session` cookie is accepted along
 * with a matching `X-CSRF-Token` header (`sessionUser` in `session.ts`).
 */

import type { FastifyRequest } from 'fastify';
import { canModerate, type TokenRepository, type User } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';

/** The token of `Authorization: Bearer <token>`, or undefined when there is no such header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new SeedcastError('AUTH_REQUIRED', 'use "Authorization: Bearer <token>"');
  return match[1];
}

/** The account behind the request's token: AUTH_REQUIRED without one, TOKEN_INVALID when bad. */
export async function requireUser(request: FastifyRequest, tokens: TokenRepository): Promise<User> {
  const token = bearerToken(request);
  if (token === undefined) throw new SeedcastError('AUTH_REQUIRED');
  return tokens.verify(token);
}

/** Another way to find a request's account (e.g. a session cookie); undefined when it has none. */
export type UserResolver = (request: FastifyRequest) => Promise<User | undefined>;

/**
 * The request's account: by its Bearer token when it sends one, else by `resolveUser` when given
 * (a session cookie), else AUTH_REQUIRED.
 */
export async function authenticate(
  request: FastifyRequest,
  tokens: TokenRepository,
  resolveUser?: UserResolver,
): Promise<User> {
  const token = bearerToken(request);
  if (token !== undefined) return tokens.verify(token);
  const user = resolveUser ? await resolveUser(request) : undefined;
  if (!user) throw new SeedcastError('AUTH_REQUIRED');
  return user;
}

/** The request's account when it is an admin's (`authenticate`, then FORBIDDEN for anyone else). */
export async function authenticateAdmin(
  request: FastifyRequest,
  tokens: TokenRepository,
  resolveUser?: UserResolver,
): Promise<User> {
  const user = await authenticate(request, tokens, resolveUser);
  if (user.role !== 'admin') throw new SeedcastError('FORBIDDEN', 'admins only');
  return user;
}

/** The request's account when it may moderate (admins and moderators: `canModerate`), else FORBIDDEN. */
export async function authenticateModerator(
  request: FastifyRequest,
  tokens: TokenRepository,
  resolveUser?: UserResolver,
): Promise<User> {
  const user = await authenticate(request, tokens, resolveUser);
  if (!canModerate(user)) throw new SeedcastError('FORBIDDEN', 'admins and moderators only');
  return user;
}
