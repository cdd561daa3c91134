/**
 * A site that makes derivatives, for the "plays everywhere" browser tests: `startServer` on a
 * temporary data folder, with its job queue and in-process workers. When `startServer` runs jobs
 * itself (`site.jobs`, the `--jobs` wiring) nothing more is done; until then this helper wires the
 * same pieces the way `seedcast serve` will: an embedded queue on the site's SQLite file, given to
 * the site's `MediaProcessing`, and workers running `mediaJobHandlers` (marked in the test output as
 * an integration stand-in).
 */

import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DerivativeRepository } from '../../src/catalog/index.js';
import { openDatabase } from '../../src/db/index.js';
import { EmbeddedJobQueue } from '../../src/jobs/index.js';
import { MediaProcessing, mediaJobHandlers } from '../../src/media/index.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { freePort, tempDir } from './tools.js';

export interface PlaysSite {
  server: RunningServer;
  /** Whether the test wired the queue and workers itself (startServer did not). */
  standIn: boolean;
}

export async function startPlaysSite(t: TestContext): Promise<PlaysSite> {
  const dir = tempDir(t, 'seedcast-plays-');
  const data = join(dir, 'data');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data,
    webrtc: { enabled: false, maxConnections: 10, stun: [] },
  });
  t.after(() => server.close());
  const { site } = server;
  if (site.jobs) return { server, standIn: false };
  if (!(site.processing instanceof MediaProcessing))
    throw new Error('the site has no MediaProcessing: merge i18-processing');
  const db = await openDatabase({ sqlite: join(data, 'seedcast.db') });
  const queue = new EmbeddedJobQueue(db, {});
  const derivatives = new DerivativeRepository(db);
  // the site's processing queues its jobs on this queue from now on (as createSite does with `jobs`)
  (site.processing as unknown as { options: { jobs?: unknown } }).options.jobs = queue;
  const workers = queue.work(
    mediaJobHandlers({
      items: site.items,
      blobs: site.blobs,
      queue,
      tmpRoot: join(dir, 'jobs-tmp'),
      links: site.links,
      derivatives,
      onDerivatives: () => site.seeding.derived.refresh(),
    }),
    { concurrency: 1, log: (m) => process.stderr.write(`[jobs] ${m}\n`) },
  );
  t.after(async () => {
    await workers.close();
    await queue.close();
    await db.destroy();
  });
  return { server, standIn: true };
}
