/**
 * The built-in `noop` job: waits `payload.ms` milliseconds (at most 10 s; default none), reporting
 * progress, then succeeds. For benchmarks (empty jobs per second) and health checks of the workers.
 */

import { sleep } from './common.js';
import type { JobContext } from './types.js';

export const NOOP_MAX_MS = 10_000;

export async function noop(ctx: JobContext): Promise<void> {
  const asked = Number(ctx.job.payload.ms ?? 0);
  const ms = Number.isFinite(asked) ? Math.min(NOOP_MAX_MS, Math.max(0, asked)) : 0;
  if (ms === 0) return;
  const step = Math.max(50, Math.ceil(ms / 10));
  for (let waited = 0; waited < ms; waited += step) {
    ctx.progress(waited / ms);
    await sleep(Math.min(step, ms - waited), ctx.signal);
  }
}
