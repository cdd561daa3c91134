/**
 * Two `seedcast worker` processes against a real PostgreSQL share 20 jobs: each job is done
 * exactly once, and both workers take some.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { eventually } from '../src/jobs/contract.js';
import { EmbeddedJobQueue } from '../src/jobs/index.js';
import { postgresAvailable, startPostgres } from './helpers/postgres.js';
import { startCli, tempDir } from './helpers/tools.js';

test('two worker processes share 20 jobs, none done twice', async (t) => {
  if (!postgresAvailable(t.name)) return;
  const pg = await startPostgres();
  t.after(() => pg.stop());
  const url = await pg.createDatabase();
  const db = await openDatabase(url);
  const queue = new EmbeddedJobQueue(db);
  t.after(() => db.destroy());
  const env = { SEEDCAST_DATABASE_URL: url };
  const workers = ['a', 'b'].map((name) =>
    startCli(t, ['worker', '--data', tempDir(t, `seedcast-worker-${name}-`), '--jobs', '2'], { env }),
  );
  for (const w of workers) await w.waitFor(/worker: 2 job\(s\) at once/, 60_000);

  const jobs = [];
  for (let i = 0; i < 20; i++) jobs.push(await queue.enqueue({ kind: 'noop', payload: { ms: 250 } }));
  await eventually('all 20 jobs to be done', async () => (await queue.counts()).done === 20, 60_000);
  await new Promise((r) => setTimeout(r, 500));

  const doneBy = workers.map((w) => [...w.output().matchAll(/^done (\S+) noop$/gm)].map((m) => m[1]!));
  const all = doneBy.flat();
  assert.equal(all.length, 20, `done lines: ${all.join(' ')}`);
  assert.deepEqual(new Set(all), new Set(jobs.map((j) => j.id)));
  for (const [i, ids] of doneBy.entries()) assert.ok(ids.length > 0, `worker ${i} took no job`);
  for (const job of jobs) {
    const j = await queue.get(job.id);
    assert.equal(j?.state, 'done');
    assert.equal(j?.attempts, 1, `job ${job.id} was started ${j?.attempts} times`);
  }
  const codes = await Promise.all(workers.map((w) => w.stop('SIGTERM')));
  assert.deepEqual(codes, [0, 0]);
});
