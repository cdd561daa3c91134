/**
 * Edits of `state.json` one at a time across processes: the running sync or app and the short
 * commands (`subscribe`, `unsubscribe`) each read, change and write the file, and two such edits
 * interleaved would lose one. `withStateEdit` holds `state.json.lock` (created exclusively, holding
 * the pid) around the read-change-write; others wait for it (polling, up to `waitMs`). A lock whose
 * process is gone, or older than `staleMs` (a hung or killed writer), is taken over.
 */

import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SeedcastError } from '../errors.js';
import { alive } from './lock.js';

export async function withStateEdit<T>(
  home: string,
  edit: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  const path = join(home, 'state.json.lock');
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  const staleMs = options.staleMs ?? 30_000;
  await mkdir(home, { recursive: true });
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`).finally(() => fh.close());
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
    if ((Number.isInteger(pid) && pid > 0 && !alive(pid)) || age > staleMs) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new SeedcastError('AGGREGATOR_BUSY', `${path} is held by process ${pid || '?'}; try again`);
    await sleep(10 + Math.random() * 20);
  }
  try {
    return await edit();
  } finally {
    await rm(path, { force: true });
  }
}
