/**
 * The aggregator's files in the library: the `.torrent` files it keeps (for seeding again after a
 * restart), and the pruning that keeps only the newest `keepLast` complete downloads of a feed,
 * deleting the older ones' files (and their `.torrent` once no download uses it).
 */

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { libraryDir, torrentsDir } from './paths.js';
import type { Seeder } from './seeding.js';
import type { DownloadRecord, State } from './state.js';

/** Save a `.torrent` file under the torrents folder (written beside, then renamed: never half a file). */
export async function keepTorrent(home: string, infoHash: string, bytes: Uint8Array): Promise<void> {
  const dir = torrentsDir(home);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${infoHash}.torrent.tmp`);
  await writeFile(temp, bytes);
  await rename(temp, join(dir, `${infoHash}.torrent`));
}

/** Keep only the newest `keepLast` complete downloads of `feedUrl`; delete the files of the rest. */
export async function prune(
  home: string,
  state: State,
  feedUrl: string,
  seeder: Seeder,
  onRemoved: (record: DownloadRecord) => void,
): Promise<void> {
  const feed = state.feeds.find((f) => f.url === feedUrl);
  if (!feed || feed.options.keepLast <= 0) return;
  const complete = state.downloads
    .filter((d) => d.feed === feedUrl && d.status === 'complete')
    .sort((a, b) => (b.published ?? b.completedAt ?? '').localeCompare(a.published ?? a.completedAt ?? ''));
  for (const record of complete.slice(feed.options.keepLast)) {
    await seeder.stop(record, true);
    const library = libraryDir(home);
    if (record.path?.startsWith(library + sep)) await rm(record.path, { recursive: true, force: true });
    record.status = 'removed';
    const hash = record.infoHash;
    if (hash && !state.downloads.some((d) => d.infoHash === hash && d.status === 'complete'))
      await rm(join(torrentsDir(home), `${hash}.torrent`), { force: true });
    onRemoved(record);
  }
}
