/**
 * The site's Fastify application, built without listening (test it with `app.inject()`): the pages
 * for people (`routes/pages.ts`), `/healthz`, the mounted tracker (`/announce`, `/scrape`) when given one, and, when given the
 * site's services, the JSON API (accounts, items), distribution (`.torrent` files, file URLs) and the
 * feeds (RSS, Atom, JSON Feed, OPML, oEmbed, OAI-PMH).
 * One error handler answers every failure as `{ "error": { "code", "message" } }`.
 */

import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AccountServices } from '../accounts/index.js';
import type { SiteLinks } from '../catalog/index.js';
import {
  type ChannelRepository,
  type CollectionRepository,
  CommunityRepository,
  type DerivativeRepository,
  type ItemRepository,
  type ModerationRepository,
  type QuotaRepository,
  type SearchRepository,
  type SessionRepository,
  type SettingsRepository,
  type SiteAccounts,
  type SiteSettings,
  type TokenRepository,
  type UserRepository,
} from '../catalog/index.js';
import type { Fixity, Seeding, Traffic } from '../distribution/index.js';
import { ServedTorrents } from '../distribution/index.js';
import { SeedcastError } from '../errors.js';
import type { JobQueue } from '../jobs/index.js';
import { Captions, type CaptionViews, type MediaAnalyzer, type ProcessingViews } from '../media/index.js';
import type { Archiver, Publisher, StorageGuard, Uploads } from '../publishing/index.js';
import type { BlobStore } from '../storage/index.js';
import { nativeStatus, type TrackerService, trackerPlugin } from '../tracker/index.js';
import { ActionLimiter, installActionLimiter } from './action-limits.js';
import type { UserResolver } from './auth.js';
import { installErrorHandlers } from './errors.js';
import { type LimitOverrides, type SiteLimits, siteLimits } from './limits.js';
import { metricsAllowed } from './metrics-access.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { installRequestLog } from './request-log.js';
import { accountLifecycleRoutes } from './routes/account-lifecycle.js';
import { accountRoutes } from './routes/accounts.js';
import { captionRoutes } from './routes/captions.js';
import { channelRoutes } from './routes/channels.js';
import { collectionRoutes } from './routes/collections.js';
import { collectionFeedRoutes } from './routes/collections-feeds.js';
import { communityRoutes } from './routes/community.js';
import { derivativeRoutes } from './routes/derivatives.js';
import { feedRoutes } from './routes/feeds.js';
import { fileRoutes } from './routes/files.js';
import type { Community } from './routes/interaction-pages.js';
import { itemAdminRoutes } from './routes/item-admin.js';
import { itemRoutes } from './routes/items.js';
import { jobRoutes } from './routes/jobs.js';
import { moderationRoutes } from './routes/moderation.js';
import { p2pRoutes } from './routes/p2p.js';
import { p2pReportRoutes } from './routes/p2p-report.js';
import { type PagesOptions, pageRoutes } from './routes/pages.js';
import { quotaRoutes } from './routes/quota.js';
import { searchRoutes } from './routes/search.js';
import { settingsRoutes } from './routes/settings.js';
import { uploadRoutes } from './routes/uploads.js';
import { registerSchemas } from './schemas/index.js';
import { guardServer, httpServerOptions, trustedProxies } from './server-guards.js';

