/**
 * The long-running sync: every second account for seeding (and stop what reached its limit), every
 * 15 s poll the feeds that are due (beside the loop, so a slow feed never holds it up), every 10 s
 * save. `seedcast sync` and `seedcast app` both run it until `stopped` resolves; `onTick` lets the
 * caller draw (the terminal's live view) or apply its own rules (the app's seeding budget).
 */

import type { Aggregator } from './aggregator.js';

export async function runSyncLoop(
  aggregator: Aggregator,
  options: { stopped: Promise<unknown>; onTick?: () => void | Promise<void>; tickMs?: number },
): Promise<void> {
  let stopped = false;
  void options.stopped.then(() => {
    stopped = true;
  });
  let polling: Promise<void> | undefined;
  for (let ticks = 0; !stopped; ticks++) {
    if (ticks % 15 === 0 && !polling) polling = aggregator.poll().finally(() => (polling = undefined));
    await aggregator.tick();
    if (ticks % 10 === 0) await aggregator.persist();
    await options.onTick?.();
    await Promise.race([new Promise((r) => setTimeout(r, options.tickMs ?? 1000)), options.stopped]);
  }
  await polling;
}
