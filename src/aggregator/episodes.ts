/**
 * What a listener does to one episode, for the app (the CLI's sync never calls these): queue a `new`
 * or failed episode, delete its file or cancel its download (it goes back to `new`), mark it played,
 * remember where playback stopped. Each change is saved through the aggregator's serialised writer.
 */

import { rm } from 'node:fs/promises';
import { SeedcastError } from '../errors.js';
import type { Aggregator } from './aggregator.js';
import { libraryDir } from './paths.js';
import type { DownloadRecord } from './state.js';

/** The episode `id` (any status but `removed`), or AGGREGATOR_NO_EPISODE. */
export function findEpisode(aggregator: Aggregator, id: string): DownloadRecord {
  const record = aggregator.state.downloads.find((d) => d.id === id && d.status !== 'removed');
  if (!record) throw new SeedcastError('AGGREGATOR_NO_EPISODE', id);
  return record;
}

/** Queue `id` for download (a `new` episode, or a failed one to try again now). */
export async function queueEpisode(aggregator: Aggregator, id: string): Promise<DownloadRecord> {
  const record = findEpisode(aggregator, id);
  if (record.status === 'new' || record.status === 'failed') {
    record.status = 'queued';
    record.attempts = 0;
    delete record.error;
    delete record.retry;
    aggregator.tried.delete(record.id);
    await aggregator.persist();
    aggregator.pump();
  }
  return record;
}

/** How long Delete waits for a cancelled download to stop. */
const CANCEL_WAIT_MS = 15_000;

/**
 * Delete an episode's file (and any partial one) and stop seeding it; it stays listed, as `new`. A queued
 * or failed episode goes back to `new` too; a download in progress is cancelled first.
 */
export async function deleteEpisodeFile(aggregator: Aggregator, id: string): Promise<DownloadRecord> {
  const record = findEpisode(aggregator, id);
  const active = aggregator.active.get(record.id);
  if (active) {
    // Cancel the download, and wait for it to let go of its files.
    if (!active.cancel) throw new SeedcastError('AGGREGATOR_BUSY_EPISODE', record.title);
    active.cancel.abort();
    const until = Date.now() + CANCEL_WAIT_MS;
    while (aggregator.active.has(record.id)) {
      if (Date.now() > until) throw new SeedcastError('AGGREGATOR_BUSY_EPISODE', record.title);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await aggregator.seeder.stop(record, true);
  const root = `${libraryDir(aggregator.home)}/`;
  if (record.path?.startsWith(root)) {
    await rm(record.path, { recursive: true, force: true });
    await rm(`${record.path}.part`, { force: true }); // what a failed or stopped HTTP fetch left
  }
  record.status = 'new';
  for (const key of ['path', 'via', 'completedAt', 'seeding', 'error', 'retry', 'position'] as const)
    delete record[key];
  record.attempts = 0;
  await aggregator.persist();
  return record;
}

/** Mark played (or not); a played episode starts from the beginning next time. */
export async function markPlayed(
  aggregator: Aggregator,
  id: string,
  played: boolean,
): Promise<DownloadRecord> {
  const record = findEpisode(aggregator, id);
  if (played) {
    record.playedAt = new Date().toISOString();
    delete record.position;
  } else delete record.playedAt;
  await aggregator.persist();
  return record;
}

/** Remember where the listener stopped, in seconds. */
export async function setPosition(
  aggregator: Aggregator,
  id: string,
  seconds: number,
): Promise<DownloadRecord> {
  const record = findEpisode(aggregator, id);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new SeedcastError('USAGE', `position must be a number of seconds, got ${seconds}`);
  record.position = Math.round(seconds * 10) / 10;
  await aggregator.persist();
  return record;
}
