/**
 * Runs a `HashPlan` on several threads: worker threads (one per core by default) and, when asked,
 * the main thread too, all taking jobs from one shared counter (see `hash-core.ts`). Reports progress
 * by polling the shared byte counter, stops every thread on abort or on the first error.
 *
 * The worker is `hash-worker.js` beside this file once compiled; when running from the TypeScript
 * sources (tsx, in development and tests) the worker is started through a tiny bootstrap that
 * registers tsx's loader in the worker thread and then imports `hash-worker.ts`.
 */

import { availableParallelism } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { ERRORS, type ErrorCode, SeedcastError } from '../errors.js';
import {
  bytesHashed,
  createShared,
  Hasher,
  type HashPlan,
  type HashShared,
  jobCount,
  requestStop,
} from './hash-core.js';

export interface HashRunOptions {
  /** Hashing threads in all (default: one per core). */
  threads?: number;
  /** Let the main thread hash too, as one of `threads` (saves a worker's start-up; blocks the event loop in ~20 ms slices). */
  mainThread?: boolean;
  /** Called with (bytes hashed, total bytes) at most every `progressInterval` ms and once at the end. */
  onProgress?: (bytesHashed: number, totalBytes: number) => void;
  progressInterval?: number;
  signal?: AbortSignal;
}

const MAIN_SLICE_MS = 20;

/** Hash every piece of `plan`; resolves to the shared memory holding the results. */
export async function runHashPlan(
  plan: HashPlan,
  totalBytes: number,
  options: HashRunOptions = {},
): Promise<HashShared> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const shared = createShared(plan);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobCount(plan)));
  const mainThread = options.mainThread === true;
  const workerCount = mainThread ? threads - 1 : threads;

  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    requestStop(shared);
  };
  const onAbort = () => fail(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
  signal?.addEventListener('abort', onAbort, { once: true });

  let reported = -1;
  const report = () => {
    const done = bytesHashed(shared);
    if (done !== reported && onProgress) {
      reported = done;
      onProgress(done, totalBytes);
    }
  };
  const timer = onProgress ? setInterval(report, options.progressInterval ?? 100) : undefined;

  const workers: Promise<void>[] = [];
  for (let i = 0; i < workerCount; i++) workers.push(runWorker(plan, shared).catch(fail));
  try {
    if (mainThread) {
      const hasher = new Hasher(plan, shared);
      try {
        let sliceStart = performance.now();
        while (hasher.step()) {
          if (performance.now() - sliceStart > MAIN_SLICE_MS) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
        }
      } catch (err) {
        fail(err);
      } finally {
        hasher.close();
      }
    }
    await Promise.all(workers);
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure;
  report();
  return shared;
}

/** Workers started ahead of need, idle until given a plan. */
const spares: Worker[] = [];

/**
 * Start `count` hashing workers now, so their start-up (tens of milliseconds) overlaps whatever the
 * caller does before hashing. They do not keep the process alive while idle; `runHashPlan` uses them
 * first.
 */
export function prestartHashWorkers(count: number): void {
  while (spares.length < count) {
    const worker = spawnWorker();
    worker.unref();
    // a spare that fails to start is dropped (runHashPlan then starts a fresh one and reports its error)
    worker.on('error', () => {});
    worker.once('exit', () => {
      const i = spares.indexOf(worker);
      if (i >= 0) spares.splice(i, 1);
    });
    spares.push(worker);
  }
}

function runWorker(plan: HashPlan, shared: HashShared): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = spares.shift() ?? spawnWorker();
    worker.ref();
    let error: unknown;
    worker.on('message', (msg: { type: string; code?: unknown; message?: string }) => {
      if (msg.type !== 'error') return;
      const code: ErrorCode =
        typeof msg.code === 'string' && msg.code in ERRORS ? (msg.code as ErrorCode) : 'INTERNAL';
      const base = ERRORS[code].message;
      const detail = msg.message?.startsWith(`${base}: `) ? msg.message.slice(base.length + 2) : msg.message;
      error = new SeedcastError(code, detail);
      requestStop(shared);
    });
    worker.on('error', (err) => {
      error ??= new SeedcastError('INTERNAL', `hashing thread failed: ${err.message}`, { cause: err });
      requestStop(shared);
    });
    worker.on('exit', () => (error === undefined ? resolve() : reject(error)));
    worker.postMessage({ plan, shared });
  });
}

function spawnWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./hash-worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(bootstrap, { eval: true });
  }
  return new Worker(new URL('./hash-worker.js', import.meta.url));
}
