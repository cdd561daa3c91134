/**
 * Is this machine on AC power? For the "seed only on AC power" setting. On Linux the kernel's power
 * supply class (`/sys/class/power_supply/<name>/type` and `online`): a `Mains` (or `USB`) supply
 * online means AC; a battery and no supply online means battery; no battery at all means AC (a desktop
 * or a server). On macOS `pmset -g batt` says "Now drawing from 'AC Power'" or "'Battery Power'".
 * Anything else (another OS, a container without `/sys/class/power_supply`, a tool that fails) is
 * `unknown`, which the seeding gate treats as AC and says so.
 */

import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PowerState {
  source: 'ac' | 'battery' | 'unknown';
  /** How it was told, for the Sharing page. */
  detail: string;
}

const SYS_POWER = '/sys/class/power_supply';

/** The power source as Linux's sysfs tells it (`root`: another folder laid out the same, for tests). */
export async function linuxPower(root = SYS_POWER): Promise<PowerState> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return { source: 'unknown', detail: `${root} is not readable` };
  }
  let batteries = 0;
  let mains = 0;
  let online = 0;
  for (const name of names) {
    const type = (await readFile(join(root, name, 'type'), 'utf8').catch(() => '')).trim();
    if (type === 'Battery') {
      batteries++;
      continue;
    }
    if (type !== 'Mains' && type !== 'USB' && type !== 'UPS') continue;
    mains++;
    const value = (await readFile(join(root, name, 'online'), 'utf8').catch(() => '')).trim();
    if (value === '1') online++;
  }
  if (online > 0) return { source: 'ac', detail: 'on AC power' };
  if (batteries === 0) return { source: 'ac', detail: 'no battery: counted as on AC power' };
  if (mains === 0) return { source: 'unknown', detail: 'a battery but no power supply is reported' };
  return { source: 'battery', detail: 'on battery' };
}

/** Parse `pmset -g batt` (macOS). */
export function parsePmset(output: string): PowerState {
  const m = /Now drawing from '([^']+)'/.exec(output);
  if (!m) return { source: 'unknown', detail: 'pmset did not say the power source' };
  if (/AC Power/i.test(m[1]!)) return { source: 'ac', detail: 'on AC power' };
  if (/Battery/i.test(m[1]!)) return { source: 'battery', detail: 'on battery' };
  return { source: 'unknown', detail: `power source "${m[1]}"` };
}

function macPower(): Promise<PowerState> {
  return new Promise((resolve) => {
    execFile('pmset', ['-g', 'batt'], { timeout: 5000 }, (err, stdout) =>
      resolve(err ? { source: 'unknown', detail: `pmset: ${err.message}` } : parsePmset(stdout)),
    );
  });
}

/** The power source now, as far as the OS tells. */
export function powerState(platform: NodeJS.Platform = process.platform): Promise<PowerState> {
  if (platform === 'linux') return linuxPower();
  if (platform === 'darwin') return macPower();
  return Promise.resolve({ source: 'unknown', detail: `not told on ${platform}` });
}
