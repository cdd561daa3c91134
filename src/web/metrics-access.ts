/**
 * Who may read `/metrics` (Prometheus text): a request from a loopback address (the client address
 * as the trust-proxy setting sees it, so a request relayed by a local reverse proxy counts as its
 * real client), or one carrying `Authorization: Bearer <metrics token>` when the operator set one
 * (`SEEDCAST_METRICS_TOKEN`). The token is compared in constant time.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';

function isLoopback(ip: string): boolean {
  return ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'loopback';
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function metricsAllowed(request: FastifyRequest, token: string | undefined): boolean {
  const header = request.headers.authorization;
  const given = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (token && given !== undefined) return sameSecret(given, token);
  return isLoopback(request.ip);
}