/** What the API routes work with (built by `startServer`, or by tests). */
export interface SiteServices {
  /** STUN servers the P2P player is given (`SEEDCAST_STUN`); none by default. */
  stun?: readonly string[];
  users: UserRepository;
  tokens: TokenRepository;
  /** Login sessions of the pages (cookies). */
  sessions: SessionRepository;
  items: ItemRepository;
  channels: ChannelRepository;
  /** Full-text search with filters and facets. */
  search: SearchRepository;
  blobs: BlobStore;
  publisher: Publisher;
  seeding: Seeding;
  /** Archives torrent-only items (absent when the site does not archive). */
  archiver?: Archiver;
  links: SiteLinks;
  /** The `.torrent` files as served (default: one built from `blobs` and `links`). */
  torrents?: ServedTorrents;
  /** Folder for uploads in progress (inside the data folder). */
  stagingRoot: string;
  /** tus resumable uploads (`/api/v1/uploads`). */
  uploads: Uploads;
  /** Finds a request's account without a Bearer token (e.g. a session cookie), when set. */
  resolveUser?: UserResolver;
  /** Comments, favourites and reports for the pages, when the site keeps them. */
  community?: Community;
  /** The audit log and disabling accounts (`/api/v1/admin/...`, the admin page), when kept. */
  moderation?: ModerationRepository;
  /** Reads published items' media facts and makes their thumbnails (ffprobe, ffmpeg). */
  media?: MediaAnalyzer;
  /** Throws when the site cannot serve (e.g. the database is down). */
  health(): Promise<void>;
  /** Storage quotas and the free-space guard (issue 15), when the site enforces them. */
  quotas?: QuotaRepository;
  guard?: StorageGuard;
  /** The site's P2P default and accounts' choices (issue 17), when kept. */
  settings?: SettingsRepository;
  /** The site's settings (issue 19: name, about, registration, upload defaults), when kept. */
  siteSettings?: SiteSettings;
  /** Registration modes, invites and the admin's user list (issue 19), when kept. */
  siteAccounts?: SiteAccounts;
  /** Bytes per item and channel (issue 17), when counted. */
  traffic?: Traffic;
  /** The job queue of media work (issue 18), when the site runs one. */
  jobs?: JobQueue;
  /** Items' processing state and derivatives (issue 18). */
  processing?: ProcessingViews;
  /** Derivatives' rows and torrents (issue 18): their file and torrent routes. */
  derivatives?: DerivativeRepository;
  /** Items' captions and chapters (issue 18). */
  captions?: CaptionViews;
  /** Collections (playlists, issue 19): their API, feeds, embed and pages, when kept. */
  collections?: CollectionRepository;
  /** One-time links, email addresses, deleting and exporting accounts, mail (issue 19). */
  accounts?: AccountServices;
  /** Fixity checks and repairs (issue 22): the admin page's section and `/metrics`. */
  fixity?: Fixity;
}

export interface AppOptions {
  /** Fastify's logger: false (none), true, or options (`request-log.ts`'s `requestLogger`). */
  logger?: boolean | Record<string, unknown>;
  /** When given, the BitTorrent tracker is served at `/announce` and `/scrape`. */
  tracker?: TrackerService;
  /** When given, the API and the file routes are served. */
  site?: SiteServices;
  limits?: LimitOverrides;
  /** Where the per-action rate limits count (default this process; Redis with several nodes). */
  rateLimitStore?: RateLimitStore;
  /** `/metrics` answers requests with `Authorization: Bearer <this>`; without it, only loopback. */
  metricsToken?: string;
  /** Which reverse proxies' `X-Forwarded-For` to trust: Fastify's `trustProxy` (default false). */
  trustProxy?: boolean | string[] | ((address: string, hop: number) => boolean);
}

