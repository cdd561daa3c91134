/**
 * The site for people: server-rendered HTML pages (TSX rendered to strings by `src/web/html`), kept
 * apart from the JSON API. This plugin registers the static assets, the browse pages (home, item,
 * search, users, channels) and the account pages (login, register, logout, account settings), parses
 * HTML form bodies (`application/x-www-form-urlencoded`) in its own scope, and answers errors inside
 * it with friendly HTML pages instead of JSON. Every page gets a `PageContext` from `pageContext()`:
 * the visitor (account from the session cookie, CSRF token) and the asset URLs.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSeedcastError } from '../../errors.js';
import type { TrackerService } from '../../tracker/index.js';
import type { SiteServices } from '../app.js';
import { errorAnswer } from '../errors.js';
import { documentHtml, type Html } from '../html/jsx.js';
import type { SiteLimits } from '../limits.js';
import { ErrorPage, NotFoundPage } from '../pages/errors.js';
import type { PageContext } from '../pages/layout.js';
import { type PlayerAssets, playerAssetRoutes } from '../player-assets.js';
import { SwarmRanking } from '../ranking.js';
import { visitorOf } from '../session.js';
import { loadStaticAssets, type StaticAssets, staticRoutes } from '../static.js';
import { accountLifecyclePageRoutes } from './account-lifecycle-pages.js';
import { accountPageRoutes } from './account-pages.js';
import { adminPageRoutes } from './admin-pages.js';
import { adminUserPageRoutes } from './admin-users-pages.js';
import { browsePageRoutes } from './browse-pages.js';
import { captionPageRoutes } from './captions-pages.js';
import { channelPageRoutes } from './channels-pages.js';
import { collectionPageRoutes } from './collections-pages.js';
import { interactionPageRoutes } from './interaction-pages.js';
import { itemEditPageRoutes } from './item-edit-pages.js';
import { jobPageRoutes } from './jobs-pages.js';
import { quotaPageRoutes } from './quota-pages.js';
import { searchPageRoutes } from './search-pages.js';
import { settingsPageRoutes } from './settings-pages.js';
import { uploadPageRoutes } from './upload-pages.js';

export interface PagesOptions {
  site: SiteServices;
  tracker?: TrackerService;
  limits: SiteLimits;
  /** Filled in by the plugin: renders the friendly 404 page (the app's not-found handler calls it). */
  notFound?: { render?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> };
}

/** What page route modules get: the services and the helpers to answer with a page. */
export interface PageKit extends PagesOptions {
  assets: StaticAssets;
  /** The P2P player's script (`player-assets.ts`). */
  player: PlayerAssets;
  ranking: SwarmRanking;
  /** True when cookies must be Secure (the public URL is https). */
  secure: boolean;
  context(request: FastifyRequest, reply: FastifyReply, extra?: { query?: string }): Promise<PageContext>;
  send(reply: FastifyReply, page: Html, status?: number): FastifyReply;
}

const FORM_LIMIT = 64 * 1024;

/** Sends a rendered page as an HTML document (never cached by shared caches: it may be personal). */
export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'private, no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'strict-origin-when-cross-origin')
    .header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    .send(documentHtml(page));
}

/**
 * Builds the pages plugin; also returns a not-found renderer for the app-wide 404 handler (for
 * addresses outside the API).
 */
export async function pageRoutes(app: FastifyInstance, options: PagesOptions): Promise<void> {
  const assets = staticRoutes(app, await loadStaticAssets());
  const secure = options.site.links.root.startsWith('https:');
  const player = playerAssetRoutes(app, {
    fileUrl: async (id, index) => {
      const item = await options.site.items.get(id);
      const file = item?.status === 'ready' ? item.files[index] : undefined;
      return file?.blobKey
        ? options.site.links.file(id, file.path).slice(options.site.links.root.length)
        : undefined;
    },
  });
  const kit: PageKit = {
    ...options,
    assets,
    player,
    secure,
    ranking: new SwarmRanking(options.site.items, options.tracker),
    context: async (request, reply, extra = {}) => {
      // The site's profile (cached in SiteSettings) and whether no account exists yet (issue 19).
      const { siteSettings, siteAccounts } = options.site;
      const [visitor, site, anyAccount] = await Promise.all([
        visitorOf(request, reply, { sessions: options.site.sessions, secure }),
        siteSettings?.profile(),
        siteAccounts?.anyAccount() ?? true,
      ]);
      return {
        visitor,
        assets,
        query: extra.query,
        ...(site ? { site } : {}),
        ...(anyAccount ? {} : { firstRun: true }),
      };
    },
    send: sendPage,
  };

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => {
      const fields: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(body as string)) if (!(k in fields)) fields[k] = v;
      done(null, fields);
    },
  );

  app.setErrorHandler(async (err: unknown, request, reply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) request.log.error({ err }, 'page failed');
    const ctx = await kit
      .context(request, reply)
      .catch(() => ({ visitor: { csrf: '' }, assets }) satisfies PageContext);
    if (status === 404) return sendPage(reply, NotFoundPage({ ctx }), 404);
    if (isSeedcastError(err, 'HTTP_RATE_LIMITED') && !reply.hasHeader('retry-after'))
      reply.header('retry-after', '60');
    return sendPage(reply, ErrorPage({ ctx, status, message: body.error.message }), status);
  });

  if (options.notFound) {
    options.notFound.render = async (request, reply) =>
      sendPage(reply, NotFoundPage({ ctx: await kit.context(request, reply) }), 404);
  }

  await app.register(browsePageRoutes, kit);
  await app.register(searchPageRoutes, kit);
  await app.register(accountPageRoutes, kit);
  await app.register(accountLifecyclePageRoutes, kit);
  await app.register(uploadPageRoutes, kit);
  await app.register(adminPageRoutes, kit);
  await app.register(jobPageRoutes, kit);
  await app.register(quotaPageRoutes, kit);
  await app.register(interactionPageRoutes, kit);
  await app.register(captionPageRoutes, kit);
  await app.register(collectionPageRoutes, kit);
  await app.register(itemEditPageRoutes, kit);
  await app.register(channelPageRoutes, kit);
  await app.register(settingsPageRoutes, kit);
  await app.register(adminUserPageRoutes, kit);
}
