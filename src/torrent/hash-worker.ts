/**
 * Entry point of a hashing worker thread. It may be started before there is work (to hide its
 * start-up), so it waits for one message `{ plan, shared }`, hashes jobs of that plan until none are
 * left (see `hash-core.ts`), reports `done` or the error that stopped it, and ends.
 */

import { parentPort } from 'node:worker_threads';
import { Hasher, type HashPlan, type HashShared } from './hash-core.js';

parentPort!.once('message', ({ plan, shared }: { plan: HashPlan; shared: HashShared }) => {
  try {
    new Hasher(plan, shared).runAll();
    parentPort!.postMessage({ type: 'done' });
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    parentPort!.postMessage({ type: 'error', code: e?.code, message: String(e?.message ?? err) });
  }
});
