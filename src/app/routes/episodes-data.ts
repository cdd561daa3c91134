/**
 * What the app knows about each episode, in one shape for pages, the JSON API and the live script:
 * its state (`episodeState`), its show, and while it downloads or seeds the figures `/api/status`
 * reports (bytes done, where they come from, rates, peers, uploaded and ratio). Also the episode
 * lists: every listed episode (not `removed`), newest first, filtered by show, state or a search.
 */

import type { DownloadRecord } from '../../aggregator/index.js';
import type { AppContext } from '../context.js';
import { type EpisodeState, episodeState } from '../episode-state.js';
import { episodesNewestFirst, searchText, showIdOf } from '../library-index.js';
import { showOf } from '../lookup.js';
import { type AppStatus, appStatus, type DownloadProgress, type SeedingProgress } from './status.js';

export interface EpisodeView {
  id: string;
  /** The show's id (`feedId`). */
  show: string;
  showTitle: string | null;
  title: string;
  state: EpisodeState;
  published: string | null;
  duration: number | null;
  /** Where the bytes come (or came) from. */
  via: 'http' | 'swarm' | null;
  done: number | null;
  total: number | null;
  downloadRate: number | null;
  peers: number | null;
  uploaded: number | null;
  ratio: number | null;
  error: string | null;
  /** Why a queued episode waits (the disk budget is full), or null. */
  waiting: string | null;
  playedAt: string | null;
  position: number | null;
}

/** The running figures, looked up by episode id (take once per list). */
export interface LiveFigures {
  downloads: Map<string, DownloadProgress>;
  seeding: Map<string, SeedingProgress>;
  seedingIds: Set<string>;
}

export function liveFigures(ctx: AppContext, status: AppStatus = appStatus(ctx)): LiveFigures {
  return {
    downloads: new Map(status.downloads.map((d) => [d.id, d])),
    seeding: new Map(status.seeding.map((s) => [s.id, s])),
    seedingIds: new Set(status.seeding.map((s) => s.id)),
  };
}

export function episodeView(ctx: AppContext, record: DownloadRecord, live = liveFigures(ctx)): EpisodeView {
  const seeding = live.seeding.get(record.id);
  const download = live.downloads.get(record.id);
  const state = download ? 'downloading' : episodeState(ctx, record, { seeding: live.seedingIds });
  return {
    id: record.id,
    show: showIdOf(record.feed),
    showTitle: showOf(ctx, record)?.title ?? null,
    title: record.title,
    state,
    published: record.published ?? null,
    duration: record.duration ?? null,
    via: download?.via ?? record.via ?? null,
    done: download ? download.done : null,
    total: download ? download.total : (record.length ?? null),
    downloadRate: download ? download.downloadRate : null,
    peers: download ? download.peers : null,
    uploaded: seeding?.uploaded ?? record.seeding?.uploaded ?? null,
    ratio: seeding ? seeding.ratio : null,
    error: state === 'failed' ? (record.error ?? 'failed') : null,
    waiting: state === 'queued' ? (record.waiting ?? null) : null,
    playedAt: record.playedAt ?? null,
    position: record.position ?? null,
  };
}

/** Every listed episode (not removed), newest first. */
export function listedEpisodes(ctx: AppContext): DownloadRecord[] {
  return episodesNewestFirst(ctx);
}

/** New to the listener: not played, and not fetched yet, on its way, or fetched (of a show followed). */
export function isNewEpisode(ctx: AppContext, record: DownloadRecord, state: EpisodeState): boolean {
  if (record.playedAt || state === 'failed') return false;
  return showOf(ctx, record) !== undefined;
}

export const SEARCH_LIMIT = 200;

/** Case-insensitive search over titles, descriptions and show titles. */
export function searchEpisodes(ctx: AppContext, query: string, limit = SEARCH_LIMIT): DownloadRecord[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: DownloadRecord[] = [];
  const showMatches = new Set(
    ctx.aggregator.state.feeds.filter((f) => (f.title ?? '').toLowerCase().includes(q)).map((f) => f.url),
  );
  for (const record of listedEpisodes(ctx)) {
    if (showMatches.has(record.feed) || searchText(record).includes(q)) out.push(record);
    if (out.length >= limit) break;
  }
  return out;
}

/** The New page's episodes. */
export function newEpisodes(ctx: AppContext, limit = SEARCH_LIMIT): DownloadRecord[] {
  const seeding = new Set(ctx.aggregator.seeder.list().map(({ record }) => record.id));
  const out: DownloadRecord[] = [];
  for (const r of listedEpisodes(ctx)) {
    if (out.length >= limit) break;
    if (isNewEpisode(ctx, r, episodeState(ctx, r, { seeding }))) out.push(r);
  }
  return out;
}
