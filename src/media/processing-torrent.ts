/**
 * The derivatives torrent (issue 18): one torrent per item holding every derivative, in a folder
 * named `derivatives` (`DERIVATIVES_TORRENT_NAME`), always multi-file (a folder even for one file).
 * Its BEP 19 web seed is the item's folder URL `/items/:id/`: a client appends the torrent's name and
 * the file's path, which is exactly the derivative file route `/items/:id/derivatives/<file>`. Its
 * trackers are the site's (the served copy is rewritten with the current ones, like originals'), its
 * format the site's (v1, or hybrid v1+v2). The original's torrent never changes.
 */

import { link } from 'node:fs/promises';
import { join } from 'node:path';
import { DERIVATIVES_TORRENT_NAME, type Derivative, type SiteLinks } from '../catalog/index.js';
import { type BlobStore, LocalDiskStore } from '../storage/index.js';
import { type CreatedTorrent, createTorrent, type TorrentFormat } from '../torrent/index.js';
import { copyBlob } from './processing-files.js';

/**
 * Makes the item's derivatives torrent from the folder `dir` (created here), holding each derivative
 * under its file name: files already there (made by this job) are used as they are, others are
 * linked or copied from the blob store.
 */
/** Derivatives smaller than this in all are hashed without worker threads. */
const SMALL_TORRENT_BYTES = 64 * 1024 * 1024;

export async function makeDerivativesTorrent(
  rows: readonly Derivative[],
  dir: string,
  options: {
    blobs: BlobStore;
    links: SiteLinks;
    itemId: number;
    format?: TorrentFormat;
    present?: ReadonlySet<string>;
    signal?: AbortSignal;
  },
): Promise<CreatedTorrent> {
  for (const row of rows) {
    if (options.present?.has(row.path)) continue;
    const target = join(dir, row.path);
    if (options.blobs instanceof LocalDiskStore) {
      const linked = await link(await options.blobs.localPath(row.blobKey), target).then(
        () => true,
        () => false,
      );
      if (linked) continue;
    }
    await copyBlob(options.blobs, row.blobKey, target, options.signal);
  }
  // A few MiB hash faster on this thread than worker threads start (about 0.4 s).
  const small = rows.reduce((sum, row) => sum + row.length, 0) < SMALL_TORRENT_BYTES;
  return createTorrent(dir, {
    ...(small ? { threads: 1, mainThread: true } : {}),
    version: options.format ?? 'v1',
    name: DERIVATIVES_TORRENT_NAME,
    announce: options.links.trackers().map((url) => [url]),
    urlList: [options.links.derivativesWebSeed(options.itemId)],
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
