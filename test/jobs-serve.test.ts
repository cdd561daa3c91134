/**
 * The job queue inside `seedcast serve` (SQLite, the defaults): the site's own worker runs a queued
 * `noop` job and the admin API lists it; with `--jobs 0` the site runs none, and a `seedcast worker`
 * on the same data folder takes the job instead.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { eventually } from '../src/jobs/contract.js';
import { EmbeddedJobQueue } from '../src/jobs/index.js';
import { startSiteProc } from './helpers/site-proc.js';
import { startCli } from './helpers/tools.js';

test('serve runs jobs in its process (--jobs), or leaves them to seedcast worker (--jobs 0)', async (t) => {
  const site = await startSiteProc(t, { flags: ['--no-dht', '--no-webrtc'] });
  const db = await openDatabase({ sqlite: join(site.data, 'seedcast.db') });
  t.after(() => db.destroy());
  const queue = new EmbeddedJobQueue(db);
  const auth = { headers: { authorization: `Bearer ${site.token}` } };

  const first = await queue.enqueue({ kind: 'noop', payload: { ms: 100 } });
  await eventually(
    'the site to run the job',
    async () => (await queue.get(first.id))?.state === 'done',
    20_000,
  );
  const listed = await site.api('/api/v1/admin/jobs?state=done', auth);
  assert.equal(listed.backend, 'embedded');
  assert.deepEqual(
    listed.jobs.map((j: { id: string; kind: string }) => [j.id, j.kind]),
    [[first.id, 'noop']],
  );

  await site.restart(['--no-dht', '--no-webrtc', '--jobs', '0']);
  const second = await queue.enqueue({ kind: 'noop' });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await queue.get(second.id))?.state, 'queued', 'a site with --jobs 0 runs no job');
  const worker = startCli(t, ['worker', '--data', site.data]);
  await worker.waitFor(new RegExp(`^done ${second.id} noop$`, 'm'), 60_000);
  assert.equal((await queue.get(second.id))?.state, 'done');
  assert.equal(await worker.stop('SIGTERM'), 0);
});
