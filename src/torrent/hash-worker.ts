/**
 * Entry point of a hashing worker thread: hashes jobs of the plan it is given until none are left
 * (see `hash-core.ts`), then reports `done`, or the error that stopped it, to the pool.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { Hasher, type HashPlan, type HashShared } from './hash-core.js';

const { plan, shared } = workerData as { plan: HashPlan; shared: HashShared };
try {
  new Hasher(plan, shared).runAll();
  parentPort!.postMessage({ type: 'done' });
} catch (err) {
  const e = err as { code?: unknown; message?: unknown };
  parentPort!.postMessage({ type: 'error', code: e?.code, message: String(e?.message ?? err) });
}
