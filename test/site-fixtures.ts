/**
 * Fixtures for the site API tests: the real site services (catalog on a given database, local blob
 * store and staging folder in a temp folder, a listening engine, the tracker) behind `buildApp`,
 * driven through `app.inject()`; and multipart bodies built the way browsers and curl build them.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SiteLinks, UserRepository } from '../src/catalog/index.js';
import type { QuotaConfig } from '../src/config.js';
import type { MailConfig } from '../src/config-mail.js';
import type { Database } from '../src/db/index.js';
import { Engine } from '../src/engine/index.js';
import type { JobQueue } from '../src/jobs/index.js';
import { createSite } from '../src/server.js';
import { LocalDiskStore, openBlobStore } from '../src/storage/index.js';
import { TrackerService } from '../src/tracker/index.js';
import { buildApp, type SiteServices } from '../src/web/app.js';
import type { LimitOverrides } from '../src/web/limits.js';

export const BASE = 'http://site.test';

export interface TestSite {
  app: FastifyInstance;
  site: SiteServices;
  tracker: TrackerService;
  dir: string;
  /** Every file under the temp folder, relative paths (to prove nothing lands elsewhere). */
  files(): string[];
  close(): Promise<void>;
}

export async function openTestSite(
  db: Database,
  options: {
    limits?: LimitOverrides;
    storageUrl?: string;
    metricsToken?: string;
    quotas?: Partial<QuotaConfig>;
    /** The site's torrent format (default v1, as `seedcast serve`). */
    torrentFormat?: 'v1' | 'hybrid';
    /** The job queue (issue 18), for the admin jobs view. */
    jobs?: JobQueue;
    /** Outgoing mail (issue 19, accounts): an SMTP server on loopback. */
    mail?: MailConfig;
  } = {},
): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-site-'));
  const stagingRoot = join(dir, 'tmp', 'uploads');
  mkdirSync(stagingRoot, { recursive: true });
  const blobs = options.storageUrl
    ? openBlobStore(options.storageUrl)
    : new LocalDiskStore(join(dir, 'blobs'));
  const engine = new Engine({ host: '127.0.0.1' });
  await engine.listen(0);
  const site = createSite({
    db,
    blobs,
    engine,
    links: new SiteLinks(BASE),
    stagingRoot,
    users: new UserRepository(db, { scrypt: { N: 2 ** 10 }, lockout: options.limits?.loginLockout }),
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.torrentFormat ? { torrentFormat: options.torrentFormat } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.mail ? { mail: options.mail } : {}),
  });
  const tracker = new TrackerService({ allow: site.seeding.allow });
  const app = buildApp({ tracker, site, limits: options.limits, metricsToken: options.metricsToken });
  await app.ready();
  return {
    app,
    site,
    tracker,
    dir,
    files: () =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1)),
    async close() {
      await site.media?.close();
      await app.close();
      await engine.close();
      await tracker.close();
      await blobs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Part {
  name: string;
  value: string | Uint8Array;
  filename?: string;
  type?: string;
}

/** A multipart/form-data body, written byte by byte (so tests can send any file name). */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----seedcast${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.filename !== undefined) head += `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Registers an account and returns a Bearer header for it. */
export async function login(
  app: FastifyInstance,
  username = 'ada',
  password = 'correct horse',
): Promise<Record<string, string>> {
  await app.inject({ method: 'POST', url: '/api/v1/users', payload: { username, password } });
  const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { username, password } });
  return { authorization: `Bearer ${res.json().token}` };
}
