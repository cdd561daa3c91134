/**
 * One sync at a time per `$SEEDCAST_HOME`: `sync.lock` holds the pid of the sync that runs and a random
 * token. A lock left by a process that no longer exists (kill -9) is taken over; so is one with our own
 * pid but a token this process did not write (a container restarted with the same pid).
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SeedcastError } from '../errors.js';

/** Tokens of the locks this process holds. */
const held = new Set<string>();

/** Whether process `pid` exists (EPERM: it does, owned by another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock; resolves with its release function. */
export async function acquireLock(home: string): Promise<() => Promise<void>> {
  await mkdir(home, { recursive: true });
  const path = join(home, 'sync.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      const token = randomBytes(8).toString('hex');
      await fh.writeFile(`${process.pid} ${token}\n`);
      await fh.close();
      held.add(token);
      return async () => {
        held.delete(token);
        await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidText, token] = (await readFile(path, 'utf8').catch(() => '')).trim().split(' ');
      const pid = Number(pidText);
      const ours = pid === process.pid && token !== undefined && held.has(token);
      if (Number.isInteger(pid) && pid > 0 && (ours || (pid !== process.pid && alive(pid))))
        throw new SeedcastError(
          'AGGREGATOR_BUSY',
          `process ${pid} holds ${path} (\`seedcast sync\` or \`seedcast app\` runs on this home: stop it first, or use the app; subscribe, feeds and library work beside it)`,
        );
      await rm(path, { force: true });
    }
  }
  throw new SeedcastError('AGGREGATOR_BUSY', `cannot take ${path}`);
}
