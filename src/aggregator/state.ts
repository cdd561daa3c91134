/**
 * The aggregator's state: one JSON file, `$SEEDCAST_HOME/state.json`, holding the subscriptions (with
 * their options and polling bookkeeping), every download and the seeding limits. It is written
 * atomically: a temporary file in the same folder, fsync, rename over the old one, fsync of the folder,
 * so a kill -9 at any moment leaves either the old state or the new one, never a torn file.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SeedcastError } from '../errors.js';
import { withStateEdit } from './state-lock.js';

export interface FeedOptions {
  /** How many of the newest items the first sync fetches (older ones are marked seen). */
  recent: number;
  /** Queue new items for download (off: only record them). */
  autoDownload: boolean;
  /** Keep only the newest N downloads of the feed (0: keep everything). */
  keepLast: number;
  /** Fall back to the HTTP enclosure when the swarm does not deliver (off: swarm only). */
  httpFallback: boolean;
}

export interface FeedState {
  url: string;
  title?: string;
  htmlUrl?: string;
  category?: string;
  /** The feed's own description (plain text) and image, for the app's show pages. */
  description?: string;
  image?: string;
  options: FeedOptions;
  addedAt: string;
  /** Conditional GET validators (RFC 9110 section 13). */
  etag?: string;
  lastModified?: string;
  lastPolledAt?: string;
  /** When the feed is next due (ISO 8601); absent: due now. */
  nextPollAt?: string;
  /** Minutes between polls the feed asked for (`ttl`, `sy:updatePeriod`). */
  intervalMinutes?: number;
  /** Consecutive failed polls (drives the backoff). */
  errors: number;
  lastError?: string;
  /** True once a poll has succeeded (the first one applies `recent`). */
  initialized: boolean;
  /** GUIDs already handled, newest first (bounded). */
  seen: string[];
}

/**
 * `new`: known from the feed but not fetched (the show does not download automatically, or the item is
 * older than the first sync's `recent`); the app offers to download it. Only `queued` ones are fetched.
 */
export type DownloadStatus = 'new' | 'queued' | 'downloading' | 'complete' | 'failed' | 'removed';

/** A transcript the feed links (`podcast:transcript`). */
export interface TranscriptLink {
  url: string;
  type: string;
  language?: string;
  /** `captions` when the file is timed captions (WebVTT, SRT). */
  rel?: string;
}

export interface SeedingState {
  uploaded: number;
  downloaded: number;
  /** Milliseconds spent seeding so far, over every run. */
  seededMs: number;
  /** True once the ratio or time limit was reached. */
  done: boolean;
}

export interface DownloadRecord {
  /** Stable id: a hash of the feed URL and the item's GUID. */
  id: string;
  feed: string;
  guid: string;
  title: string;
  published?: string;
  status: DownloadStatus;
  /** Absolute path of the downloaded file (or a multi-file torrent's folder). */
  path?: string;
  /** Absolute path without the extension, chosen (unique) when the item is queued. */
  base: string;
  media?: string;
  mediaType?: string;
  /** ETag or Last-Modified of the media being fetched (`If-Range` on resume). */
  mediaValidator?: string;
  torrent?: string;
  magnet?: string;
  /** Bytes the feed promised. */
  length?: number;
  /** SRI hashes the feed promised (`podcast:integrity`). */
  integrity?: string[];
  via?: 'http' | 'swarm';
  infoHash?: string;
  error?: string;
  /** Why a queued download waits (the disk budget is full); cleared when it starts. */
  waiting?: string;
  /** A failure worth another try on a later sync (network, no peers, disk full). */
  retry?: boolean;
  attempts: number;
  queuedAt: string;
  completedAt?: string;
  seeding?: SeedingState;
  /** The item's description as plain text (bounded), its page and image, for the app. */
  description?: string;
  link?: string;
  image?: string;
  /** Seconds, as the feed says. */
  duration?: number;
  /** `podcast:chapters` (JSON chapters) and `podcast:transcript` links the feed gave. */
  chapters?: string;
  transcripts?: TranscriptLink[];
  /** Set when the listener finished it or marked it played. */
  playedAt?: string;
  /** Where the listener stopped, in seconds. */
  position?: number;
}

