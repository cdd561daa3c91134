/**
 * The disk-space guard: before a download writes `needed` bytes, the file system that will hold them
 * (statfs of the nearest existing folder) must keep `reserve` bytes free afterwards.
 */

import { mkdir, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SeedcastError } from '../errors.js';

/** Free bytes for unprivileged users on the file system of `folder` (created if missing). */
export async function freeBytes(folder: string): Promise<number> {
  await mkdir(folder, { recursive: true });
  const s = await statfs(folder);
  return Number(s.bavail) * Number(s.bsize);
}

/** Throw AGGREGATOR_DISK unless `needed` more bytes fit next to `dest` with `reserve` left over. */
export async function assertDiskSpace(
  dest: string,
  needed: number,
  options: { reserve: number },
): Promise<void> {
  const { reserve } = options;
  if (needed <= 0 && reserve <= 0) return;
  const free = await freeBytes(dirname(dest));
  if (free - Math.max(0, needed) < reserve) {
    throw new SeedcastError(
      'AGGREGATOR_DISK',
      `${Math.max(0, needed)} bytes needed, ${free} free, ${reserve} must stay free (${dirname(dest)})`,
    );
  }
}
