/**
 * The one place the site turns errors into answers: `{ "error": { "code", "message" } }` with the
 * status from `src/errors.ts`. Fastify's own 4xx errors (schema validation, bad JSON, body limits,
 * multipart limits) get a registry code too; every 5xx is logged and answered with a generic message
 * so no internal detail leaks.
 */

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode, isSeedcastError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** The registry code for a Fastify or plugin error with an HTTP status. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'AUTH_REQUIRED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'HTTP_TOO_LARGE';
  if (status === 415) return 'HTTP_UNSUPPORTED';
  if (status === 429) return 'HTTP_RATE_LIMITED';
  return 'HTTP_BAD_REQUEST';
}

/** Status and body for any error thrown by a route. */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody } {
  if (isSeedcastError(err)) {
    if (err.status >= 500) return internal(err.code);
    return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  }
  const status = (err as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = codeForStatus(status);
    const detail = (err as Error).message || ERRORS[code].message;
    return { status, body: { error: { code, message: `${ERRORS[code].message}: ${detail}` } } };
  }
  return internal('INTERNAL');
}

function internal(code: ErrorCode): { status: number; body: ErrorBody } {
  const status = ERRORS[code].status >= 500 ? ERRORS[code].status : 500;
  return { status, body: { error: { code, message: ERRORS[code].message } } };
}

/**
 * Installs the error and not-found handlers on `app`. `notFoundPage`, when given, answers unknown
 * addresses outside `/api/` with a page for people (JSON stays the answer for API clients).
 */
export function installErrorHandlers(
  app: FastifyInstance,
  options: {
    notFoundPage?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | undefined;
  } = {},
): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const page = request.url.startsWith('/api/') ? undefined : options.notFoundPage?.(request, reply);
    if (page) return page;
    return reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `not found: ${request.method} ${request.url}` } });
  });
}
