/**
 * For the unit tests of the app's shows routes (`src/app/routes/shows*.test.ts`): the app built with
 * `buildAggregatorApp` on a real `Aggregator` (a temp `$SEEDCAST_HOME`, a real `Engine`) and a
 * session, to drive with `inject`.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Aggregator } from '../src/aggregator/index.js';
import { loadAppAssets } from '../src/app/assets.js';
import type { AppContext } from '../src/app/context.js';
import { showsRoutes } from '../src/app/routes/shows.js';
import { secretFrom } from '../src/app/secret.js';
import { buildAggregatorApp } from '../src/app/server.js';
import { Engine } from '../src/engine/index.js';

export interface Harness {
  app: FastifyInstance;
  ctx: AppContext;
  home: string;
  /** Headers of a logged-in page's request (add `x-csrf-token` for changes). */
  headers: Record<string, string>;
}

export async function harness(t: TestContext): Promise<Harness> {
  const home = mkdtempSync(join(tmpdir(), 'seedcast-app-shows-'));
  const engine = new Engine();
  const aggregator = new Aggregator(home, { engine });
  await aggregator.open();
  const secret = secretFrom(randomBytes(32).toString('hex'));
  const ctx: AppContext = {
    aggregator,
    engine,
    home,
    secret,
    assets: await loadAppAssets(),
    lastSeen: { at: 0 },
  };
  const app = buildAggregatorApp(ctx, [showsRoutes]);
  t.after(async () => {
    await app.close();
    await aggregator.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });
  return {
    app,
    ctx,
    home,
    headers: { host: '127.0.0.1:8181', cookie: `seedcast_app=${secret.token}`, 'x-csrf-token': secret.csrf },
  };
}

/** Waits until `check` is truthy (polled), failing after `ms`. */
export async function until<T>(what: string, check: () => T | Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function episode(host: string, n: number) {
  return {
    title: `Episode ${n}`,
    guid: `e${n}`,
    enclosure: { url: `${host}/e${n}.mp3`, type: 'audio/mpeg', length: 10 },
  };
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
