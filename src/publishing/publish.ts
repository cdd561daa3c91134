/**
 * Publishing an item from an upload draft, transport-free: checks the metadata, makes a torrent in
 * the site's format (v1 by default, hybrid v1+v2 when the site or the item asks: see
 * docs/interop.md) whose tracker is the site and whose BEP 19 web seed is the item's file URL, records the
 * item with the files already in the blob store, stores the torrent, and starts seeding it. All or
 * nothing: any failure removes the item, the torrent and the draft's file blobs again. The torrent
 * is hashed as the files arrive and written once the item is recorded, with the web seed that names
 * it (`UploadDraft.prepareTorrent`, then `build`): one encode, one parse.
 *
 * Reads (see also docs/site-core.md): a multipart file is read once, from the request, and goes
 * straight into the blob store while the streaming hasher (`src/torrent/streaming-hasher.ts`) takes
 * its v1 and v2 piece hashes and the store its SHA-256 (`UploadDraft`): no staging copy, no second
 * read. A finished tus upload was written once to `DATA/uploads/<id>` as it arrived; publishing reads
 * that file once, through the same draft, and removes it. When seeding starts, the engine rechecks the
 * item once more from the blob store.
 *
 * Torrent-only publishing (`publishTorrent`) records an item from a publisher's `.torrent` alone:
 * files without blobs, the torrent stored with the site's tracker first, its info hashes tracked;
 * the `Archiver` (when the site archives) then fetches the content through the swarm.
 */

import {
  type ChannelRepository,
  type Item,
  type ItemFieldText,
  type ItemRepository,
  itemFieldsFromText,
  type SiteLinks,
  type User,
} from '../catalog/index.js';
import type { Seeding } from '../distribution/index.js';
import { SeedcastError } from '../errors.js';
import { checkLicense } from '../licenses.js';
import { contentTypeOf, mediaTypeOf } from '../media/index.js';
import { type BlobStore, blobKey } from '../storage/index.js';
import {
  formatMagnet,
  type Metainfo,
  magnetFromMetainfo,
  parseTorrent,
  parseTorrentFormat,
  type TorrentFormat,
  withSiteFirst,
} from '../torrent/index.js';
import { type DraftOptions, UploadDraft } from './draft.js';
import { safeFileName } from './filenames.js';
import { formatSize, type StorageGuard } from './quota.js';
import { readTorrentPart } from './torrent-part.js';

/** Starts fetching a torrent-only item's content (the `Archiver`). */
export interface ArchiveStarter {
  start(item: Item, meta?: Metainfo): void;
}

