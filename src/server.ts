/**
 * Composition root of the site: chooses adapters from the `Config`, wires the services and listens.
 * Nothing happens at import time; `startServer` opens the database (SQLite in the data folder by
 * default), the blob store (local disk by default), the tracker (swarms in memory or Redis, allowing
 * exactly the site's items; HTTP mounted in the app, UDP on the same port number), the engine (the
 * seeding peer, on `peerPort`; its WebRTC side when `@roamhq/wrtc` is installed), the archiver of torrent-only items (unless `archive` is off) and the
 * HTTP app, and returns a handle that closes them all. With `cluster` (issue 22) the process is one
 * node of several on a shared PostgreSQL, S3 store and Redis: it joins the roster of live nodes,
 * seeds the items it owns, and keeps tus uploads in the shared stores (docs/scale-out.md).
 */

import { lookup } from 'node:dns/promises';
import { chmod, mkdir, open, rm } from 'node:fs/promises';
import { type AddressInfo, isIP } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SiteLinks } from './catalog/index.js';
import { type Config, readConfig } from './config.js';
import { type Database, databaseKind, openDatabase } from './db/index.js';
import {
  ClusterNode,
  NodeRoster,
  startWebRtcPeer,
  TrackerRegistration,
  type WebRtcPeerStart,
} from './distribution/index.js';
import { Engine } from './engine/index.js';
import { openJobQueue } from './jobs/index.js';
import { type DerivativeMaker, MediaProcessing } from './media/index.js';
import { isPublicAddress, OutboundPolicy } from './net/index.js';
import { removeAbandonedItems, removeOrphanDraftBlobs } from './publishing/index.js';
import { createSite } from './site-services.js';
import { type BlobStore, LocalDiskStore, openBlobStore } from './storage/index.js';
import {
  ConnectionIds,
  createStore,
  listenUdpTracker,
  rateLimited,
  TrackerService,
  WsCluster,
} from './tracker/index.js';
import { buildApp, type SiteServices } from './web/app.js';
import { type LimitOverrides, siteLimits } from './web/limits.js';
import { RedisRateLimitStore } from './web/rate-limit-store.js';
import { requestLogger } from './web/request-log.js';
import { startJobWorkers } from './worker.js';

export interface RunningServer {
  url: string;
  /** The seeding peer's TCP port. */
  peerPort: number;
  /** The seeding peer's WebRTC side: the peer (undefined when off) and the line saying why. */
  webrtc: WebRtcPeerStart;
  app: FastifyInstance;
  site: SiteServices;
  close(): Promise<void>;
}

export interface ServerExtras {
  logger?: boolean | Record<string, unknown>;
  /** Where operator warnings go (damaged or failed seeding); default: the app's logger. */
  log?: (message: string) => void;
  limits?: LimitOverrides;
  /** Wraps the blob store (tests inject storage failures at this boundary). */
  wrapBlobs?: (blobs: BlobStore) => BlobStore;
  /** Replaces the media jobs' derivative maker (tests). */
  maker?: DerivativeMaker;
  /** Fixity's scheduler timings (tests shorten them). */
  fixity?: { tickMs?: number; firstTickMs?: number; sliceMs?: number };
}

