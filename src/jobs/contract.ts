/**
 * One contract for every adapter of `JobQueue` (embedded on SQLite and PostgreSQL, BullMQ on
 * PostgreSQL and Redis): what a job goes through (claimed, done; retried with backoff, then failed
 * with its error; cancelled while running; taken over when its worker vanished; retried by hand),
 * progress, the concurrency limit, and two sets of workers never completing a job twice.
 * Each adapter's test file calls `jobQueueContract` with a factory of queues on a fresh store.
 */

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { QueueTimings } from './common.js';
import { noop } from './noop.js';
import type { Job, JobContext, JobQueue, JobState, JobWorkers } from './types.js';

/** Opens another queue on the same store, as another process would (its own connections). */
export type OpenQueue = (timings?: QueueTimings) => Promise<JobQueue>;

export interface QueueFactory {
  setup?(): Promise<void>;
  /** A fresh, empty store; every queue the opener returns shares it. */
  fresh(): Promise<OpenQueue>;
  teardown?(): Promise<void>;
}

/** Short timings so the suite runs in seconds. */
export const FAST: QueueTimings = {
  leaseMs: 2000,
  heartbeatMs: 150,
  pollMs: 50,
  backoffBaseMs: 100,
  backoffMaxMs: 1000,
  progressIntervalMs: 100,
};

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stateOf(queue: JobQueue, id: string, states: JobState[]) {
  return eventually(`job ${id} to be ${states.join('|')}`, async () => {
    const job = await queue.get(id);
    return job && states.includes(job.state) ? job : undefined;
  });
}

