/**
 * Tests' app (not shipped in any route list): a real `Aggregator` and `Engine` on a temp home, the
 * guard, the status and login routes, and a probe page and change (`GET /`, `POST /api/poke`, which
 * sets `ctx.lastSeen.at` to 42) to drive the guard with.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Aggregator } from '../aggregator/index.js';
import { Engine } from '../engine/index.js';
import { h } from '../web/html/jsx.js';
import { loadAppAssets } from './assets.js';
import type { AppContext } from './context.js';
import { AppLayout, CsrfField } from './layout.js';
import { hashAppPassword } from './password.js';
import { loginRoutes } from './routes/login.js';
import { statusRoutes } from './routes/status.js';
import { loadAppSecret } from './secret.js';
import { type AppRoutes, buildAggregatorApp, sendAppPage } from './server.js';

/** A page and a change to drive the guard with (the features' own routes are tested beside them). */
const probe: AppRoutes = (app, ctx) => {
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

export async function appForTest(
  t: TestContext,
  options: { password?: string } = {},
): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const home = mkdtempSync(join(tmpdir(), 'seedcast-app-guard-'));
  const engine = new Engine();
  const aggregator = new Aggregator(home, { engine });
  await aggregator.open();
  const ctx: AppContext = {
    aggregator,
    engine,
    home,
    secret: await loadAppSecret(home),
    assets: await loadAppAssets(),
    lastSeen: { at: 0 },
    ...(options.password ? { exposed: { passwordHash: await hashAppPassword(options.password) } } : {}),
  };
  const app = buildAggregatorApp(ctx, [statusRoutes, loginRoutes, probe]);
  t.after(async () => {
    await app.close();
    await aggregator.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { app, ctx };
}
