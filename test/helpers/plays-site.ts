/**
 * A site that makes derivatives, for the "plays everywhere" browser tests: `startServer` on a
 * temporary data folder, which runs the media jobs in its own process (`--jobs`, default 1) on the
 * embedded queue in its SQLite file.
 */

import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type RunningServer, startServer } from '../../src/server.js';
import { freePort, tempDir } from './tools.js';

export async function startPlaysSite(t: TestContext): Promise<RunningServer> {
  const dir = tempDir(t, 'seedcast-plays-');
  const server = await startServer({
    host: '127.0.0.1',
    port: await freePort(),
    data: join(dir, 'data'),
    webrtc: { enabled: false, maxConnections: 10, stun: [] },
  });
  t.after(() => server.close());
  if (!server.site.jobs) throw new Error('the site runs no job queue: media processing cannot run');
  return server;
}