/** A promise with its resolve function outside (a gate a handler waits at). */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function jobQueueContract(name: string, factory: QueueFactory): void {
  describe(`job queue contract: ${name}`, () => {
    const toClose: { close(): Promise<void> }[] = [];
    let open: OpenQueue;
    const queue = async (timings: QueueTimings = FAST) => {
      const q = await open(timings);
      toClose.push(q);
      return q;
    };
    const workers = (w: JobWorkers) => {
      toClose.push(w);
      return w;
    };
    before(async () => {
      await factory.setup?.();
    });
    // Each test's workers and queues are closed after it (BullMQ holds connections per queue).
    afterEach(async () => {
      for (const c of toClose.splice(0).reverse()) await c.close().catch(() => undefined);
    });
    after(async () => {
      await factory.teardown?.();
    });
    const fresh = async () => {
      open = await factory.fresh();
      return queue();
    };

    test('a queued job is claimed, run once and done; get, list and counts show it', async () => {
      const q = await fresh();
      const job = await q.enqueue({ kind: 'echo', itemId: 5, payload: { word: 'hi' } });
      assert.equal(job.state, 'queued');
      assert.equal((await q.get(job.id))?.state, 'queued');
      const seen: Job[] = [];
      workers(q.work({ echo: async (ctx) => void seen.push(ctx.job) }, { concurrency: 1 }));
      const done = await stateOf(q, job.id, ['done']);
      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0]!.payload, { word: 'hi' });
      assert.equal(seen[0]!.itemId, 5);
      assert.equal(done.attempts, 1);
      assert.equal(done.kind, 'echo');
      assert.ok((await q.list({ states: ['done'] })).some((j) => j.id === job.id));
      assert.ok((await q.list({ itemId: 5 })).some((j) => j.id === job.id));
      assert.equal((await q.list({ itemId: 6 })).length, 0);
      assert.equal((await q.counts()).done, 1);
      assert.equal(await q.get('999999'), undefined);
    });

    test('a failing job is retried with growing backoff, then failed with its error', async () => {
      const q = await fresh();
      const times: number[] = [];
      workers(
        q.work(
          {
            flaky: async () => {
              times.push(Date.now());
              throw new Error(`boom ${times.length}`);
            },
          },
          { concurrency: 1 },
        ),
      );
      const job = await q.enqueue({ kind: 'flaky', maxAttempts: 3 });
      const failed = await stateOf(q, job.id, ['failed']);
      assert.equal(times.length, 3);
      assert.equal(failed.attempts, 3);
      assert.match(failed.error ?? '', /boom 3/);
      const [a, b, c] = times as [number, number, number];
      assert.ok(b - a >= 150, `first retry after ${b - a} ms, want at least 2 x 100 ms`);
      assert.ok(c - b >= 350, `second retry after ${c - b} ms, want at least 4 x 100 ms`);
      assert.equal((await q.counts()).failed, 1);
      assert.ok((await q.list({ states: ['failed'] })).some((j) => j.id === job.id));
    });

    test('retry() queues a failed job again with fresh attempts; a done job cannot be retried', async () => {
      const q = await fresh();
      let fail = true;
      workers(
        q.work(
          {
            once: async () => {
              if (fail) throw new Error('not yet');
            },
          },
          { concurrency: 1 },
        ),
      );
      const job = await q.enqueue({ kind: 'once', maxAttempts: 1 });
      assert.match((await stateOf(q, job.id, ['failed'])).error ?? '', /not yet/);
      fail = false;
      assert.equal(await q.retry(job.id), true);
      const done = await stateOf(q, job.id, ['done']);
      assert.equal(done.attempts, 1);
      assert.equal(await q.retry(job.id), false);
      assert.equal(await q.retry('404404'), false);
    });

    test("cancelItem cancels the item's queued jobs and aborts its running handler", async () => {
      const q = await fresh();
      const started = gate();
      let abortedAt = 0;
      workers(
        q.work(
          {
            long: async (ctx) => {
              started.open();
              await aborted(ctx.signal).catch((err) => {
                abortedAt = Date.now();
                throw err;
              });
            },
          },
          { concurrency: 1 },
        ),
      );
      const running = await q.enqueue({ kind: 'long', itemId: 7 });
      await started.promise;
      const waiting = await q.enqueue({ kind: 'long', itemId: 7, delayMs: 60_000 });
      const other = await q.enqueue({ kind: 'long', itemId: 8, delayMs: 60_000 });
      const cancelledAt = Date.now();
      assert.equal(await q.cancelItem(7), 2);
      await eventually('the handler to be aborted', async () => abortedAt > 0, 5000);
      assert.ok(abortedAt - cancelledAt < 3000, `aborted after ${abortedAt - cancelledAt} ms`);
      assert.equal((await stateOf(q, running.id, ['cancelled'])).state, 'cancelled');
      // A queued job is marked cancelled (embedded) or removed from the queue (BullMQ).
      const w = await q.get(waiting.id);
      assert.ok(w === undefined || w.state === 'cancelled', `the queued job is ${w?.state}`);
      assert.equal((await q.get(other.id))?.state, 'queued');
      assert.equal(await q.cancelItem(7), 0);
    });

    test('a job whose worker vanished is run again by another worker, and completed once', async () => {
      const q = await fresh();
      // Worker A's lease lapses (no heartbeat before it runs out), as if the process was killed.
      const stale = await queue({ ...FAST, leaseMs: 400, heartbeatMs: 60_000 });
      const started = gate();
      const release = gate();
      let aRuns = 0;
      workers(
        stale.work(
          {
            slow: async () => {
              aRuns++;
              started.open();
              await release.promise; // ignores its signal: a worker that is gone
            },
          },
          { concurrency: 1 },
        ),
      );
      const job = await q.enqueue({ kind: 'slow' });
      await started.promise;
      let bRuns = 0;
      workers(q.work({ slow: async () => void bRuns++ }, { concurrency: 1 }));
      const done = await stateOf(q, job.id, ['done']);
      assert.equal(bRuns, 1);
      assert.equal(done.attempts, 2);
      release.open(); // A comes back and finishes: its result must not count
      await new Promise((r) => setTimeout(r, 500));
      const after = await q.get(job.id);
      assert.equal(after?.state, 'done');
      assert.equal(after?.attempts, 2);
      assert.equal(aRuns, 1);
    });

    test('progress reported by a handler is visible through get and list', async () => {
      const q = await fresh();
      const release = gate();
      workers(
        q.work(
          {
            halfway: async (ctx) => {
              ctx.progress(0.5);
              await release.promise;
            },
          },
          { concurrency: 1 },
        ),
      );
      const job = await q.enqueue({ kind: 'halfway' });
      await eventually('progress 0.5', async () => (await q.get(job.id))?.progress === 0.5);
      const listed = (await q.list({ states: ['running'] })).find((j) => j.id === job.id);
      assert.equal(listed?.progress, 0.5);
      assert.equal(listed?.state, 'running');
      release.open();
      await stateOf(q, job.id, ['done']);
    });

    test('no more handlers run at once than the concurrency setting', async () => {
      const q = await fresh();
      let now = 0;
      let most = 0;
      const w = workers(
        q.work(
          {
            busy: async () => {
              most = Math.max(most, ++now);
              await new Promise((r) => setTimeout(r, 120));
              now--;
            },
          },
          { concurrency: 2 },
        ),
      );
      const jobs = await Promise.all(Array.from({ length: 6 }, () => q.enqueue({ kind: 'busy' })));
      for (const j of jobs) await stateOf(q, j.id, ['done']);
      await w.idle();
      assert.equal(most, 2);
    });

    test('two sets of workers share 20 jobs and complete each exactly once', async () => {
      const q = await fresh();
      const other = await queue();
      const runs = new Map<string, number>();
      const by = { a: 0, b: 0 };
      const handler = (who: 'a' | 'b') => async (ctx: JobContext) => {
        runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
        by[who]++;
        await new Promise((r) => setTimeout(r, 20));
      };
      workers(q.work({ share: handler('a') }, { concurrency: 3 }));
      workers(other.work({ share: handler('b') }, { concurrency: 3 }));
      const jobs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => q.enqueue({ kind: 'share', payload: { i } })),
      );
      for (const j of jobs) await stateOf(q, j.id, ['done']);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(runs.size, 20);
      for (const [id, n] of runs) assert.equal(n, 1, `job ${id} ran ${n} times`);
      assert.equal(by.a + by.b, 20);
      assert.equal((await q.counts()).done, 20);
    });

    test('closing the workers gives a running job back to the queue; noop runs', async () => {
      const q = await fresh();
      const started = gate();
      const w = q.work(
        {
          hold: async (ctx) => {
            started.open();
            await aborted(ctx.signal);
          },
        },
        { concurrency: 1 },
      );
      const job = await q.enqueue({ kind: 'hold' });
      await started.promise;
      await w.close();
      const back = await stateOf(q, job.id, ['queued']);
      assert.equal(back.error, null);
      workers(q.work({ hold: async () => undefined, noop }, { concurrency: 1 }));
      await stateOf(q, job.id, ['done']);
      const n = await q.enqueue({ kind: 'noop', payload: { ms: 30 } });
      await stateOf(q, n.id, ['done']);
    });
  });
}
