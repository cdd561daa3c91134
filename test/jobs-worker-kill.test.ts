/**
 * `kill -9` of a `seedcast worker` in the middle of a job: the job is not lost. On a real
 * PostgreSQL site database, worker A claims a long `noop` job and is killed; once A's lease runs out
 * worker B takes the job and completes it, exactly once. On the embedded queue, and on BullMQ on the
 * same PostgreSQL (its stalled-job check gives B the job).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/index.js';
import { BullJobQueue } from '../src/jobs/bullmq.js';
import { eventually } from '../src/jobs/contract.js';
import { EmbeddedJobQueue, type JobQueue } from '../src/jobs/index.js';
import { postgresAvailable, startPostgres } from './helpers/postgres.js';
import { type Running, startCli, tempDir } from './helpers/tools.js';

for (const backend of ['embedded', 'bullmq'] as const)
  test(`a job whose worker is killed with SIGKILL is completed once by another worker (${backend})`, async (t) => {
    if (!postgresAvailable(t.name)) return;
    const pg = await startPostgres();
    const url = await pg.createDatabase();
    const db = await openDatabase(url);
    const queue: JobQueue =
      backend === 'embedded' ? new EmbeddedJobQueue(db) : await BullJobQueue.open({ postgres: url });
    const started: Running[] = [];
    // Workers first, then the queue and the database, then the server they use.
    t.after(async () => {
      for (const w of started) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await Promise.all(started.map((w) => w.exited));
      await queue.close();
      await db.destroy();
      await pg.stop();
    });
    const env = { SEEDCAST_DATABASE_URL: url, SEEDCAST_JOB_LEASE: '2s', SEEDCAST_QUEUE: backend };
    const worker = (name: string) => {
      const w = startCli(t, ['worker', '--data', tempDir(t, `seedcast-worker-${name}-`), '--jobs', '1'], {
        env,
      });
      started.push(w);
      return w;
    };

    const a = worker('a');
    await a.waitFor(new RegExp(`worker: 1 job\\(s\\) at once from the ${backend} queue`), 60_000);
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
