/**
 * Unit-level route tests of the player: a real `Aggregator` (with a real `Engine`) on a temp
 * `$SEEDCAST_HOME`, the app built with only the routes under test, and `inject` with the session
 * cookie and CSRF token. `completeEpisode` puts a finished download in the state and the library.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Aggregator, type DownloadRecord, libraryDir } from '../src/aggregator/index.js';
import { loadAppAssets } from '../src/app/assets.js';
import type { AppContext } from '../src/app/context.js';
import { secretFrom } from '../src/app/secret.js';
import { type AppRoutes, buildAggregatorApp } from '../src/app/server.js';
import { Engine } from '../src/engine/index.js';

export interface PlayerKit {
  ctx: AppContext;
  app: FastifyInstance;
  home: string;
  /** A request as the app's own page makes it (loopback Host, cookie, CSRF token). */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  completeEpisode(
    fields: Partial<DownloadRecord> & { id: string; file?: string; bytes?: Uint8Array },
  ): Promise<DownloadRecord>;
}

export async function playerKit(t: TestContext, routes: readonly AppRoutes[]): Promise<PlayerKit> {
  const home = mkdtempSync(join(tmpdir(), 'seedcast-app-player-'));
  const engine = new Engine();
  const aggregator = new Aggregator(home, { engine });
  await aggregator.open();
  const ctx: AppContext = {
    aggregator,
    engine,
    home,
    secret: secretFrom('ab'.repeat(32)),
    assets: await loadAppAssets(),
    lastSeen: { at: 0 },
  };
  const app = buildAggregatorApp(ctx, routes);
  t.after(async () => {
    await app.close();
    await aggregator.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });
  return {
    ctx,
    app,
    home,
    request: (options) =>
      app.inject({
        ...options,
        headers: {
          host: '127.0.0.1:8181',
          cookie: `seedcast_app=${ctx.secret.token}`,
          'x-csrf-token': ctx.secret.csrf,
          ...options.headers,
        },
      }),
    async completeEpisode(fields) {
      const { file = 'Show/Episode.mp3', bytes, ...rest } = fields;
      const path = join(libraryDir(home), file);
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
      aggregator.state.downloads.push(record);
      return record;
    },
  };
}