/** Starts the site; `config` is `readConfig(...)`'s result (or any part of it, for tests). */
export async function startServer(
  config: Partial<Config> = {},
  extras: ServerExtras = {},
): Promise<RunningServer> {
  // The DHT is off unless the caller's config turns it on (`seedcast serve` does, by default), so a
  // site started in-process (tests, embedding) never contacts the public DHT routers unasked.
  // Periodic fixity checks likewise (`seedcast serve` passes the whole config, with them on by default).
  const c: Config = {
    ...readConfig({}, {}),
    dht: { enabled: false, bootstrap: undefined },
    fixity: { ...readConfig({}, {}).fixity, enabled: false },
    ...config,
  };
  const startedAt = Date.now();
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    await privateFolder(c.data);
    await privateFolder(join(c.data, 'tmp'));
    if (!c.databaseUrl) await privateFile(join(c.data, 'seedcast.db'));
    if (!c.storageUrl) await privateFolder(join(c.data, 'blobs'));
    const db: Database = await openDatabase(c.databaseUrl ?? { sqlite: join(c.data, 'seedcast.db') });
    closers.push(() => db.destroy());
    const opened: BlobStore = openBlobStore(c.storageUrl ?? { local: join(c.data, 'blobs') });
    const blobs = extras.wrapBlobs ? extras.wrapBlobs(opened) : opened;
    closers.push(() => blobs.close());
    if (opened instanceof LocalDiskStore) await opened.sweepTemporary();
    // Several nodes serving one site (issue 22): this node's place in the roster of live nodes.
    const roster = c.cluster && c.redisUrl ? await NodeRoster.connect(c.redisUrl, c.cluster) : undefined;
    if (roster) closers.push(() => roster.close());
    const stagingRoot = join(c.data, 'tmp', 'uploads');
    await rm(stagingRoot, { recursive: true, force: true }); // uploads cut short by a crash
    await privateFolder(stagingRoot);
    const mediaTmp = join(c.data, 'tmp', 'media');
    await rm(mediaTmp, { recursive: true, force: true }); // copies a stop cut short
    // The job queue (issue 18): embedded in the database by default, or BullMQ.
    const jobs = await openJobQueue(db, {
      backend: c.jobs.queue,
      databaseUrl: c.databaseUrl,
      redisUrl: c.redisUrl,
      leaseMs: c.jobs.leaseMs,
    });
    closers.push(() => jobs.close());

    // A permanent seed: super-seeding gives the swarm one copy of each piece and lets it copy the rest.
    const links = new SiteLinks(c.publicUrl);
    // Trackers and web seeds named in user torrents, and peers named by peers (PEX), are contacted
    // only at public addresses; the site's own tracker and web seed (and the peers that announced to
    // it) are trusted.
    const policy = new OutboundPolicy({ allowPrivate: c.allowPrivateUrls });
    const engine = new Engine({
      port: c.peerPort,
      host: c.host,
      superSeed: true,
      policy,
      trusted: (url) => isOwnUrl(links, url),
      // A site on a public URL takes no inside address from its own tracker: that is a same-host
      // proxy's address (without --trust-proxy), and dialling it would reach the site's own network.
      trustInsidePeers: () => policy.allowPrivate || isInsideHost(new URL(links.root).hostname),
      // The site's peer joins the DHT (BEP 5) on the UDP port of its number: every item announced, and
      // torrent-only items looked up there too; nodes and peers under the outbound policy.
      dht: c.dht.enabled && {
        ...(c.dht.bootstrap ? { bootstrap: c.dht.bootstrap } : {}),
        statePath: join(c.data, 'dht.json'),
      },
    });
    // resumable uploads live outside tmp/ (wiped above): they survive a restart
    const uploadsRoot = join(c.data, 'uploads');
    // A node's upload files are a cache of the parts in the shared store (`uploads-shared.ts`).
    if (roster) await rm(uploadsRoot, { recursive: true, force: true });
    await privateFolder(uploadsRoot);
    const archiveRoot = c.archive ? join(c.data, 'tmp', 'archive') : undefined;
    const limits = { ...c.limits, ...extras.limits };
    const parts = { db, blobs, engine, links, stagingRoot, uploadsRoot, archiveRoot, mediaTmp };
    const site = createSite({
      ...parts,
      jobs,
      loginLockout: limits.loginLockout,
      quotas: c.quotas,
      torrentFormat: c.torrentFormat,
      dataRoot: c.data,
      blobsOnDataDisk: opened instanceof LocalDiskStore,
      stun: c.webrtc.stun,
      mail: c.mail,
      maxUploadBytes: siteLimits(limits).uploadBytes,
      fixity: { ...c.fixity, ...extras.fixity },
      ...(roster ? { owns: (itemId: number) => roster.owns(itemId), sharedUploads: true } : {}),
    });
    closers.push(async () => site.media?.close());
    const cluster = roster
      ? new ClusterNode({
          roster,
          seeding: site.seeding,
          items: site.items,
          heartbeatMs: Math.round((c.cluster?.ttlMs ?? 15_000) / 3),
          log: extras.log ?? ((m) => process.stderr.write(`${m}\n`)),
        })
      : undefined;
    const tracker = new TrackerService({
      store: await createStore({ redisUrl: c.redisUrl }),
      // With other nodes: a hash unknown here is looked up in the shared catalog (`cluster.ts`).
      allow: cluster ? cluster.allow(site.seeding.allow) : site.seeding.allow,
      // A publisher's client may announce before the torrent is published: tracked for a grace window.
      ...(c.trackerGrace > 0 ? { grace: { ttl: c.trackerGrace } } : {}),
    });
    closers.push(() => tracker.close());
    const peerPort = await engine.listen(c.peerPort);
    closers.push(() => engine.close());
    // The seeding peer answers WebTorrent offers the WebSocket tracker hands it (browsers, WebTorrent
    // clients): a hybrid peer, when the optional @roamhq/wrtc loads; `webrtc.status` says which.
    const webrtc = await startWebRtcPeer(
      { engine, seeding: site.seeding, log: (m) => extras.log?.(m) },
      {
        enabled: c.webrtc.enabled,
        maxConnections: c.webrtc.maxConnections,
        config: { iceServers: c.webrtc.stun.length > 0 ? [{ urls: c.webrtc.stun }] : [] },
      },
    );
    closers.push(async () => webrtc.peer?.close());
    tracker.wsLocalPeer = webrtc.peer; // the WebSocket tracker hands it offers (one per announce)
    // With other nodes, WebSocket (browser) swarms are shared in Redis too (`ws-cluster.ts`).
    if (roster && c.redisUrl)
      tracker.wsCluster = await WsCluster.connect(c.redisUrl, { nodeId: roster.nodeId });
    if (tracker.wsCluster) closers.push(() => tracker.wsCluster!.close());
    if (site.archiver) {
      const archiver = site.archiver;
      closers.push(() => archiver.close());
    }

    // Counts are flushed every 30 s and once more after the app stops answering (closers run in reverse).
    site.traffic?.start();
    closers.push(async () => site.traffic?.close());
    // With Redis, rate limits count there: one client's budget holds across the site's nodes.
    const rateLimitStore = c.redisUrl ? await RedisRateLimitStore.connect(c.redisUrl) : undefined;
    if (rateLimitStore) closers.push(() => rateLimitStore.close());
    const app = buildApp({
      tracker,
      site,
      rateLimitStore,
      logger: extras.logger ?? (c.logLevel ? requestLogger(c.logLevel) : false),
      limits,
      metricsToken: c.metricsToken,
      trustProxy: fastifyTrustProxy(c.trustProxy),
    });
    closers.push(() => app.close());
    await app.listen({ host: c.host, port: c.port });
    const port = (app.server.address() as AddressInfo).port;
    const shownHost = c.host.includes(':') ? `[${c.host}]` : c.host;
    const url = `http://${shownHost}:${port}`;
    if (!c.publicUrl) links.setBase(url);
    links.setUdpPort(port); // the UDP tracker below listens on the site's port number

    const udp = await listenUdpTracker(c.host, port, tracker, {
      log: rateLimited({ warn: (m) => app.log.warn(m) }),
      // With other nodes, one secret for BEP 15 connection ids: connect on one node, announce on another.
      ...(roster
        ? { connectionIds: new ConnectionIds({ key: await roster.sharedSecret('udp-connection-ids') }) }
        : {}),
    });
    closers.push(() => udp.close());
    const sweep = setInterval(() => tracker.sweep().catch(() => undefined), 60_000);
    sweep.unref();
    // Every 10 minutes: expired tus uploads, and used or expired one-time account links (issue 19).
    const uploadSweep = setInterval(() => {
      site.uploads.sweep().catch(() => undefined);
      site.accounts?.tokens.purgeExpired().catch(() => undefined);
    }, 600_000);
    uploadSweep.unref();
    closers.push(async () => clearInterval(uploadSweep));
    const expired = await site.uploads.sweep();
    if (expired > 0) app.log.info(`removed ${expired} expired upload(s)`);
    closers.push(async () => clearInterval(sweep));

    // A publish cut short by a crash left a hidden pending item: on SQLite (one process) every
    // pending item older than this start is abandoned; PostgreSQL may be shared by other nodes.
    const abandoned = await removeAbandonedItems(
      site.items,
      blobs,
      databaseKind(db) === 'sqlite' ? { now: () => startedAt, olderThanMs: 0 } : { olderThanMs: 600_000 },
    );
    if (abandoned > 0) app.log.warn(`removed ${abandoned} item(s) left half-published by a crash`);
    const orphans = await removeOrphanDraftBlobs(site.items, blobs);
    if (orphans > 0) app.log.warn(`removed ${orphans} file blob(s) of uploads cut short by a crash`);
    site.seeding.setLog(extras.log ?? ((m) => app.log.warn(m)));
    // The site's peer joins its own tracker's swarms in process, not by announcing to itself over the
    // network; items start on trust unless `--recheck` (docs/scale.md).
    const ownTracker = new TrackerRegistration({
      tracker,
      isOwn: (u) => links.trackers().includes(u),
      peerId: engine.peerId,
      port: () => engine.port,
      address: await ownPeerAddress(links),
      log: (m) => app.log.warn(m),
    });
    closers.push(async () => ownTracker.close());
    site.seeding.configure({ recheck: c.recheck, ownTracker });
    // Pieces the fixity checks found damaged stay missing at a trusted start, until repaired.
    if (site.fixity) {
      const damage = await site.fixity.knownDamage();
      site.seeding.damagedSource = (itemId) => damage.get(itemId);
    }
    await cluster?.prime();
    await site.seeding.start();
    if (cluster) {
      cluster.start();
      // Stopped first on close: a rebalance must not add sessions to an engine that is closing.
      closers.push(() => cluster.close());
    }
    // Torrent-only items not yet archived carry on (pieces already downloaded are kept).
    site.archiver?.setLog((m) => app.log.warn(m));
    await site.archiver?.resume();
    site.media?.setLog((m) => app.log.warn(m));
    // Derivatives torrents a `seedcast worker` made elsewhere are picked up from the database.
    const stopWatch = site.seeding.derived.watch();
    closers.push(async () => stopWatch());
    // Items published before this start and never analysed: queued (or analysed in-process).
    if (site.processing instanceof MediaProcessing) {
      site.processing.setLog((m) => app.log.warn(m));
      void site.processing.catchUp();
    }
    if (!site.jobs) void site.media?.catchUp();
    // This process's job workers (`--jobs N`; 0 leaves the jobs to `seedcast worker` processes).
    const workers = startJobWorkers(
      jobs,
      {
        items: site.items,
        blobs,
        tmpRoot: mediaTmp,
        links,
        log: extras.log ?? ((m) => app.log.warn(m)),
        ...(site.derivatives ? { derivatives: site.derivatives } : {}),
        torrentFormat: c.torrentFormat,
        // Seeded at once by this process's peer (a `seedcast worker`'s are found by `watch`).
        onDerivatives: (itemId) => site.seeding.derived.seed(itemId),
        ...(extras.maker ? { maker: extras.maker } : {}),
      },
      { concurrency: c.jobs.workers, handlers: site.fixity?.handlers() },
    );
    if (workers) closers.push(() => workers.close());
    // Fixity (issue 22): checks due are queued each tick; damage found is repaired from the swarm.
    if (site.fixity) {
      const fixity = site.fixity;
      fixity.setLog(extras.log ?? ((m) => app.log.warn(m)));
      fixity.start();
      closers.push(() => fixity.close());
    }
    return { url, peerPort, webrtc, app, site, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Makes `path` a folder only the site's user can enter (0700), creating it when missing. */
async function privateFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

/** Makes the SQLite file (and its journals, when there) readable by the site's user only (0600). */
async function privateFile(path: string): Promise<void> {
  await (await open(path, 'a', 0o600)).close(); // SQLite gives its -wal and -shm files this mode
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`])
    await chmod(p, 0o600).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
}

/** Fastify's `trustProxy` for the config's: a hop count trusts that many proxies nearest the site. */
function fastifyTrustProxy(
  value: Config['trustProxy'],
): boolean | string[] | ((a: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/**
 * True when the site's public host is inside a network: a loopback, private or link-local address, or
 * a name that only a LAN resolves (`localhost`, `.local`, `.lan`, `.internal`, `.home.arpa`, or a name
 * without a dot). Peers there may announce from inside addresses of their own.
 */
export function isInsideHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) !== 0) return !isPublicAddress(host);
  return !host.includes('.') || /\.(localhost|local|lan|internal|home\.arpa)\.?$/.test(host);
}

/**
 * The address the site's peer is registered at in its own tracker: what its public URL's host
 * resolves to (where an announce to itself would have come from); loopback for a wildcard host.
 */
async function ownPeerAddress(links: SiteLinks): Promise<string> {
  const host = new URL(links.root).hostname.replace(/^\[|\]$/g, '');
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return '127.0.0.1';
  if (isIP(host) !== 0) return host;
  return (await lookup(host).catch(() => ({ address: '127.0.0.1' }))).address;
}

/** True for the site's own tracker and web seed URLs (the operator's, not a publisher's). */
export function isOwnUrl(links: SiteLinks, url: string): boolean {
  if (links.trackers().includes(url)) return true;
  try {
    // Parsed, so `..` segments cannot lead from the web seed path elsewhere.
    return new URL(url).href.startsWith(`${new URL(links.root).href.replace(/\/$/, '')}/items/`);
  } catch {
    return false;
  }
}

export { createSite, type SiteParts } from './site-services.js';
