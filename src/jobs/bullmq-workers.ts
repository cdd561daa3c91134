/**
 * The BullMQ adapter's workers in one process: a BullMQ `Worker` running our handlers `concurrency`
 * at a time, its lock being our lease (`lockDuration`, renewed every `heartbeatMs`), its stalled
 * check (every lease) giving a vanished worker's jobs to others. Every heartbeat it also reads the
 * cancelled marker of each running job and aborts the handler of a cancelled one; closing moves
 * running jobs back to wait. Prints `done`/`failed` lines through `log`, like the embedded workers.
 */

import {
  type Job as BullJob,
  createPostgresBackend,
  UnrecoverableError,
  WaitingError,
  Worker,
  withBackend,
} from 'bullmq';
import { type BullData, BullJobQueue, toJob } from './bullmq.js';
import { errorText, LeaseLost, ProgressThrottle, WorkerStopping } from './common.js';
import type { JobHandlers, JobWorkers } from './types.js';

interface Running {
  job: BullJob<BullData>;
  controller: AbortController;
}

export class BullWorkers implements JobWorkers {
  private readonly running = new Map<string, Running>();
  // biome-ignore lint/suspicious/noExplicitAny: BullMQ's generics differ per backend
  private readonly worker: Worker<BullData, any, string, any, any, any> | undefined;
  private readonly check: NodeJS.Timeout;
  private readonly log: (message: string) => void;
  private stopping = false;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly owner: BullJobQueue,
    private readonly handlers: JobHandlers,
    options: { concurrency: number; log?: (message: string) => void },
  ) {
    this.log =
      options.log ??
      (process.env.JOBS_DEBUG
        ? (m) => process.stderr.write(`[${Date.now() % 100000}] ${m}\n`)
        : () => undefined);
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const concurrency = Math.max(0, Math.floor(options.concurrency));
    const t = owner.timings;
    const opts = {
      concurrency: Math.max(1, concurrency),
      lockDuration: t.leaseMs,
      lockRenewTime: t.heartbeatMs,
      stalledInterval: t.leaseMs,
      maxStalledCount: 3,
      drainDelay: Math.max(1, Math.ceil(t.pollMs / 1000)),
      autorun: concurrency > 0,
      settings: { backoffStrategy: (attemptsMade: number) => owner.backoff(attemptsMade) },
    };
    const processor = (job: BullJob<BullData>, token?: string) => this.process(job, token);
    if ('postgres' in owner.target) {
      const { Worker: PgWorker } = withBackend(createPostgresBackend);
      this.worker = new PgWorker<BullData>(owner.name, processor, {
        connection: BullJobQueue.connection(owner.target, Math.min(20, 4 + 2 * concurrency)),
        ...opts,
      }) as unknown as Worker<BullData>;
    } else {
      this.worker = new Worker<BullData>(owner.name, processor, {
        connection: BullJobQueue.connection(owner.target),
        prefix: 'seedcast',
        ...opts,
      });
    }
    this.worker.on('error', (err) => this.log(`jobs: ${errorText(err)}`));
    this.worker.on('completed', (job) => this.log(`done ${job.id} ${job.name}`));
    this.worker.on('stalled', (id) =>
      this.log(`jobs: job ${id} stalled (its worker stopped renewing its lock); queued again`),
    );
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.finishedOn !== undefined || err instanceof UnrecoverableError;
      this.log(`${final ? 'failed' : 'retry'} ${job.id} ${job.name}: ${errorText(err)}`);
    });
    this.check = setInterval(() => void this.checkCancelled(), t.heartbeatMs);
    this.check.unref();
  }

  private async process(job: BullJob<BullData>, token: string | undefined): Promise<void> {
    if (job.data?.cancelled) throw new UnrecoverableError('cancelled');
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`this worker has no handler for jobs of kind ${job.name}`);
    const controller = new AbortController();
    const id = String(job.id);
    this.running.set(id, { job, controller });
    const progress = new ProgressThrottle(
      (fraction) => job.updateProgress(fraction),
      this.owner.timings.progressIntervalMs,
    );
    try {
      await handler({
        job: toJob(job, 'running'),
        signal: controller.signal,
        progress: (fraction) => progress.report(fraction),
        log: (message) => this.log(`job ${id} (${job.name}): ${message}`),
      });
    } catch (err) {
      const reason = controller.signal.reason;
      if (reason instanceof WorkerStopping && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (reason instanceof LeaseLost) throw new UnrecoverableError('cancelled');
      throw err instanceof Error ? err : new Error(errorText(err));
    } finally {
      progress.stop();
      this.running.delete(id);
    }
  }

  /** Aborts the handlers of running jobs whose item was cancelled. */
  private async checkCancelled(): Promise<void> {
    for (const [id, r] of this.running) {
      try {
        const fresh = (await this.owner.queue.getJob(id)) as BullJob<BullData> | undefined;
        if (fresh?.data?.cancelled && !r.controller.signal.aborted) r.controller.abort(new LeaseLost());
      } catch (err) {
        this.log(`jobs: cannot check job ${id}: ${errorText(err)}`);
      }
    }
  }

  async idle(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      if (this.running.size === 0) {
        const c = await this.owner.queue.getJobCounts('waiting', 'prioritized');
        if ((c.waiting ?? 0) + (c.prioritized ?? 0) === 0) return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    if (this.stopping) return this.closed;
    this.stopping = true;
    clearInterval(this.check);
    for (const r of this.running.values()) r.controller.abort(new WorkerStopping());
    await this.worker?.close().catch((err) => this.log(`jobs: ${errorText(err)}`));
    this.resolveClosed();
  }
}
