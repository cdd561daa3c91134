/**
 * Publishing an item from staged files, transport-free: checks the metadata, makes a hybrid v1+v2
 * torrent whose tracker is the site and whose BEP 19 web seed is the item's file URL, stores the
 * files and the torrent in the blob store under keys made from the item's id, records the item, and
 * starts seeding it. All or nothing: any failure removes the item and its blobs again.
 *
 * Reads: each file is streamed once from the client to the staging folder (SHA-256 taken on the
 * way), then read back twice at the same time: by the torrent hasher (`createTorrent` takes a path)
 * and by the copy into the blob store (keyed `files/<upload id>/<n>`, so it need not wait for the
 * item's id). Running together, the second reader mostly finds the pages the first one just read;
 * for files larger than the page cache that is not guaranteed. Hashing the pieces while the upload
 * streams in would need a streaming hasher in `src/torrent`.
 *
 * Torrent-only publishing (`publishTorrent`) records an item from a publisher's `.torrent` alone:
 * files without blobs, the torrent stored with the site's tracker first, its info hashes tracked;
 * the `Archiver` (when the site archives) then fetches the content through the swarm.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { decode, encode, isDict } from '../bencode/index.js';
import type { ChannelRepository, Item, ItemRepository, User } from '../catalog/index.js';
import { SeedcastError } from '../errors.js';
import { type BlobStore, blobKey } from '../storage/index.js';
import {
  createTorrent,
  formatMagnet,
  type Metainfo,
  magnetFromMetainfo,
  parseTorrent,
} from '../torrent/index.js';
import { safeFileName } from './filenames.js';
import { checkLicense } from './license.js';
import type { SiteLinks } from './links.js';
import { contentTypeOf, mediaTypeOf } from './media.js';
import type { Seeding } from './seeding.js';
import type { StagedFile } from './staging.js';
import { readTorrentPart, withSiteFirst } from './torrent-part.js';

/** Starts fetching a torrent-only item's content (the `Archiver`). */
export interface ArchiveStarter {
  start(item: Item, meta: Metainfo): void;
}

/** The publisher's fields, as text (multipart form fields). */
export interface PublishFields {
  title?: string;
  description?: string;
  creator?: string;
  date?: string;
  language?: string;
  license?: string;
  /** Comma-separated. */
  tags?: string;
  /** A channel's slug (or id) owned by the publisher. */
  channel?: string;
  /** The id of a finished tus upload to publish instead of file parts (read by the HTTP edge). */
  upload?: string;
}

/** The files to publish: each on disk (staged, or a finished upload), in the order they came. */
export interface PublishSource {
  files: readonly StagedFile[];
  /** The folder holding them (the torrent's content when there are several). */
  content: string;
}

export interface Published {
  item: Item;
  meta: Metainfo;
  magnet: string;
}

export interface PublisherOptions {
  items: ItemRepository;
  channels: ChannelRepository;
  blobs: BlobStore;
  seeding: Seeding;
  links: SiteLinks;
  /** When the site archives torrent-only items. */
  archiver?: ArchiveStarter;
}

export class Publisher {
  constructor(private readonly options: PublisherOptions) {}

