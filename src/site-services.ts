/**
 * The site's services over a database, a blob store and an engine: the repositories, publishing,
 * seeding, archiving, media work (the job queue's processing, or the in-process analyzer without
 * one), captions and traffic, built without starting anything. `startServer` (`server.ts`) and tests
 * call `createSite`; `server.ts` re-exports it.
 */

import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import { createAccountServices } from './accounts/index.js';
import {
  CaptionRepository,
  ChannelRepository,
  CollectionRepository,
  CommunityRepository,
  DerivativeRepository,
  ItemRepository,
  ModerationRepository,
  QuotaRepository,
  SearchRepository,
  SessionRepository,
  SettingsRepository,
  SiteAccounts,
  type SiteLinks,
  SiteSettings,
  TokenRepository,
  UploadRepository,
  UserRepository,
} from './catalog/index.js';
import { DEFAULT_QUOTAS, type QuotaConfig } from './config.js';
import type { MailConfig } from './config-mail.js';
import type { Database } from './db/index.js';
import {
  Fixity,
  type FixitySettings,
  Seeding,
  SqlFixityStore,
  SqlTrafficStore,
  Traffic,
} from './distribution/index.js';
import type { Engine } from './engine/index.js';
import type { JobQueue } from './jobs/index.js';
import { Captions, MediaAnalyzer, MediaProcessing } from './media/index.js';
import { Archiver, Publisher, SharedUploadParts, StorageGuard, Uploads } from './publishing/index.js';
import type { BlobStore } from './storage/index.js';
import type { TorrentFormat } from './torrent/format.js';
import type { SiteServices } from './web/app.js';
import type { RateLimit } from './web/limits.js';
import { sessionUser } from './web/session.js';

export interface SiteParts {
  db: Database;
  blobs: BlobStore;
  engine: Engine;
  links: SiteLinks;
  stagingRoot: string;
  /** Folder of tus uploads (default: `uploads` in the folder holding `tmp/`). */
  uploadsRoot?: string;
  /** Folder for archiving torrent-only items (inside the data folder); absent: no archiving. */
  archiveRoot?: string;
  /** Temporary copies for media analysis (default: `media` beside the staging folder). */
  mediaTmp?: string;
  users?: UserRepository;
  /** Failed logins that lock an account (default 10 in 15 minutes; null: never). */
  loginLockout?: RateLimit | null;
  /** Storage limits and archiving bounds (default `DEFAULT_QUOTAS`). */
  quotas?: Partial<QuotaConfig>;
  /** Format of the torrents made for uploads (default v1; issue 16, format). */
  torrentFormat?: TorrentFormat;
  /** The data folder, whose disk the free-space guard watches (default: the folder holding `tmp/`). */
  dataRoot?: string;
  /** True when the blob store is on the data folder's disk. */
  blobsOnDataDisk?: boolean;
  /** STUN servers for the P2P player (`SEEDCAST_STUN`). */
  stun?: string[];
  /** The server's cap on one upload (`--limit upload-bytes`); the admin's setting may only lower it. */
  maxUploadBytes?: number;
  /** The job queue (issue 18), when the site runs one; without it media analysis runs in-process. */
  jobs?: JobQueue;
  /** Outgoing mail for password resets and address verification (issue 19); none: no mail. */
  mail?: MailConfig;
  /** Fixity checks (issue 22); default off (damage found is still reported and repaired). */
  fixity?: FixitySettings & { tickMs?: number; firstTickMs?: number; sliceMs?: number };
  /** With several site nodes (issue 22): whether this node seeds the item (`node-roster.ts`). */
  owns?: (itemId: number) => boolean;
  /** With several site nodes: tus uploads' bytes are kept as parts in the blob store too. */
  sharedUploads?: boolean;
}