/** The publisher's fields, as text (multipart form fields); the simple ones are declared in `catalog/item-fields.ts`. */
export interface PublishFields extends ItemFieldText {
  license?: string;
  /** Comma-separated. */
  tags?: string;
  /** A channel's slug (or id) owned by the publisher. */
  channel?: string;
  /** The id of a finished tus upload to publish instead of file parts (read by the HTTP edge). */
  upload?: string;
  /** `v1` or `hybrid`: this item's torrent format instead of the site's (uploaded items only). */
  format?: string;
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
  /** Quotas and the free-space guard (none: no limits). */
  guard?: StorageGuard;
  /** Largest declared total of a torrent-only item (default 64 GiB). */
  torrentMaxBytes?: number;
  /** Most files in a torrent-only item (default 10,000). */
  torrentMaxFiles?: number;
  /** The format of the torrents the site makes for uploads (default v1; see docs/interop.md). */
  torrentFormat?: TorrentFormat;
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
    const declared = this.checkTorrentSize(given);
    if (!fields.title?.trim()) throw new SeedcastError('ITEM_INVALID', 'title: required');
    if (fields.format?.trim())
      throw new SeedcastError('ITEM_INVALID', "format: a torrent-only item keeps its publisher's torrent");
    await this.options.guard?.checkQuota(owner, declared);
    const license = checkLicense(fields.license);
    const channelId = await this.channelId(owner, fields.channel);
    const tags = (fields.tags ?? '').split(',').filter((t) => t.trim() !== '');
    for (const hash of [given.infoHash, given.infoHashV2]) {
      if (hash && (await items.byInfoHash(hash)))
        throw new SeedcastError('ITEM_CONFLICT', `an item with info hash ${hash} exists`);
    }
    const stored = withSiteFirst(torrent, { announce: links.trackers() });
    const meta = parseTorrent(stored);
    // Each file is recorded (shown, served, stored as a blob) under its sanitised, collision-free
    // `storagePath`; the web seed also finds it by the torrent's own path (web/routes/files.ts).
    const files = meta.files
      .filter((f) => !f.padding)
      .map((f) => {
        const path = f.storagePath.join('/');
        return { path, length: f.length, blobKey: null, sha256: null, mimeType: contentTypeOf(path) };
      });
    let itemId: number | undefined;
    let torrentKey: string | undefined;
    try {
      const item = await items
        .create({
          ...itemFieldsFromText(fields),
          ownerId: owner.id,
          title: fields.title,
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
          // The catalog's own limits on file records: name the part they came from.
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

  /** A new, empty draft: add the files to it, then `publish` it (or `discard` it). */
  draft(options: DraftOptions): UploadDraft {
    return new UploadDraft(this.options.blobs, {
      ...options,
      format: options.format ?? this.options.torrentFormat ?? 'v1',
    });
  }

  /**
   * A draft for `owner`, bounded by what is left of their quota (QUOTA_EXCEEDED once the files go
   * past it) after the free-space guard agreed to the expected size (DISK_FULL otherwise).
   * `exceptUpload`: a tus upload being published, whose reservation the new item replaces.
   */
  async draftFor(owner: User, options: DraftOptions & { exceptUpload?: string }): Promise<UploadDraft> {
    const { exceptUpload, ...draft } = options;
    const guard = this.options.guard;
    if (!guard) return this.draft(draft);
    const expected = draft.totalBytes ?? draft.expectedBytes ?? 0;
    await guard.checkUploadSize(expected);
    const remaining =
      draft.totalBytes === undefined
        ? (await guard.usage(owner, { exceptUpload })).remaining
        : await guard.checkQuota(owner, draft.totalBytes, { exceptUpload });
    // The disk is asked when the first file arrives (a torrent-only publish stores no file).
    const beforeFirstFile = () => guard.checkDisk(expected, 'this upload');
    return this.draft({
      ...draft,
      beforeFirstFile,
      ...(Number.isFinite(remaining) ? { quotaBytes: remaining } : {}),
    });
  }

  /** The content's declared size; TORRENT_TOO_LARGE past the site's bounds on size and files. */
  private checkTorrentSize(meta: Metainfo): number {
    const real = meta.files.filter((f) => !f.padding);
    const maxFiles = this.options.torrentMaxFiles ?? 10_000;
    const maxBytes = this.options.torrentMaxBytes ?? 64 * 1024 ** 3;
    if (real.length > maxFiles)
      throw new SeedcastError(
        'TORRENT_TOO_LARGE',
        `${real.length} files; this site takes at most ${maxFiles}`,
      );
    const declared = real.reduce((sum, f) => sum + f.length, 0);
    if (declared > maxBytes)
      throw new SeedcastError(
        'TORRENT_TOO_LARGE',
        `${formatSize(declared)} of content; this site takes at most ${formatSize(maxBytes)}`,
      );
    return declared;
  }

  /** Checks the fields before any file is read (when they come first). */
  async check(owner: User, fields: PublishFields): Promise<void> {
    if (!fields.title?.trim()) throw new SeedcastError('ITEM_INVALID', 'title: required');
    checkLicense(fields.license);
    this.formatOf(fields);
    await this.channelId(owner, fields.channel);
  }

  /** Publishes the draft's files (already stored); the draft is discarded when anything fails. */
  async publish(owner: User, draft: UploadDraft, fields: PublishFields): Promise<Published> {
    const { items, blobs, links } = this.options;
    const stored: string[] = [];
    let itemId: number | undefined;
    try {
      if (draft.files.length === 0) throw new SeedcastError('ITEM_INVALID', 'file: at least one file part');
      if (!fields.title?.trim()) throw new SeedcastError('ITEM_INVALID', 'title: required');
      const license = checkLicense(fields.license);
      const version = this.formatOf(fields);
      const channelId = await this.channelId(owner, fields.channel);
      const tags = (fields.tags ?? '').split(',').filter((t) => t.trim() !== '');
      const single = draft.files.length === 1;
      const folder = single ? draft.files[0]!.name : safeFileName(fields.title.replace(/[\\/]/g, '_'), 0);
      // Hashed as the files arrived; written once the item's id names its web seed (BEP 19).
      const created = draft.prepareTorrent({
        announce: links.trackers().map((url) => [url]),
        name: folder,
        version,
      });
      const byName = new Map(draft.files.map((f) => [f.name, f]));
      const files = created.files.map((f) => {
        const inside = f.path.join('/');
        const file = byName.get(single ? draft.files[0]!.name : inside);
        if (!file) throw new SeedcastError('INTERNAL', `stored file missing for ${inside}`);
        const path = single ? folder : `${folder}/${inside}`;
        return {
          path,
          length: f.length,
          sha256: file.sha256,
          mimeType: contentTypeOf(path),
          blobKey: file.blobKey,
        };
      });
      const item = await items.create({
        ...itemFieldsFromText(fields),
        ownerId: owner.id,
        title: fields.title,
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
      const { torrent } = created.build([links.webSeed(item.id)]);
      const torrentKey = blobKey('items', item.id, 'torrent');
      stored.push(torrentKey);
      await blobs.put(torrentKey, torrent, { contentType: 'application/x-bittorrent' });
      const ready = await items.update(item.id, { status: 'ready', torrentKey });
      const meta = parseTorrent(torrent);
      await this.options.seeding.seed(ready!, meta);
      return { item: ready!, meta, magnet: formatMagnet(magnetFromMetainfo(meta)) };
    } catch (err) {
      await Promise.allSettled(stored.map((key) => blobs.delete(key)));
      await draft.discard();
      if (itemId !== undefined) await items.delete(itemId).catch(() => undefined);
      throw err;
    }
  }

  /** The item's torrent format: its `format` field, else the site's. */
  private formatOf(fields: PublishFields): TorrentFormat {
    const given = fields.format?.trim();
    if (!given) return this.options.torrentFormat ?? 'v1';
    return parseTorrentFormat(given, 'format', 'ITEM_INVALID');
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
