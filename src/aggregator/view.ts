/**
 * What a sync reports: the events it emits as things happen, the snapshot a live view draws from, and
 * the text of both (the CLI prints them; this module only formats). The live view is a few lines:
 *
 *   feeds 3 (1 failing)   down 4.1 MiB/s   up 820.0 KiB/s
 *   ↓ Episode 12         [#########-----------]  45%  12.0/26.5 MiB  2.1 MiB/s  swarm, 3 peers
 *   ↑ Episode 11         ratio 0.42  up 120.0 KiB/s  2 peers
 *   ! Broken Feed: aggregator: fetch failed: http://...: HTTP 404
 */

import type { DownloadRecord, FeedState } from './state.js';

export type SyncEvent =
  | { type: 'feed'; feed: FeedState; fresh: number; queued: number; changed: boolean }
  | { type: 'feed-error'; feed: FeedState; message: string }
  | { type: 'start'; record: DownloadRecord }
  | { type: 'fallback'; record: DownloadRecord; message: string }
  | { type: 'done'; record: DownloadRecord }
  | { type: 'failed'; record: DownloadRecord; message: string }
  | { type: 'removed'; record: DownloadRecord; reason?: string }
  | { type: 'seeding'; record: DownloadRecord }
  | { type: 'seeding-done'; record: DownloadRecord }
  | { type: 'warning'; message: string };

export interface SyncSnapshot {
  feeds: { title: string; error: string | null; nextPollAt: string | null }[];
  downloads: {
    title: string;
    via: 'http' | 'swarm';
    done: number;
    total: number | null;
    downloadRate: number;
    uploadRate: number;
    peers: number;
  }[];
  seeding: { title: string; uploaded: number; ratio: number; uploadRate: number; peers: number }[];
}

/** One line for an event (for logs and pipes): control characters from feeds or errors become spaces. */
export function formatEvent(e: SyncEvent): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace
  return eventText(e).replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function eventText(e: SyncEvent): string {
  switch (e.type) {
    case 'feed':
      return `feed ${e.feed.title ?? e.feed.url}: ${e.changed ? `${e.fresh} new, ${e.queued} queued` : 'not modified'}`;
    case 'feed-error':
      return `feed ${e.feed.title ?? e.feed.url}: ${e.message}`;
    case 'start':
      return `downloading ${e.record.title}`;
    case 'fallback':
      return `${e.record.title}: swarm failed (${e.message}); falling back to HTTP`;
    case 'done':
      return `downloaded ${e.record.title} (${e.record.via}): ${e.record.path}`;
    case 'failed':
      return `failed ${e.record.title}: ${e.message}`;
    case 'removed':
      return `removed ${e.record.title} (${e.reason ?? 'keep-last limit'})`;
    case 'seeding':
      return `seeding ${e.record.title}`;
    case 'seeding-done':
      return `seeding limit reached: ${e.record.title}`;
    case 'warning':
      return `warning: ${e.message}`;
  }
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text.padEnd(width) : `${chars.slice(0, width - 1).join('')}…`;
}

/** The live view's lines, each at most `width` characters. */
export function formatView(s: SyncSnapshot, width = 100): string[] {
  const failing = s.feeds.filter((f) => f.error).length;
  const down = s.downloads.reduce((n, d) => n + d.downloadRate, 0);
  const up =
    s.downloads.reduce((n, d) => n + d.uploadRate, 0) + s.seeding.reduce((n, d) => n + d.uploadRate, 0);
  const lines = [
    `feeds ${s.feeds.length}${failing ? ` (${failing} failing)` : ''}  down ${bytes(down)}/s  up ${bytes(up)}/s  ` +
      `active ${s.downloads.length}  seeding ${s.seeding.length}`,
  ];
  for (const d of s.downloads) {
    const fraction = d.total ? Math.min(1, d.done / d.total) : 0;
    const filled = Math.round(fraction * 20);
    const bar = d.total
      ? `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] ${`${Math.floor(fraction * 100)}%`.padStart(4)}`
      : '[ size unknown ]';
    const size = `${bytes(d.done)}/${d.total ? bytes(d.total) : '?'}`;
    const peers = d.via === 'swarm' ? `swarm, ${d.peers} peers` : 'http';
    lines.push(`↓ ${fit(d.title, 24)} ${bar}  ${size}  ${bytes(d.downloadRate)}/s  ${peers}`);
  }
  for (const d of s.seeding)
    lines.push(
      `↑ ${fit(d.title, 24)} ratio ${d.ratio.toFixed(2)}  up ${bytes(d.uploadRate)}/s  ${d.peers} peers`,
    );
  for (const f of s.feeds) if (f.error) lines.push(`! ${f.title}: ${f.error}`);
  return lines.map((l) => ([...l].length > width ? `${[...l].slice(0, width - 1).join('')}…` : l));
}
