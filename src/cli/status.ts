/**
 * The live status of a transfer for people: a redrawn line on a terminal, one plain line a second
 * into a pipe or log (or nothing with `quiet`).
 *
 *   [########------------]  41%  210.0/512.0 MiB  ↓ 48.2 MiB/s  ↑ 0 B/s  peers 3 (seeds 1)  0:06 left
 */

import type { SessionStats } from '../engine/index.js';
import { formatBytes, formatDuration } from './progress.js';

export function formatStatus(s: SessionStats): string {
  if (s.pieceCount === 0) return `fetching metadata from ${s.peers} peer(s)`;
  const done = s.length - s.left;
  const fraction = s.length > 0 ? done / s.length : 1;
  const filled = Math.round(fraction * 20);
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}]`,
    `${Math.floor(fraction * 100)}%`.padStart(4),
    `${formatBytes(done)}/${formatBytes(s.length)}`,
    `down ${formatBytes(s.downloadRate)}/s`,
    `up ${formatBytes(s.uploadRate)}/s`,
    `peers ${s.peers} (seeds ${s.seeds})`,
  ];
  if (!s.complete && s.downloadRate > 0) parts.push(`${formatDuration(s.left / s.downloadRate)} left`);
  if (s.complete) parts.push(`uploaded ${formatBytes(s.uploaded)}`);
  return parts.join('  ');
}

export interface StatusReporter {
  stop(): void;
}

/** Report `read()` every second (terminal: redraw on stderr; pipe: a line on stderr; quiet: nothing). */
export function reportStatus(read: () => SessionStats, options: { quiet?: boolean } = {}): StatusReporter {
  const tty = process.stderr.isTTY === true;
  const timer = setInterval(() => {
    if (options.quiet) return;
    const line = formatStatus(read());
    if (tty) process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 100) - 1)}\x1b[K`);
    else process.stderr.write(`${line}\n`);
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      if (tty && !options.quiet) process.stderr.write('\r\x1b[K');
    },
  };
}
