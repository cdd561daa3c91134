/**
 * `kill -9` of a `seedcast worker` in the middle of a job: the job is not lost. On a real
 * PostgreSQL site database, worker A claims a long `noop` job and is killed; once A's lease runs out
 * worker B takes the job and completes it, exactly once.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { eventually } from '../src/jobs/contract.js';
import { EmbeddedJobQueue } from '../src/jobs/index.js';
import { postgresAvailable, startPostgres } from './helpers/postgres.js';
import { startCli, tempDir } from './helpers/tools.js';

test('a job whose worker is killed with SIGKILL is completed once by another worker', async (t) => {
  if (!postgresAvailable(t.name)) return;
  const pg = await startPostgres();
  t.after(() => pg.stop());
  const url = await pg.createDatabase();
  const db = await openDatabase(url);
  const queue = new EmbeddedJobQueue(db);
  t.after(() => db.destroy());
  const env = { SEEDCAST_DATABASE_URL: url, SEEDCAST_JOB_LEASE: '2s' };
  const worker = (name: string) =>
    startCli(t, ['worker', '--data', tempDir(t, `seedcast-worker-${name}-`), '--jobs', '1'], { env });

  const a = worker('a');
  await a.waitFor(/worker: 1 job\(s\) at once from the embedded queue/, 60_000);
  const job = await queue.enqueue({ kind: 'noop', payload: { ms: 5000 } });
  const running = await eventually('worker A to claim the job', async () => {
    const j = await queue.get(job.id);
    return j?.state === 'running' ? j : undefined;
  });
  assert.equal(running.attempts, 1);
  a.child.kill('SIGKILL');
  assert.equal(await a.exited, null);
  assert.equal((await queue.get(job.id))?.state, 'running', 'the killed worker left the job running');

  const b = worker('b');
  const [line] = await b.waitFor(new RegExp(`done ${job.id} noop`), 60_000);
  assert.ok(line);
  const done = await queue.get(job.id);
  assert.equal(done?.state, 'done');
  assert.equal(done?.attempts, 2, 'run by A, then by B');
  // B completed it once; A (killed) never did.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(b.output().match(new RegExp(`^done ${job.id} `, 'gm'))?.length, 1);
  assert.doesNotMatch(a.output(), /^done /m);
  assert.equal((await queue.get(job.id))?.state, 'done');
  await b.stop('SIGTERM');
});
