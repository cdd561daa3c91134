/**
 * The disk budget (`diskBudgetBytes`, 0: none): when the library's downloads take more, episodes are
 * deleted to make room, oldest first: played complete episodes first, then those that finished
 * seeding. An episode is never deleted while it downloads or while it is being listened to (it has a
 * saved position and is not marked played). A deleted episode stops seeding and goes back to `new`
 * (as the app's delete button does). When nothing can go, new downloads wait: `budgetWait` on the
 * aggregator holds the reason, and `pump` leaves them queued with it (`record.waiting`) instead of
 * failing. Runs after each completed download and when the settings change.
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Aggregator } from './aggregator.js';
import { deleteEpisodeFile } from './episodes.js';
import type { DownloadRecord } from './state.js';

/** Bytes of a file, or of every file under a folder (a multi-file torrent); 0 when missing. */
export async function sizeOnDisk(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[]))
    total += await sizeOnDisk(join(path, name));
  return total;
}

/** What the library's downloads take now: complete files, plus each running download's full size. */
export async function libraryUsage(aggregator: Aggregator): Promise<number> {
  let total = 0;
  for (const record of aggregator.state.downloads) {
    const active = aggregator.active.get(record.id);
    if (active) total += active.total ?? active.done;
    else if (record.status === 'complete' && record.path) total += await sizeOnDisk(record.path);
  }
  return total;
}

/** The complete episodes the budget may delete, in the order it deletes them. */
export function deletable(aggregator: Aggregator): DownloadRecord[] {
  const age = (r: DownloadRecord) => r.completedAt ?? r.queuedAt;
  const complete = aggregator.state.downloads.filter(
    (r) => r.status === 'complete' && r.path && !aggregator.active.has(r.id) && r.position === undefined,
  );
  const played = complete.filter((r) => r.playedAt).sort((a, b) => age(a).localeCompare(age(b)));
  const seeded = complete
    .filter((r) => !r.playedAt && r.seeding?.done === true)
    .sort((a, b) => age(a).localeCompare(age(b)));
  return [...played, ...seeded];
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/**
 * Delete episodes until the library fits its budget; set (or clear) `aggregator.budgetWait`.
 * Returns the episodes deleted.
 */
export async function enforceBudget(aggregator: Aggregator): Promise<DownloadRecord[]> {
  const budget = aggregator.state.settings.diskBudgetBytes;
  const removed: DownloadRecord[] = [];
  if (!(budget > 0)) {
    aggregator.budgetWait = undefined;
    return removed;
  }
  let usage = await libraryUsage(aggregator);
  for (const record of deletable(aggregator)) {
    if (usage <= budget) break;
    const size = await sizeOnDisk(record.path!);
    await deleteEpisodeFile(aggregator, record.id);
    usage -= size;
    removed.push(record);
    aggregator.emit({ type: 'removed', record, reason: 'disk budget' });
  }
  aggregator.budgetWait =
    usage >= budget
      ? `waiting for disk budget: the library takes ${mib(usage)} of ${mib(budget)} and nothing can be deleted`
      : undefined;
  return removed;
}