  /**
   * Torrent-only publishing: an item from a publisher's `.torrent` (v1 or hybrid), whose content
   * the publisher seeds. Same metadata rules as `publish`; a second item with the same info hash
   * is ITEM_CONFLICT. All or nothing.
   */
  async publishTorrent(owner: User, torrent: Uint8Array, fields: PublishFields): Promise<Published> {
    const { items, blobs, links } = this.options;
    const given = readTorrentPart(torrent);
    if (!fields.title?.trim()) throw new SeedcastError('ITEM_INVALID', 'title: required');
    const license = checkLicense(fields.license);
    const channelId = await this.channelId(owner, fields.channel);
    const tags = (fields.tags ?? '').split(',').filter((t) => t.trim() !== '');
    for (const hash of [given.infoHash, given.infoHashV2]) {
      if (hash && (await items.byInfoHash(hash)))
        throw new SeedcastError('ITEM_CONFLICT', `an item with info hash ${hash} exists`);
    }
    const stored = withSiteFirst(torrent, { announce: links.announce() });
    const meta = parseTorrent(stored);
    const files = meta.files
      .filter((f) => !f.padding)
      .map((f) => {
        const path = f.path.join('/');
        return { path, length: f.length, blobKey: null, sha256: null, mimeType: contentTypeOf(path) };
      });
    let itemId: number | undefined;
    let torrentKey: string | undefined;
    try {
      const item = await items
        .create({
          ownerId: owner.id,
          title: fields.title,
          description: fields.description ?? '',
          creator: fields.creator ?? '',
          date: fields.date ?? null,
          language: fields.language ?? null,
          license,
          tags,
          channelId,
          status: 'pending',
          torrentOnly: true,
          mediaType: mediaTypeOf(files),
          mimeType: files.length === 1 ? files[0]!.mimeType : null,
          infoHash: meta.infoHash,
          infoHashV2: meta.infoHashV2 ?? null,
          pieceLength: meta.pieceLength,
          files,
        })
        .catch((err) => {
          // File paths were checked by the torrent parser; name the part they came from.
          const detail = err instanceof SeedcastError && /: (files\[.*)$/s.exec(err.message)?.[1];
          if (detail) throw new SeedcastError('ITEM_INVALID', `torrent: ${detail}`, { cause: err });
          throw err;
        });
      itemId = item.id;
      torrentKey = blobKey('items', item.id, 'torrent');
      await blobs.put(torrentKey, stored, { contentType: 'application/x-bittorrent' });
      const ready = (await items.update(item.id, { status: 'ready', torrentKey }))!;
      this.options.seeding.track(meta.infoHash, meta.infoHashV2 ?? null);
      this.options.archiver?.start(ready, meta);
      return { item: ready, meta, magnet: formatMagnet(magnetFromMetainfo(meta)) };
    } catch (err) {
      if (torrentKey) await blobs.delete(torrentKey).catch(() => undefined);
      if (itemId !== undefined) await items.delete(itemId).catch(() => undefined);
      throw err;
    }
  }

  async publish(owner: User, staging: PublishSource, fields: PublishFields): Promise<Published> {
    const { items, blobs, links } = this.options;
    if (staging.files.length === 0) throw new SeedcastError('ITEM_INVALID', 'file: at least one file part');
    if (!fields.title?.trim()) throw new SeedcastError('ITEM_INVALID', 'title: required');
    const license = checkLicense(fields.license);
    const channelId = await this.channelId(owner, fields.channel);
    const tags = (fields.tags ?? '').split(',').filter((t) => t.trim() !== '');

    const single = staging.files.length === 1;
    const folder = single ? staging.files[0]!.name : safeFileName(fields.title.replace(/[\\/]/g, '_'), 0);
    // File blobs are keyed by a fresh upload id, so they can be stored while the torrent is hashed.
    const uploadId = randomBytes(12).toString('hex');
    const stored = staging.files.map((_, n) => blobKey('files', uploadId, n));
    let itemId: number | undefined;
    try {
      const [created, puts] = await settledAll([
        createTorrent(single ? staging.files[0]!.local : staging.content, {
          version: 'hybrid',
          announce: [links.announce()],
          name: folder,
        }),
        allSettled(
          staging.files.map((f, n) =>
            blobs.put(stored[n]!, createReadStream(f.local), {
              size: f.length,
              sha256: f.sha256,
              contentType: contentTypeOf(f.name),
            }),
          ),
        ),
      ]);
      const position = new Map(staging.files.map((f, n) => [f.name, n]));
      const files = created.files.map((f) => {
        const inside = f.path.join('/');
        const n = position.get(single ? staging.files[0]!.name : inside);
        if (n === undefined) throw new SeedcastError('INTERNAL', `staged file missing for ${inside}`);
        const path = single ? folder : `${folder}/${inside}`;
        return {
          path,
          length: f.length,
          sha256: puts[n]!.sha256,
          mimeType: contentTypeOf(path),
          blobKey: stored[n]!,
        };
      });
      const item = await items.create({
        ownerId: owner.id,
        title: fields.title,
        description: fields.description ?? '',
        creator: fields.creator ?? '',
        date: fields.date ?? null,
        language: fields.language ?? null,
        license,
        tags,
        channelId,
        status: 'pending',
        mediaType: mediaTypeOf(files),
        mimeType: files.length === 1 ? files[0]!.mimeType : null,
        infoHash: created.infoHash ?? null,
        infoHashV2: created.infoHashV2 ?? null,
        pieceLength: created.pieceLength,
        files,
      });
      itemId = item.id;
      const torrent = withWebSeed(created.torrent, links.webSeed(item.id));
      const torrentKey = blobKey('items', item.id, 'torrent');
      stored.push(torrentKey);
      await blobs.put(torrentKey, torrent, { contentType: 'application/x-bittorrent' });
      const ready = await items.update(item.id, { status: 'ready', torrentKey });
      const meta = parseTorrent(torrent);
      await this.options.seeding.seed(ready!, meta);
      return { item: ready!, meta, magnet: formatMagnet(magnetFromMetainfo(meta)) };
    } catch (err) {
      await Promise.allSettled(stored.map((key) => blobs.delete(key)));
      if (itemId !== undefined) await items.delete(itemId).catch(() => undefined);
      throw err;
    }
  }

  private async channelId(owner: User, channel: string | undefined): Promise<number | null> {
    const wanted = channel?.trim();
    if (!wanted) return null;
    const found = (await this.options.channels.byOwner(owner.id)).find(
      (c) => c.slug === wanted.toLowerCase() || String(c.id) === wanted,
    );
    if (!found)
      throw new SeedcastError('ITEM_INVALID', `channel: you have no channel "${wanted.slice(0, 64)}"`);
    return found.id;
  }
}

/** The torrent with its `url-list` (BEP 19) set; outside `info`, so the info hashes stay the same. */
export function withWebSeed(torrent: Uint8Array, url: string): Buffer {
  const top = decode(torrent);
  if (!isDict(top)) throw new SeedcastError('TORRENT_INVALID', 'not a dictionary');
  const out = new Map(top as Map<string, unknown>) as Map<string, never>;
  out.set('url-list', [url] as never);
  return Buffer.from(encode(out));
}

/**
 * Like `Promise.all` for two promises, but waits for both to settle before failing, so a cleanup
 * never races a write still under way.
 */
async function settledAll<A, B>(promises: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(promises);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

/** Every value, or the first failure once every promise has settled. */
async function allSettled<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
