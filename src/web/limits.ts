/**
 * Rate limits (`@fastify/rate-limit`, per client address): off by default, switched on per route
 * with `config: { rateLimit }`. Refusals are HTTP_RATE_LIMITED through the one error handler.
 */

import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { SeedcastError } from '../errors.js';

export interface RateLimit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

export interface SiteLimits {
  /** Registrations and token requests per address (default 10 a minute). */
  accounts: RateLimit;
  /** Uploads per address (default 20 an hour). */
  uploads: RateLimit;
  /** Largest upload in bytes, all files together (default 8 GiB). */
  uploadBytes: number;
  /** Most files in one upload (default 100). */
  uploadFiles: number;
}

export const DEFAULT_LIMITS: Readonly<SiteLimits> = Object.freeze({
  accounts: { max: 10, timeWindow: 60_000 },
  uploads: { max: 20, timeWindow: 3_600_000 },
  uploadBytes: 8 * 1024 ** 3,
  uploadFiles: 100,
});

export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new SeedcastError('HTTP_RATE_LIMITED', `try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
}
