/**
 * Guards of the site's HTTP server against clients that hold connections without using them
 * (slowloris, stalled bodies, connection floods), on top of Node's own timeouts:
 *
 * - `httpServerOptions` gives Node's `headersTimeout` (the request's headers must arrive within it;
 *   Node answers 408 and closes), `requestTimeout` (the whole request, body included; long enough for a
 *   slow multi-GB upload, 0 switches it off), `keepAliveTimeout` (an idle keep-alive connection) and a
 *   check interval short enough for those to bite on time.
 * - `guardServer` closes a connection whose request body goes `body` ms without a byte (a body that
 *   keeps arriving, however slowly, is never cut; tus PATCHes resume anyway), keeps a generous
 *   inactivity bound while the response is produced, and caps the open connections of one client
 *   address (IPv6 by /64): the extra ones are closed at once, before any byte is read, so one client
 *   cannot hold every descriptor while other clients are still served.
 *
 * The cap counts the TCP peer. Behind a reverse proxy every connection comes from the proxy, so the
 * proxies the trust-proxy setting names (and loopback, whenever any proxy is trusted) are not capped:
 * the proxy caps its own clients.
 */

import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import { addressKey } from './action-limits.js';
import type { SiteLimits } from './limits.js';

/** Inactivity allowed while a handler works on a received request (publishing, hashing...). */
const RESPONSE_IDLE = 10 * 60_000;

/** Fastify options for Node's own timeouts (see the module comment). */
export function httpServerOptions(limits: Pick<SiteLimits, 'timeouts'>): {
  keepAliveTimeout: number;
  requestTimeout: number;
  http: ServerOptions;
} {
  const t = limits.timeouts;
  return {
    keepAliveTimeout: t.idle,
    requestTimeout: t.request,
    http: {
      headersTimeout: t.request > 0 ? Math.min(t.headers, t.request) : t.headers,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(t.headers / 4))),
    },
  };
}

/**
 * Which TCP peers are proxies the cap must not count, from Fastify's `trustProxy` value: none when it
 * is off; loopback when it is on in any form; and the addresses or CIDR ranges it lists.
 */
export function trustedProxies(trustProxy: unknown): (address: string) => boolean {
  if (!trustProxy) return () => false;
  const listed = (
    Array.isArray(trustProxy) ? trustProxy : typeof trustProxy === 'string' ? trustProxy.split(',') : []
  )
    .map((s) => String(s).trim())
    .flatMap((s): [ipaddr.IPv4 | ipaddr.IPv6, number][] => {
      try {
        if (s.includes('/')) return [ipaddr.parseCIDR(s)];
        const a = ipaddr.process(s);
        return [[a, a.kind() === 'ipv4' ? 32 : 128]];
      } catch {
        return []; // names such as "loopback" or "uniquelocal": loopback is covered below
      }
    });
  return (address) => {
    if (!ipaddr.isValid(address)) return false;
    const a = ipaddr.process(address);
    if (a.range() === 'loopback') return true;
    return listed.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  };
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Installs the body inactivity timeout and the per-address connection cap on `server`. */
export function guardServer(
  server: Server,
  limits: Pick<SiteLimits, 'timeouts' | 'connectionsPerAddress'>,
  options: { exempt?: (address: string) => boolean } = {},
): void {
  const exempt = options.exempt ?? (() => false);
  const open = new Map<string, number>();
  const cap = limits.connectionsPerAddress;
  if (cap > 0) {
    server.on('connection', (socket: Socket) => {
      if (exempt(socket.remoteAddress ?? '')) return;
      const key = addressKey(socket.remoteAddress ?? '');
      const n = (open.get(key) ?? 0) + 1;
      if (n > cap) {
        socket.destroy();
        return;
      }
      open.set(key, n);
      socket.once('close', () => {
        const left = (open.get(key) ?? 1) - 1;
        if (left <= 0) open.delete(key);
        else open.set(key, left);
      });
    });
  }
  const body = limits.timeouts.body;
  if (body > 0) {
    server.on('request', (request: IncomingMessage) => {
      const socket = request.socket;
      if (!hasBody(request) || request.complete) return;
      socket.setTimeout(body);
      request.once('end', () => {
        if (!socket.destroyed) socket.setTimeout(Math.max(body, RESPONSE_IDLE));
      });
    });
  }
}