export interface Settings {
  /** Downloads running at once. */
  concurrency: number;
  /** Stop seeding a torrent once uploaded / size reaches this (0: do not seed). */
  seedRatio: number;
  /** ... or once it has seeded this many hours in total. */
  seedHours: number;
  /** Free bytes to leave on the library's disk. */
  minFreeBytes: number;
  /** Seconds to wait for a peer or web seed before falling back to HTTP. */
  swarmTimeout: number;
  /** Bytes the library may take in all (0: no limit); the oldest played episodes go first. */
  diskBudgetBytes: number;
  /** Upload rate limit in bytes per second over all torrents (0: no limit). */
  uploadRateLimit: number;
  /** When to seed: always, only on AC power (where the OS tells), or only while an app page is open. */
  seedWhen: 'always' | 'ac-power' | 'app-open';
}

export interface State {
  version: 1;
  settings: Settings;
  feeds: FeedState[];
  downloads: DownloadRecord[];
}

export const DEFAULT_SETTINGS: Settings = {
  concurrency: 3,
  seedRatio: 2,
  seedHours: 72,
  minFreeBytes: 256 * 1024 * 1024,
  swarmTimeout: 60,
  diskBudgetBytes: 0,
  uploadRateLimit: 0,
  seedWhen: 'always',
};

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  recent: 3,
  autoDownload: true,
  keepLast: 0,
  httpFallback: true,
};

export function emptyState(): State {
  return { version: 1, settings: { ...DEFAULT_SETTINGS }, feeds: [], downloads: [] };
}

export function statePath(home: string): string {
  return join(home, 'state.json');
}

/** Read the state under `home` (an empty state when there is none yet). */
export async function loadState(home: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(statePath(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new SeedcastError('AGGREGATOR_STATE', `${statePath(home)}: ${(err as Error).message}`);
  }
  let doc: Partial<State>;
  try {
    doc = JSON.parse(text) as Partial<State>;
  } catch (err) {
    throw new SeedcastError('AGGREGATOR_STATE', `${statePath(home)}: ${(err as Error).message}`);
  }
  if (doc?.version !== 1 || !Array.isArray(doc.feeds) || !Array.isArray(doc.downloads))
    throw new SeedcastError('AGGREGATOR_STATE', `${statePath(home)}: not a Seedcast state file (version 1)`);
  return {
    version: 1,
    settings: { ...DEFAULT_SETTINGS, ...doc.settings },
    feeds: doc.feeds.map((f) => ({ ...f, options: { ...DEFAULT_FEED_OPTIONS, ...f.options } })),
    downloads: doc.downloads,
  };
}

/**
 * What identifies one version of the state file: its inode (every save renames a new file over it),
 * size and modification time; undefined when there is none. Lets a writer skip re-reading a file
 * nobody else wrote since its own last save.
 */
export async function stateFileStamp(home: string): Promise<string | undefined> {
  const s = await stat(statePath(home)).catch(() => undefined);
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : undefined;
}

/** Write `state` atomically: temp file + fsync + rename + fsync of the folder. */
export async function saveState(home: string, state: State): Promise<void> {
  const target = statePath(home);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(temp, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(state, null, 1)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const dir = await open(dirname(target), 'r');
  try {
    await dir.sync();
  } catch {
    // some file systems refuse fsync on a folder; the rename is still atomic
  } finally {
    await dir.close();
  }
}

/** Load, change and save the state in one step (for the short commands), one edit at a time. */
export async function updateState<T>(home: string, change: (state: State) => T): Promise<T> {
  return withStateEdit(home, async () => {
    const state = await loadState(home);
    const result = change(state);
    await saveState(home, state);
    return result;
  });
}

/** Delete temporary files left by writes that a kill interrupted (call while holding the sync lock). */
export async function removeStaleTemps(home: string): Promise<void> {
  const names = await readdir(home).catch(() => [] as string[]);
  for (const name of names)
    if (/^state\.json\.[0-9a-f]{12}\.tmp$/.test(name)) await rm(join(home, name), { force: true });
}
