/**
 * Authentication for the API: `Authorization: Bearer <token>` is checked against the token
 * repository; routes that need an account call `requireUser(request, tokens)` in a
 * `preHandler`-free way (the handler awaits it and gets the `User`). Routes the site's own pages
 * call from the browser (uploads) pass the session repository too: then, without a Bearer header,
 * the `sc_session` cookie is accepted along with a matching `X-CSRF-Token` header (`session.ts`).
 */

import type { FastifyRequest } from 'fastify';
import type { SessionRepository, TokenRepository, User } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';
import { sessionUser } from './session.js';

/** The token of `Authorization: Bearer <token>`, or undefined when there is no such header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new SeedcastError('AUTH_REQUIRED', 'use "Authorization: Bearer <token>"');
  return match[1];
}

/**
 * The account behind the request's token (or, when `sessions` is given and there is no Bearer
 * header, its session cookie with the CSRF header): AUTH_REQUIRED without either, TOKEN_INVALID
 * when bad, FORBIDDEN for a cookie without the right `X-CSRF-Token`.
 */
export async function requireUser(
  request: FastifyRequest,
  tokens: TokenRepository,
  sessions?: SessionRepository,
): Promise<User> {
  const token = bearerToken(request);
  if (token !== undefined) return tokens.verify(token);
  const user = sessions ? await sessionUser(request, sessions) : undefined;
  if (!user) throw new SeedcastError('AUTH_REQUIRED');
  return user;
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
