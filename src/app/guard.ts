/**
 * Who may drive the app. Three checks, in this order, on every request:
 *
 * 1. `Host` (DNS rebinding): a page on evil.example whose name later resolves to 127.0.0.1 still sends
 *    `Host: evil.example`; only `127.0.0.1`, `localhost` and `[::1]` (any port) are answered, unless
 *    `--listen` exposed the app on purpose.
 * 2. The session cookie `seedcast_app` (HttpOnly, SameSite=Strict), equal to the install's secret:
 *    set by the link `seedcast app` opens (`/?token=<secret>`, then a redirect that drops the token;
 *    when the link comes from another origin, e.g. the redirect file the browser is opened with, a
 *    page of ours that moves on, so that the Strict cookie is sent)
 *    or, when exposed, by logging in with the password. Other users of the machine cannot read the
 *    secret file, so their processes cannot get in. Only `/static/` and the login page are open.
 * 3. On anything but GET and HEAD: the CSRF token (header `X-CSRF-Token`, form field `_csrf`, or for
 *    multipart forms the query parameter `_csrf`), which pages carry in `<meta name="csrf-token">`,
 *    and an `Origin`, when sent, naming this host (not `null`), and no `Sec-Fetch-Site: cross-site`.
 *    A page on another site can make the browser send a request but not read the token.
 *
 * Refusals are `APP_FORBIDDEN` (403) or, for a page without a session when exposed, a redirect to
 * `/login`.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SeedcastError } from '../errors.js';
import { parseCookies } from '../web/session.js';
import type { AppContext } from './context.js';
import { sameSecret } from './secret.js';

export const SESSION_COOKIE = 'seedcast_app';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The host name of a `Host` header without its port (`[::1]` keeps its brackets); '' when the header
 * is missing or is not `name[:port]` (so `127.0.0.1:80@evil.example` names nothing).
 */
export function hostName(host: string | undefined): string {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/.exec((host ?? '').trim().toLowerCase());
  return m?.[1] ?? '';
}

export function isLoopbackHost(host: string | undefined): boolean {
  return LOOPBACK_HOSTS.has(hostName(host));
}

/**
 * A path on this app to send the browser to after logging in, or `/`: only same-site relative paths
 * (`/shows/x?y`), never `//evil.example`, `/\\evil.example`, a scheme or control characters.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[^\s\\]*$/.test(next)) return '/';
  const url = new URL(next, 'http://app.invalid');
  if (url.origin !== 'http://app.invalid') return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? '/' : path;
}

/** Paths answered without a session. */
function open(path: string, ctx: AppContext): boolean {
  return path.startsWith('/static/') || (ctx.exposed !== undefined && path === '/login');
}

/**
 * Refuses a change sent from another site: an `Origin` naming another host (or `null`, an opaque
 * origin, unless the browser says `Sec-Fetch-Site: same-origin`), or `Sec-Fetch-Site: cross-site`.
 * Pages are sent with `Referrer-Policy: same-origin`: under `no-referrer` Chromium sends
 * `Origin: null` on the app's own form posts.
 */
export function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    let originHost = 'null';
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      // unreadable, or `null`: refused below
    }
    // `null`: an opaque origin (a sandboxed frame, a file), or a page of ours under a `no-referrer`
    // policy, which the browser then vouches for with `Sec-Fetch-Site: same-origin`.
    const vouched = origin === 'null' && request.headers['sec-fetch-site'] === 'same-origin';
    if (!vouched && (origin === 'null' || originHost !== (request.headers.host ?? '').trim().toLowerCase()))
      throw new SeedcastError('APP_FORBIDDEN', `a change sent from ${origin}`);
  }
  if (request.headers['sec-fetch-site'] === 'cross-site')
    throw new SeedcastError('APP_FORBIDDEN', 'a change sent from another site');
}

/** True when the request carries the session cookie. */
export function hasSession(request: FastifyRequest, ctx: AppContext): boolean {
  return sameSecret(parseCookies(request.headers.cookie).get(SESSION_COOKIE), ctx.secret.token);
}

/** True when the request passes the guard's first two checks (its `Host`, its cookie). */
export function isTrusted(request: FastifyRequest, ctx: AppContext): boolean {
  return (ctx.exposed !== undefined || isLoopbackHost(request.headers.host)) && hasSession(request, ctx);
}

export function sessionCookie(ctx: AppContext): string {
  return `${SESSION_COOKIE}=${ctx.secret.token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The `Set-Cookie` that logs the browser out. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

function escapeAttr(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && /text\/html/.test(request.headers.accept ?? '');
}

export function installGuard(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!ctx.exposed && !isLoopbackHost(request.headers.host))
      throw new SeedcastError(
        'APP_FORBIDDEN',
        `Host "${(request.headers.host ?? '').slice(0, 100)}" is not a loopback name`,
      );
    const url = new URL(request.url, 'http://app.invalid');
    const token = url.searchParams.get('token');
    if (request.method === 'GET' && token !== null) {
      if (!sameSecret(token, ctx.secret.token)) throw new SeedcastError('APP_FORBIDDEN', 'wrong token');
      url.searchParams.delete('token');
      const rest = url.searchParams.size > 0 ? `?${url.searchParams}` : '';
      const next = safeNext(`${url.pathname}${rest}`);
      reply
        .header('set-cookie', sessionCookie(ctx))
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      // Opened from another origin (the redirect file `seedcast app` hands the browser, so that the
      // key is not on a command line): a redirect would stay in that cross-site chain and the
      // SameSite=Strict cookie would not be sent; a page of ours moving on is same-site.
      const fetchSite = request.headers['sec-fetch-site'];
      if (fetchSite === 'cross-site' || fetchSite === 'same-site')
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'")
          .send(
            `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${escapeAttr(next)}"><title>Seedcast</title><p><a href="${escapeAttr(next)}">Open the Seedcast app</a></p>\n`,
          );
      return reply.redirect(next, 303);
    }
    if (open(url.pathname, ctx) || hasSession(request, ctx)) return;
    if (ctx.exposed && wantsHtml(request) && request.method === 'GET')
      return reply.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    throw new SeedcastError(
      'APP_FORBIDDEN',
      ctx.exposed ? 'log in first' : 'open the link `seedcast app` printed (it carries the key)',
    );
  });
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    if (request.url === '/login' || request.url.startsWith('/login?')) return; // checked by the login route
    checkOrigin(request);
    const header = request.headers['x-csrf-token'];
    const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    // Multipart forms (OPML files) carry it in the query: their fields are read after this hook.
    const query = (request.query as { _csrf?: unknown } | undefined)?._csrf;
    const given = [header, field, query].find((v): v is string => typeof v === 'string');
    if (!sameSecret(given, ctx.secret.csrf))
      throw new SeedcastError('APP_FORBIDDEN', 'missing or wrong CSRF token');
  });
}