/** The site's services over a database, a blob store and an engine (also used by tests). */
export function createSite(parts: SiteParts): SiteServices {
  const { db, blobs, engine, links, stagingRoot } = parts;
  const items = new ItemRepository(db);
  const q: QuotaConfig = { ...DEFAULT_QUOTAS, ...parts.quotas };
  const quotas = new QuotaRepository(db);
  const settings = new SettingsRepository(db);
  // The admin's settings (issue 19) over the configuration's quota and upload cap.
  const siteSettings = new SiteSettings(db, {
    config: { userQuota: q.userQuota, maxUploadBytes: parts.maxUploadBytes ?? Number.MAX_SAFE_INTEGER },
    p2p: settings,
  });
  const users = parts.users ?? new UserRepository(db, { lockout: parts.loginLockout });
  const guard = new StorageGuard({
    defaultQuotaOf: () => siteSettings.defaultQuota(),
    maxUploadOf: () => siteSettings.maxUploadBytes(),
    quotas,
    dataRoot: parts.dataRoot ?? dirname(dirname(stagingRoot)),
    defaultQuota: q.userQuota,
    minFreeBytes: q.minFreeBytes,
    minFreeRatio: q.minFreeRatio,
  });
  const channels = new ChannelRepository(db);
  const derivatives = new DerivativeRepository(db);
  const seeding = new Seeding({
    items,
    blobs,
    engine,
    derivatives,
    ...(parts.owns ? { owns: parts.owns } : {}),
  });
  // Fixity (issue 22): checks on the job queue, repairs through the seeding sessions.
  const fixity = new Fixity({
    store: new SqlFixityStore(db),
    items,
    blobs,
    settings: parts.fixity ?? { enabled: false, periodMs: 30 * 86_400_000, bytesPerSecond: 0 },
    ...(parts.jobs ? { jobs: parts.jobs } : {}),
    seeding,
    tmpRoot: join(dirname(stagingRoot), 'repair'),
    ...parts.fixity,
  });
  const sessions = new SessionRepository(db);
  const media = new MediaAnalyzer({
    items,
    blobs,
    tmpRoot: parts.mediaTmp ?? join(dirname(stagingRoot), 'media'),
  });
  // Media work goes through the job queue when there is one (issue 18); else the analyzer above.
  const processing = new MediaProcessing({
    derivatives,
    blobs,
    links,
    ...(parts.jobs ? { jobs: parts.jobs } : {}),
    fallback: media,
    onForget: (itemId) => seeding.derived.drop(itemId),
  });
  const archiver = parts.archiveRoot
    ? new Archiver({
        items,
        blobs,
        engine,
        seeding,
        links,
        root: parts.archiveRoot,
        onArchived: (item) => void processing.enqueue(item.id),
        concurrency: q.archiveConcurrency,
        stallMs: q.archiveStallMs,
        maxRetries: q.archiveRetries,
        guard,
        blobsOnDataDisk: parts.blobsOnDataDisk ?? false,
      })
    : undefined;
  return {
    users,
    siteSettings,
    siteAccounts: new SiteAccounts(db, { users, settings: siteSettings }),
    tokens: new TokenRepository(db),
    sessions,
    resolveUser: (request) => sessionUser(request, sessions),
    items,
    channels,
    search: new SearchRepository(db, items),
    community: new CommunityRepository(db),
    collections: new CollectionRepository(db),
    moderation: new ModerationRepository(db),
    blobs,
    seeding,
    fixity,
    links,
    stagingRoot,
    uploads: new Uploads({
      repository: new UploadRepository(db),
      root: parts.uploadsRoot ?? join(dirname(dirname(stagingRoot)), 'uploads'),
      guard,
      ...(parts.sharedUploads ? { shared: new SharedUploadParts(db, blobs) } : {}),
    }),
    media,
    processing,
    derivatives,
    ...(parts.jobs ? { jobs: parts.jobs } : {}),
    publisher: new Publisher({
      items,
      channels,
      blobs,
      seeding,
      links,
      ...(archiver ? { archiver } : {}),
      guard,
      torrentMaxBytes: q.torrentMaxBytes,
      torrentMaxFiles: q.torrentMaxFiles,
      torrentFormat: parts.torrentFormat ?? 'v1',
    }),
    quotas,
    guard,
    ...(archiver ? { archiver } : {}),
    settings,
    accounts: createAccountServices(db, { links, ...(parts.mail ? { mail: parts.mail } : {}) }),
    ...(parts.stun ? { stun: parts.stun } : {}),
    traffic: new Traffic({
      store: new SqlTrafficStore(db),
      peers: {
        trafficOf: (id) => seeding.trafficOf(id),
        itemIds: () => seeding.seededIds(),
      },
    }),
    // Captions, transcripts and chapters (issue 18): `src/media/captions-store.ts`.
    captions: new Captions({ captions: new CaptionRepository(db), blobs, links }),
    health: async () => {
      await sql`select 1`.execute(db);
    },
  };
}
