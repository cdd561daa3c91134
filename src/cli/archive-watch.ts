/**
 * `seedcast publish --torrent-only` tells the publisher where the site's archiving stands (issue 16):
 * it polls `GET /api/v1/items/:id` and prints `archive: waiting for peers`, `archive: archiving 43%`,
 * `archive: archived ...` or `archive: failed: reason` each time the state changes. A site that does
 * not archive (no `archive` in the item) or cannot be reached is not reported on.
 */

import { type ArchiveStatus, archiveLabel } from '../publishing/index.js';

const STATES = new Set(['waiting', 'archiving', 'archived', 'failed']);

/** Starts polling every `everyMs` (default 5 s); returns a function that stops it. */
export function watchArchive(
  itemUrl: URL,
  write: (line: string) => void,
  options: { everyMs?: number } = {},
): () => void {
  let last = '';
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(itemUrl, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) return;
      const archive = ((await res.json()) as { archive?: ArchiveStatus }).archive;
      if (!archive || !STATES.has(archive.state) || archive.state === last) return;
      last = archive.state;
      const more =
        archive.state === 'archived' ? ': the site keeps a copy and seeds it; you may stop seeding' : '';
      write(`archive: ${archiveLabel(archive)}${more}\n`);
    } catch {
      // the site is restarting or unreachable: ask again at the next tick
    } finally {
      busy = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), options.everyMs ?? 5000);
  timer.unref();
  return () => clearInterval(timer);
}
