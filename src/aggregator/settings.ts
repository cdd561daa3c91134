/**
 * Changing the aggregator's settings while it runs (the app's Settings page and `PATCH /api/settings`):
 * validate a partial change with clear messages, save it in the state, and apply it at once: the
 * engine's upload limit, the disk budget (`budget.ts`), the seeding gate's next tick, the download
 * queue (`concurrency`).
 */

import { SeedcastError } from '../errors.js';
import type { Aggregator } from './aggregator.js';
import { enforceBudget } from './budget.js';
import type { Settings } from './state.js';

const NUMBERS: Record<
  Exclude<keyof Settings, 'seedWhen'>,
  { label: string; min: number; max: number; integer: boolean }
> = {
  concurrency: { label: 'Downloads at once', min: 1, max: 20, integer: true },
  seedRatio: { label: 'Seeding ratio', min: 0, max: 1000, integer: false },
  seedHours: { label: 'Seeding time', min: 0, max: 24 * 3650, integer: false },
  minFreeBytes: { label: 'Free space to leave', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true },
  swarmTimeout: { label: 'Swarm timeout', min: 1, max: 3600, integer: true },
  diskBudgetBytes: { label: 'Disk budget', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true },
  uploadRateLimit: { label: 'Upload rate', min: 0, max: Number.MAX_SAFE_INTEGER, integer: true },
};

const SEED_WHEN = ['always', 'ac-power', 'app-open'] as const;

/** Check a partial change; throws USAGE naming every field that is wrong. */
export function validateSettings(change: Record<string, unknown>): Partial<Settings> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(change)) {
    if (key === 'seedWhen') {
      if (typeof value === 'string' && (SEED_WHEN as readonly string[]).includes(value)) out[key] = value;
      else problems.push(`Seed when must be one of ${SEED_WHEN.join(', ')}`);
      continue;
    }
    const rule = NUMBERS[key as keyof typeof NUMBERS];
    if (!rule) {
      problems.push(`unknown setting "${key}"`);
      continue;
    }
    const n = typeof value === 'number' ? value : Number.NaN;
    if (!Number.isFinite(n)) problems.push(`${rule.label} must be a number`);
    else if (rule.integer && !Number.isInteger(n)) problems.push(`${rule.label} must be a whole number`);
    else if (n < rule.min || n > rule.max)
      problems.push(`${rule.label} must be between ${rule.min} and ${rule.max}`);
    else out[key] = n;
  }
  if (problems.length > 0) throw new SeedcastError('USAGE', `${problems.join('; ')}.`);
  return out as Partial<Settings>;
}

/** Apply the settings that act on running parts (at open and after every change). */
export async function applySettings(aggregator: Aggregator): Promise<void> {
  aggregator.options.engine.setUploadRateLimit(aggregator.state.settings.uploadRateLimit);
  await enforceBudget(aggregator);
  aggregator.pump();
}

/** Validate, save and apply a change; returns the settings now in force. */
export async function updateSettings(
  aggregator: Aggregator,
  change: Record<string, unknown>,
): Promise<Settings> {
  const valid = validateSettings(change);
  Object.assign(aggregator.state.settings, valid);
  await aggregator.persist();
  await applySettings(aggregator);
  return { ...aggregator.state.settings };
}
