/**
 * The one kit for unit-level tests of the aggregator app (and of the aggregator itself): a real
 * `Aggregator` with a real `Engine` on a temp `$SEEDCAST_HOME` (`openAggregator`), the app built on it
 * with given routes or all of them (`appKit`, driven with `inject` as the app's own pages do: loopback
 * Host, session cookie, CSRF token), a finished download in the state and library (`completeEpisode`),
 * a probe page for the guard (`guardProbeRoutes`), and small helpers for podcast host feeds.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Aggregator, type DownloadRecord, libraryDir } from '../../src/aggregator/index.js';
import { loadAppAssets } from '../../src/app/assets.js';
import type { AppContext } from '../../src/app/context.js';
import { AppLayout, CsrfField } from '../../src/app/layout.js';
import { hashAppPassword } from '../../src/app/password.js';
import { APP_ROUTES } from '../../src/app/routes/index.js';
import { loadAppSecret } from '../../src/app/secret.js';
import { type AppRoutes, buildAggregatorApp, sendAppPage } from '../../src/app/server.js';
import { Engine } from '../../src/engine/index.js';
import { h } from '../../src/web/html/jsx.js';

export interface AggregatorKit {
  home: string;
  engine: Engine;
  aggregator: Aggregator;
}

interface KitOptions {
  /** Called on the new temp home before the aggregator opens it (e.g. to subscribe in its state). */
  prepare?: (home: string) => Promise<void>;
}

async function open(t: TestContext, options: KitOptions, close: Array<() => Promise<unknown>>) {
  const home = mkdtempSync(join(tmpdir(), 'seedcast-app-kit-'));
  // One hook, in order: what the caller adds first (the app), then the aggregator, the engine, the home.
  t.after(async () => {
    for (const step of close) await step();
    rmSync(home, { recursive: true, force: true });
  });
  await options.prepare?.(home);
  const engine = new Engine();
  const aggregator = new Aggregator(home, { engine });
  await aggregator.open();
  close.push(
    () => aggregator.close(),
    () => engine.close(),
  );
  return { home, engine, aggregator };
}

/** A real `Aggregator` and `Engine` on a temp `$SEEDCAST_HOME`, closed and removed after the test. */
export function openAggregator(t: TestContext, options: KitOptions = {}): Promise<AggregatorKit> {
  return open(t, options, []);
}

export interface AppKit extends AggregatorKit {
  ctx: AppContext;
  app: FastifyInstance;
  /** Headers of a logged-in page's request: loopback Host, session cookie, CSRF token. */
  headers: Record<string, string>;
  /** A request as the app's own page makes it (`headers` first, then the request's own). */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/**
 * The app on a real aggregator (as `openAggregator`) with `routes` (all of the app's by default);
 * `password` exposes the app (as `--listen` does).
 */
export async function appKit(
  t: TestContext,
  routes: readonly AppRoutes[] = APP_ROUTES,
  options: KitOptions & { password?: string } = {},
): Promise<AppKit> {
  const close: Array<() => Promise<unknown>> = [];
  const kit = await open(t, options, close);
  const ctx: AppContext = {
    aggregator: kit.aggregator,
    engine: kit.engine,
    home: kit.home,
    secret: await loadAppSecret(kit.home),
    assets: await loadAppAssets(),
    lastSeen: { at: 0 },
    ...(options.password ? { exposed: { passwordHash: await hashAppPassword(options.password) } } : {}),
  };
  const app = buildAggregatorApp(ctx, routes);
  close.unshift(() => app.close());
  const headers = {
    host: '127.0.0.1:8181',
    cookie: `seedcast_app=${ctx.secret.token}`,
    'x-csrf-token': ctx.secret.csrf,
  };
  return {
    ...kit,
    ctx,
    app,
    headers,
    request: (request) => app.inject({ ...request, headers: { ...headers, ...request.headers } }),
  };
}

/** Puts a finished download in the state (and `bytes`, if given, in the library as `file`). */
export async function completeEpisode(
  kit: AggregatorKit,
  fields: Partial<DownloadRecord> & { id: string; file?: string; bytes?: Uint8Array },
): Promise<DownloadRecord> {
  const { file = 'Show/Episode.mp3', bytes, ...rest } = fields;
  const path = join(libraryDir(kit.home), file);
  if (bytes) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
  const record: DownloadRecord = {
    feed: 'https://pod.example/feed.xml',
    guid: rest.id,
    title: `Episode ${rest.id}`,
    base: path.replace(/\.[a-z0-9]+$/, ''),
    status: 'complete',
    path,
    attempts: 0,
    queuedAt: new Date().toISOString(),
    completedAt: new Date().toISOString(),
    ...rest,
  };
  kit.aggregator.state.downloads.push(record);
  return record;
}

/** A page and a change to drive the guard with: `GET /`, `POST /api/poke` (sets `ctx.lastSeen.at` to 42). */
export const guardProbeRoutes: AppRoutes = (app, ctx) => {
  app.get('/', async (_request, reply) =>
    sendAppPage(
      reply,
      <AppLayout ctx={ctx} title="Shows" current="/">
        <form method="post" action="/api/poke">
          <CsrfField ctx={ctx} />
        </form>
      </AppLayout>,
    ),
  );
  app.post('/api/poke', async () => {
    ctx.lastSeen.at = 42;
    return { ok: true };
  });
};

/** Waiting for a condition (re-exported for the route tests). */
export { until } from './until.js';

/** Episode `n` of a podcast host's feed (`rssFeed` item; its enclosure `/e<n>.mp3` on `host`). */
export function episode(host: string, n: number) {
  return {
    title: `Episode ${n}`,
    guid: `e${n}`,
    enclosure: { url: `${host}/e${n}.mp3`, type: 'audio/mpeg', length: 10 },
  };
}

/** An urlencoded form body. */
export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
