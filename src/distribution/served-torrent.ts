/**
 * The `.torrent` the site serves for an item: the stored torrent with the site's current trackers
 * (BEP 12 `announce-list`: one tier each for HTTP, UDP (BEP 15) and WebSocket, `SiteLinks.trackers()`)
 * first and `announce` the HTTP one, then the other trackers the stored torrent named (a torrent-only
 * item keeps its publisher's trackers after the site's). The `info` dictionary keeps its original
 * bytes, so the info hashes (BEP 3 v1, BEP 52 v2) never change (`withSiteFirst`); the other top-level
 * keys (`url-list` of BEP 19, `comment`, ...) are kept. Items published before the site had a UDP or
 * WebSocket tracker are served with them too. A stored torrent the parser refuses is served as stored.
 *
 * Every reader of the served bytes goes through `ServedTorrents`: the `.torrent` route (bytes,
 * `Content-Length`, `ETag`) and the feeds (the enclosure's `length`), so sizes agree. Rewritten bytes
 * are kept in a small LRU keyed by item, blob version and tracker list; lengths in a larger one.
 */

import { createHash } from 'node:crypto';
import type { Item, SiteLinks } from '../catalog/index.js';
import { type BlobStore, readAll } from '../storage/index.js';
import { withSiteFirst } from '../torrent/index.js';

/** The bytes to serve for a stored torrent and the site's trackers; the stored bytes if it cannot be read. */
export function servedTorrent(stored: Uint8Array, trackers: readonly string[]): Buffer {
  const given = Buffer.isBuffer(stored)
    ? stored
    : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (trackers.length === 0) return given;
  let rewritten: Buffer;
  try {
    rewritten = withSiteFirst(stored, { announce: trackers });
  } catch {
    return given; // not a torrent the parser reads: nothing to rewrite safely
  }
  return rewritten.equals(given) ? given : rewritten;
}

/** A served `.torrent`: its bytes and a strong validator for `ETag` (no quotes). */
export interface ServedTorrentBytes {
  bytes: Buffer;
  etag: string;
}

export interface ServedTorrentsOptions {
  blobs: BlobStore;
  links: Pick<SiteLinks, 'trackers'>;
  /** Most rewritten torrents kept (default 128). */
  maxEntries?: number;
  /** Most bytes of rewritten torrents kept (default 32 MiB); larger torrents are rewritten per request. */
  maxBytes?: number;
  /** Most lengths kept (default 4096). */
  maxLengths?: number;
}

type TorrentItem = Pick<Item, 'id' | 'torrentKey'>;

/** The served `.torrent` of items, with its length, cached per item, stored version and tracker list. */
export class ServedTorrents {
  private readonly entries = new Map<string, ServedTorrentBytes>();
  private readonly lengths = new Map<string, number>();
  private readonly loading = new Map<string, Promise<ServedTorrentBytes | undefined>>();
  private bytesKept = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxLengths: number;

  constructor(private readonly options: ServedTorrentsOptions) {
    this.maxEntries = options.maxEntries ?? 128;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.maxLengths = options.maxLengths ?? 4096;
  }

  /** The item's served `.torrent`, or undefined when it has none (or its blob is gone). */
  async get(item: TorrentItem): Promise<ServedTorrentBytes | undefined> {
    const at = await this.versionOf(item);
    if (at === undefined) return undefined;
    const { key, trackers } = at;
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(item.torrentKey!, key, trackers).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** The length in bytes of the item's served `.torrent` (what `get` serves), or undefined. */
  async length(item: TorrentItem): Promise<number | undefined> {
    const key = (await this.versionOf(item))?.key;
    if (key === undefined) return undefined;
    const known = this.lengths.get(key);
    if (known !== undefined) {
      this.lengths.delete(key);
      this.lengths.set(key, known);
      return known;
    }
    return (await this.get(item))?.bytes.length;
  }

  /** Item, blob version and trackers: the bytes served change exactly when one of them does. */
  private async versionOf(item: TorrentItem): Promise<{ key: string; trackers: string[] } | undefined> {
    if (!item.torrentKey) return undefined;
    const head = await this.options.blobs.head(item.torrentKey);
    if (!head) return undefined;
    const trackers = this.options.links.trackers();
    return { key: JSON.stringify([item.id, item.torrentKey, head.etag, trackers]), trackers };
  }

  private async load(
    torrentKey: string,
    key: string,
    trackers: readonly string[],
  ): Promise<ServedTorrentBytes | undefined> {
    let stored: Buffer;
    try {
      stored = await readAll(await this.options.blobs.get(torrentKey));
    } catch {
      return undefined; // removed since `head`
    }
    const bytes = servedTorrent(stored, trackers);
    const served = { bytes, etag: createHash('sha256').update(bytes).digest('hex') };
    this.lengths.set(key, bytes.length);
    if (this.lengths.size > this.maxLengths) this.lengths.delete(this.lengths.keys().next().value!);
    if (bytes.length <= this.maxBytes / 4) {
      this.entries.set(key, served);
      this.bytesKept += bytes.length;
      while (this.entries.size > this.maxEntries || this.bytesKept > this.maxBytes) {
        const [oldest, entry] = this.entries.entries().next().value!;
        this.entries.delete(oldest);
        this.bytesKept -= entry.bytes.length;
      }
    }
    return served;
  }
}
