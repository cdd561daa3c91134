/**
 * What the Sharing page and `GET /api/sharing` show: for each complete episode what it uploaded, its
 * ratio, how long it seeded and whether it seeds now (or why not: done, paused by the seeding gate
 * with its reason, no torrent); the totals over the library ("you gave back X"); the upload limit and
 * the current upload rate.
 */

import { sizeOnDisk } from '../../aggregator/budget.js';
import type { DownloadRecord } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';

export type ShareState = 'seeding' | 'done' | 'paused' | 'not-seeding';

export interface SharedEpisode {
  id: string;
  title: string;
  show: string;
  size: number;
  uploaded: number;
  ratio: number;
  seededMs: number;
  state: ShareState;
  /** Why it does not seed now (absent while seeding). */
  reason: string | null;
  uploadRate: number;
}

export interface SharingSummary {
  uploaded: number;
  downloaded: number;
  ratio: number;
  uploadRate: number;
  uploadRateLimit: number;
  /** Why seeding is paused now (the seeding gate), or null. */
  paused: string | null;
  /** A remark on the gate (e.g. the power source is unknown), or null. */
  note: string | null;
  episodes: SharedEpisode[];
}

function why(ctx: AppContext, record: DownloadRecord): { state: ShareState; reason: string | null } {
  const { seeder, state } = ctx.aggregator;
  if (seeder.list().some((s) => s.record.id === record.id)) return { state: 'seeding', reason: null };
  if (record.seeding?.done) return { state: 'done', reason: 'reached its seeding ratio or time' };
  if (!record.infoHash || !record.seeding)
    return { state: 'not-seeding', reason: 'no torrent (came over HTTP)' };
  if (seeder.paused) return { state: 'paused', reason: seeder.paused };
  if (state.settings.seedRatio <= 0 || state.settings.seedHours <= 0)
    return { state: 'not-seeding', reason: 'seeding is off (ratio or days is 0)' };
  return { state: 'not-seeding', reason: 'waiting to start' };
}

export async function sharingSummary(ctx: AppContext): Promise<SharingSummary> {
  const { aggregator } = ctx;
  const sessions = new Map(aggregator.seeder.list().map(({ record, session }) => [record.id, session]));
  const titles = new Map(aggregator.state.feeds.map((f) => [f.url, f.title ?? f.url]));
  const episodes: SharedEpisode[] = [];
  for (const record of aggregator.state.downloads) {
    if (record.status !== 'complete') continue;
    const session = sessions.get(record.id);
    const stats = session?.stats();
    const size = stats?.length || record.length || (record.path ? await sizeOnDisk(record.path) : 0);
    const uploaded = record.seeding?.uploaded ?? 0;
    episodes.push({
      id: record.id,
      title: record.title,
      show: titles.get(record.feed) ?? record.feed,
      size,
      uploaded,
      ratio: size > 0 ? uploaded / size : 0,
      seededMs: record.seeding?.seededMs ?? 0,
      ...why(ctx, record),
      uploadRate: stats?.uploadRate ?? 0,
    });
  }
  episodes.sort((a, b) => b.uploaded - a.uploaded || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const uploaded = episodes.reduce((n, e) => n + e.uploaded, 0);
  const downloaded = episodes.reduce((n, e) => n + e.size, 0);
  return {
    uploaded,
    downloaded,
    ratio: downloaded > 0 ? uploaded / downloaded : 0,
    uploadRate: episodes.reduce((n, e) => n + e.uploadRate, 0),
    uploadRateLimit: aggregator.state.settings.uploadRateLimit,
    paused: aggregator.seeder.paused ?? null,
    note: aggregator.seeder.note ?? null,
    episodes,
  };
}
