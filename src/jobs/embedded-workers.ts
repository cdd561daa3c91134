/**
 * The embedded queue's workers in one process: up to `concurrency` handlers at once, each job
 * claimed from the table (`embedded.ts`), its lease renewed by a heartbeat, its progress written at
 * most once a second. A heartbeat that finds the lease gone (the job was cancelled, or another
 * worker took it over after a stall) aborts the handler's signal. Idle workers poll every
 * `pollMs` and wake at once when this process queues a job. Closing gives running jobs back.
 */

import { errorText, LeaseLost, ProgressThrottle, WorkerStopping } from './common.js';
import type { Claim, EmbeddedJobQueue } from './embedded.js';
import type { JobHandlers, JobWorkers } from './types.js';

interface Running {
  claim: Claim;
  controller: AbortController;
  done: Promise<void>;
}

export class EmbeddedWorkers implements JobWorkers {
  private readonly running = new Map<string, Running>();
  private readonly kinds: string[];
  private readonly concurrency: number;
  private readonly log: (message: string) => void;
  private stopping = false;
  private nudge: (() => void) | undefined;
  private woken = true;
  private lastSweep = 0;
  private readonly unsubscribe: () => void;
  private readonly loop: Promise<void>;
  /** Resolves once `close` has finished. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly queue: EmbeddedJobQueue,
    private readonly handlers: JobHandlers,
    options: { concurrency: number; log?: (message: string) => void },
  ) {
    this.kinds = Object.keys(handlers);
    this.concurrency = Math.max(0, Math.floor(options.concurrency));
    this.log = options.log ?? (() => undefined);
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    this.unsubscribe = queue.onWake(() => this.wakeUp());
    this.loop = this.concurrency > 0 && this.kinds.length > 0 ? this.run() : Promise.resolve();
  }

  private async run(): Promise<void> {
    const { pollMs } = this.queue.timings;
    while (!this.stopping) {
      try {
        if (Date.now() - this.lastSweep >= this.queue.timings.heartbeatMs) {
          this.lastSweep = Date.now();
          await this.queue.failAbandoned();
        }
        // Woken by an enqueue or a finished job: claim at once; after a quiet poll, read first (a
        // read costs SQLite no write lock).
        const look =
          this.woken || (this.running.size < this.concurrency && (await this.queue.hasDue(this.kinds)));
        this.woken = false;
        while (look && !this.stopping && this.running.size < this.concurrency) {
          const claim = await this.queue.claim(this.kinds);
          if (!claim) break;
          if (this.stopping) {
            await this.queue.release(claim);
            break;
          }
          this.start(claim);
        }
      } catch (err) {
        this.log(`jobs: cannot claim work: ${errorText(err)}`);
      }
      if (this.stopping) break;
      if (this.woken) continue; // woken while claiming
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.nudge = done;
      });
      this.nudge = undefined;
    }
  }

  private wakeUp(): void {
    this.woken = true;
    this.nudge?.();
  }

  private start(claim: Claim): void {
    const { job } = claim;
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      this.queue.renew(claim).then(
        (held) => {
          if (!held && !controller.signal.aborted) controller.abort(new LeaseLost());
        },
        (err) => this.log(`jobs: heartbeat of job ${job.id} failed: ${errorText(err)}`),
      );
    }, this.queue.timings.heartbeatMs);
    heartbeat.unref();
    const progress = new ProgressThrottle(
      (fraction) => this.queue.progress(claim, fraction),
      this.queue.timings.progressIntervalMs,
    );
    const handler = this.handlers[job.kind]!;
    const done = (async () => {
      let error: unknown;
      let ok = false;
      try {
        await handler({
          job,
          signal: controller.signal,
          progress: (fraction) => progress.report(fraction),
          log: (message) => this.log(`job ${job.id} (${job.kind}): ${message}`),
        });
        ok = true;
      } catch (err) {
        error = err;
      } finally {
        clearInterval(heartbeat);
        progress.stop();
      }
      await this.finish(claim, controller.signal, ok, error);
    })()
      .catch((err) => this.log(`jobs: cannot record the end of job ${job.id}: ${errorText(err)}`))
      .finally(() => {
        this.running.delete(job.id);
        this.wakeUp();
      });
    this.running.set(job.id, { claim, controller, done });
  }

  private async finish(claim: Claim, signal: AbortSignal, ok: boolean, error: unknown): Promise<void> {
    const { job } = claim;
    if (signal.reason instanceof LeaseLost) {
      this.log(`jobs: job ${job.id} (${job.kind}) was cancelled or taken over; its result is dropped`);
      return;
    }
    if (ok) {
      if (await this.queue.complete(claim)) this.log(`done ${job.id} ${job.kind}`);
      else this.log(`jobs: job ${job.id} (${job.kind}) finished after losing its lease; not recorded`);
      return;
    }
    if (signal.reason instanceof WorkerStopping) {
      await this.queue.release(claim);
      return;
    }
    const text = errorText(error);
    if (await this.queue.fail(claim, text)) {
      const final = job.attempts >= job.maxAttempts;
      this.log(final ? `failed ${job.id} ${job.kind}: ${text}` : `retry ${job.id} ${job.kind}: ${text}`);
    }
  }

  async idle(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      if (this.running.size === 0 && !(await this.queue.hasDue(this.kinds))) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    if (this.stopping) return this.closed;
    this.stopping = true;
    this.unsubscribe();
    this.nudge?.();
    for (const r of this.running.values()) r.controller.abort(new WorkerStopping());
    await this.loop.catch(() => undefined);
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.resolveClosed();
  }
}
