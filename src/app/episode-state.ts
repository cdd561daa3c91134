/**
 * The state an episode is shown in everywhere in the app (`data-state`, `.episode-state`, the JSON
 * API): `new | queued | downloading | complete | seeding | failed`. `seeding` is a complete episode
 * whose torrent is seeding right now (`aggregator.seeder.list()`); a record being fetched counts as
 * `downloading` even before its status is saved. `removed` records are never listed (they read `new`).
 */

import type { DownloadRecord } from '../aggregator/index.js';
import type { AppContext } from './context.js';

export type EpisodeState = 'new' | 'queued' | 'downloading' | 'complete' | 'seeding' | 'failed';

export const EPISODE_STATES: readonly EpisodeState[] = [
  'new',
  'queued',
  'downloading',
  'complete',
  'seeding',
  'failed',
];

/** Ids of the episodes seeding now (compute once per list). */
export function seedingIds(ctx: AppContext): Set<string> {
  return new Set(ctx.aggregator.seeder.list().map(({ record }) => record.id));
}

export function episodeState(
  ctx: AppContext,
  record: DownloadRecord,
  options: { seeding?: ReadonlySet<string> } = {},
): EpisodeState {
  if (ctx.aggregator.active.has(record.id)) return 'downloading';
  switch (record.status) {
    case 'complete': {
      const seeding = options.seeding ?? seedingIds(ctx);
      return seeding.has(record.id) ? 'seeding' : 'complete';
    }
    case 'removed':
      return 'new';
    default:
      return record.status;
  }
}
