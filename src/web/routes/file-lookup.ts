/**
 * Finding an item's file from the path of a web-seed request (BEP 19). An item's file records carry
 * the path the file is stored and shown under (for a torrent-only item, the sanitised, collision-free
 * `storagePath`, see `torrent/sanitize.ts`). A client builds the URL from the torrent itself:
 * Seedcast and aria2 from the torrent's own path components (`Metainfo.files[].path`), libtorrent
 * from its sanitised names before duplicates are renamed. So a path that is no record is looked up
 * among the torrent's own paths (and the sanitised ones), the torrent read once from the blob store
 * and its index kept for the next requests (a few hundred items at most).
 *
 * Where two files of a torrent sanitise to the same name, libtorrent asks for the second by the first
 * one's name (it renames duplicates after building its web-seed paths): the site answers with the
 * file of that name, so libtorrent's check of those pieces fails and it gets them from peers instead.
 *
 * WebTorrent 3 asks for a single-file torrent's bytes at the web seed URL itself, without the name
 * BEP 19 says to append to a URL ending in `/` (`/items/:id/files/`): the empty path of an item with
 * one file whose path is the torrent's name is that file.
 */

import type { Item, ItemFile } from '../../catalog/index.js';
import { type BlobStore, readAll } from '../../storage/index.js';
import { libtorrentUrlPaths, parseTorrent } from '../../torrent/index.js';

const MAX_INDEXES = 256;

export class FileLookup {
  /** Item id -> (torrent path -> position among the item's files), in use order. */
  private readonly indexes = new Map<string, Map<string, number>>();

  constructor(private readonly blobs: BlobStore) {}

  /** The item's file at `path` (as decoded from the URL), or undefined. */
  async find(item: Item, path: string): Promise<ItemFile | undefined> {
    if (path === '' && item.files.length === 1 && !item.files[0]!.path.includes('/')) return item.files[0];
    const recorded = item.files.find((f) => f.path === path);
    if (recorded || !item.torrentKey || !item.torrentOnly) return recorded;
    const index = await this.index(item);
    const n = index.get(path);
    return n === undefined ? undefined : item.files[n];
  }

  private async index(item: Item): Promise<Map<string, number>> {
    const key = `${item.id}:${item.torrentKey}`;
    const known = this.indexes.get(key);
    if (known) {
      this.indexes.delete(key);
      this.indexes.set(key, known);
      return known;
    }
    const index = new Map<string, number>();
    try {
      const meta = parseTorrent(await readAll(await this.blobs.get(item.torrentKey!)));
      const libtorrent = libtorrentUrlPaths(meta);
      const real = meta.files.map((f, i) => ({ f, i })).filter(({ f }) => !f.padding);
      if (real.length === item.files.length) {
        // The torrent's own paths first, then libtorrent's; the first file of a name keeps it.
        for (const paths of [real.map(({ f }) => f.path), real.map(({ i }) => libtorrent[i]!)]) {
          paths.forEach((p, n) => {
            if (!index.has(p.join('/'))) index.set(p.join('/'), n);
          });
        }
      }
    } catch {
      // An unreadable torrent: no more than the records.
    }
    this.indexes.set(key, index);
    if (this.indexes.size > MAX_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    return index;
  }
}
