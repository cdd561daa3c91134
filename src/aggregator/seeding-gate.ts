/**
 * The seeding gate: the `seedWhen` setting applied every tick of the sync loop. `always` seeds;
 * `ac-power` pauses seeding while the machine runs on battery (an unknown power source counts as AC,
 * and the Sharing page says so); `app-open` pauses it when no app page has polled `/api/status` for a
 * while (3 min: a hidden tab's timers may run only once a minute; `SEEDCAST_APP_OPEN_WINDOW_MS` or `windowMs` for tests). Without the app (`seedcast
 * sync`), `app-open` never seeds. Paused torrents are stopped, not marked done, and resumed when
 * seeding is allowed again; the reason is kept on the seeder (`seeder.paused`) for the Sharing page.
 */

import type { Aggregator } from './aggregator.js';
import { type PowerState, powerState } from './power.js';
import type { Settings } from './state.js';

export const APP_OPEN_WINDOW_MS = 180_000;
const POWER_EVERY_MS = 10_000;

export interface SeedingGateOptions {
  /** When an app page last polled (absent: there is no app, `seedcast sync`). */
  lastSeen?: { at: number };
  /** How long after the last poll the app counts as open (default 3 min or `SEEDCAST_APP_OPEN_WINDOW_MS`). */
  windowMs?: number;
  /** The power source (default: what the OS tells, `power.ts`). */
  power?: () => Promise<PowerState>;
}

/** The app-open window: `SEEDCAST_APP_OPEN_WINDOW_MS` when set (tests), else 3 min. */
export function appOpenWindowMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.SEEDCAST_APP_OPEN_WINDOW_MS);
  return Number.isFinite(v) && v > 0 ? v : APP_OPEN_WINDOW_MS;
}

export class SeedingGate {
  private power: PowerState | undefined;
  private powerAt = 0;

  constructor(
    private readonly aggregator: Aggregator,
    private readonly options: SeedingGateOptions = {},
  ) {}

  /** Why seeding must pause now under `settings` (undefined: seed), and a remark when seeding. */
  async decide(settings: Settings, now = Date.now()): Promise<{ pause?: string; note?: string }> {
    if (settings.seedWhen === 'ac-power') {
      if (!this.power || now - this.powerAt >= POWER_EVERY_MS) {
        this.power = await (this.options.power ?? powerState)();
        this.powerAt = now;
      }
      if (this.power.source === 'battery') return { pause: 'on battery (seeding only on AC power)' };
      if (this.power.source === 'unknown')
        return { note: `power source unknown (${this.power.detail}): counted as AC power` };
      return {};
    }
    if (settings.seedWhen === 'app-open') {
      const seen = this.options.lastSeen;
      if (!seen) return { pause: 'no app running (seeding only while the app is open)' };
      const window = this.options.windowMs ?? appOpenWindowMs();
      if (now - seen.at > window) return { pause: 'no app page open (seeding only while the app is open)' };
    }
    return {};
  }

  /** Apply the decision: pause seeding, or resume it once allowed again. */
  async check(now = Date.now()): Promise<void> {
    const { seeder } = this.aggregator;
    const { pause, note } = await this.decide(this.aggregator.state.settings, now);
    seeder.note = note;
    if (pause) {
      if (seeder.paused !== pause || seeder.list().length > 0) await seeder.pause(pause);
      return;
    }
    if (seeder.paused !== undefined) {
      seeder.unpause();
      await this.aggregator.resumeSeeding();
    }
  }
}