export function buildApp(options: AppOptions = {}): FastifyInstance {
  const limits: SiteLimits = siteLimits(options.limits);
  const app = Fastify({
    logger: options.logger ?? false,
    // With the site's request log (`request-log.ts`), one line per request instead of two.
    disableRequestLogging: typeof options.logger === 'object',
    trustProxy: options.trustProxy ?? false,
    ...httpServerOptions(limits),
  });
  guardServer(app.server, limits, { exempt: trustedProxies(options.trustProxy) });
  if (typeof options.logger === 'object') installRequestLog(app);
  installActionLimiter(app, new ActionLimiter(limits, Date.now, options.rateLimitStore));
  const pages: NonNullable<PagesOptions['notFound']> = {};
  installErrorHandlers(app, { notFoundPage: (request, reply) => pages.render?.(request, reply) });
  const site = options.site;
  // The OpenAPI document is generated from the routes registered after this (`openapi.ts`).
  registerSchemas(app);
  registerOpenApi(app, site ? { publicUrl: site.links.root } : {});
  if (options.tracker) app.register(trackerPlugin, { service: options.tracker });
  const healthSchema = {
    summary: 'Whether the site can serve (its database answers), and whether the native addon is in use',
    tags: ['site'],
    response: {
      200: {
        type: 'object',
        required: ['status', 'addon'],
        properties: {
          status: { const: 'ok' },
          addon: {
            enum: ['native', 'javascript'],
            description: "The tracker's C addon (native) or its JavaScript store and dgram socket",
          },
        },
        description: 'Serving',
      },
      503: {
        type: 'object',
        required: ['status'],
        properties: { status: { const: 'unavailable' } },
        description: 'Cannot serve',
      },
    },
  };
  // In a plugin, so that they are registered after @fastify/swagger and documented.
  app.register(async (root) => {
    root.get('/healthz', { schema: healthSchema }, async (_req, reply) => {
      const addon = nativeStatus().addon;
      if (!site) return { status: 'ok', addon };
      try {
        await site.health();
        return { status: 'ok', addon };
      } catch (err) {
        app.log.error({ err }, 'health check failed');
        reply.code(503);
        return { status: 'unavailable' };
      }
    });
    const tracker = options.tracker;
    if (tracker) {
      const metricsSchema = {
        summary: 'Prometheus metrics of the tracker and the site (from loopback, or with the metrics token)',
        tags: ['site'],
        security: [{ bearer: [] }],
        produces: ['text/plain'],
        response: {
          200: { type: 'string', description: 'Prometheus text exposition format 0.0.4' },
          403: { $ref: 'Error#', description: 'Not from loopback and no metrics token' },
        },
      };
      root.get('/metrics', { schema: metricsSchema }, async (request, reply) => {
        if (!metricsAllowed(request, options.metricsToken))
          throw new SeedcastError('FORBIDDEN', 'metrics: from loopback, or with the metrics token');
        reply.type('text/plain; version=0.0.4; charset=utf-8');
        return (await tracker.metricsText()) + ((await site?.fixity?.metricsText()) ?? '');
      });
    }
  });
  if (site) {
    app.register(async (api) => {
      await api.register(multipart, {
        limits: {
          fileSize: limits.uploadBytes,
          files: limits.uploadFiles,
          fields: 20,
          fieldSize: 20_000,
          parts: limits.uploadFiles + 20,
          headerPairs: 100,
        },
      });
      await api.register(accountRoutes, site);
      if (site.accounts) await api.register(accountLifecycleRoutes, { ...site, accounts: site.accounts });
      await api.register(itemRoutes, { ...site, tracker: options.tracker, limits });
      await api.register(uploadRoutes, { ...site, limits });
      // The `.torrent` as served (the site's current trackers in): one cache for its route and the feeds.
      const torrents = site.torrents ?? new ServedTorrents({ blobs: site.blobs, links: site.links });
      await api.register(fileRoutes, {
        items: site.items,
        blobs: site.blobs,
        seeding: site.seeding,
        torrents,
        ...(site.traffic ? { traffic: site.traffic } : {}),
        ...(site.fixity ? { fixity: site.fixity } : {}),
      });
      if (site.derivatives)
        await api.register(derivativeRoutes, {
          items: site.items,
          derivatives: site.derivatives,
          blobs: site.blobs,
          torrents,
          links: site.links,
          seeding: site.seeding,
          ...(site.traffic ? { traffic: site.traffic } : {}),
        });
      if (site.traffic) await api.register(p2pReportRoutes, { items: site.items, traffic: site.traffic });
      await api.register(p2pRoutes, {
        items: site.items,
        blobs: site.blobs,
        links: site.links,
        stun: site.stun ?? [],
        ...(site.derivatives ? { derivatives: site.derivatives } : {}),
      });
      await api.register(feedRoutes, { ...site, torrents });
      await api.register(searchRoutes, {
        search: site.search,
        links: site.links,
        ...(site.processing ? { processing: site.processing } : {}),
      });
      await api.register(itemAdminRoutes, site);
      await api.register(channelRoutes, site);
      if (site.quotas && site.guard)
        await api.register(quotaRoutes, { ...site, quotas: site.quotas, guard: site.guard });
      openApiRoute(api);
      if (site.community instanceof CommunityRepository)
        await api.register(communityRoutes, { ...site, community: site.community });
      if (site.moderation) await api.register(moderationRoutes, { ...site, moderation: site.moderation });
      await api.register(jobRoutes, site);
      if (site.siteSettings && site.siteAccounts)
        await api.register(settingsRoutes, {
          ...site,
          siteSettings: site.siteSettings,
          siteAccounts: site.siteAccounts,
        });
      if (site.captions instanceof Captions)
        await api.register(captionRoutes, { ...site, captions: site.captions });
      if (site.collections) {
        await api.register(collectionRoutes, { ...site, collections: site.collections });
        await api.register(collectionFeedRoutes, { ...site, torrents, collections: site.collections });
      }
    });
  }
  if (site) {
    // The pages for people (HTML), in their own scope: form bodies, HTML error pages.
    app.register(pageRoutes, { site, tracker: options.tracker, limits, notFound: pages });
  } else {
    app.get('/', async (_req, reply) => {
      reply.type('text/html; charset=utf-8');
      return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Seedcast</title></head><body><main><h1>Seedcast</h1></main></body></html>\n';
    });
  }
  return app;
}
