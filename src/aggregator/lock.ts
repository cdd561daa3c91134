/**
 * One sync at a time per `$SEEDCAST_HOME`: `sync.lock` holds the pid of the sync that runs. A lock left
 * by a process that no longer exists (kill -9) is taken over.
 */

import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SeedcastError } from '../errors.js';

function alive(pid: number): boolean {
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
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new SeedcastError('AGGREGATOR_BUSY', `process ${pid} holds ${path}`);
      await rm(path, { force: true });
    }
  }
  throw new SeedcastError('AGGREGATOR_BUSY', `cannot take ${path}`);
}
