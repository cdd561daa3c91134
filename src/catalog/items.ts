/**
 * Items: a published work with its files (in torrent order) and tags. An item, its files and its tags
 * are written in one transaction, so a failure leaves no half item. Input is checked by
 * `item-input.ts`; a second item with the same info hash is ITEM_CONFLICT. Rows become items (and
 * input becomes columns) in `items-rows.ts`; the archiving bookkeeping is in `items-archive.ts`.
 */

import { sql } from 'kysely';
import {
  type ArchiveState,
  constraintKind,
  type Database,
  type ItemStatus,
  type MediaType,
} from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { itemIdWithContent } from './item-content.js';
import type { ItemFieldValues } from './item-fields.js';
import {
  checkFiles,
  checkTags,
  count,
  type ItemFacts,
  type ItemMetadata,
  invalid,
  type NewItemInput,
  requiredText,
} from './item-input.js';
import { setArchive, setFileBlob, unarchived } from './items-archive.js';
import { columns, hydrate, writeTags } from './items-rows.js';

export interface ItemFile {
  position: number;
  path: string;
  length: number;
  blobKey: string | null;
  mimeType: string | null;
  sha256: string | null;
  /** SHA-384 in Subresource Integrity form (`sha384-<base64>`), once `media.analyze` read the file. */
  integrity?: string | null;
}

/** An item; its simple metadata fields (title, description, creator...) are declared in `item-fields.ts`. */
export interface Item extends ItemFieldValues {
  id: number;
  ownerId: number;
  channelId: number | null;
  license: string | null;
  mediaType: MediaType;
  mimeType: string | null;
  status: ItemStatus;
  torrentOnly: boolean;
  infoHash: string | null;
  infoHashV2: string | null;
  torrentKey: string | null;
  totalLength: number;
  pieceLength: number | null;
  durationMs: number | null;
  width: number | null;
  height: number | null;
  thumbnailKey: string | null;
  /** When the media facts (duration, size, thumbnail) were read; null until then. */
  mediaCheckedAt: number | null;
  bytesServed: number;
  createdAt: number;
  updatedAt: number;
  /** Why and when an admin took the item down (null unless `status` is `taken_down`). */
  takedownReason?: string | null;
  takenDownAt?: number | null;
  /** Where archiving a torrent-only item stands (null for uploaded items and before the archiver saw it). */
  archiveState?: ArchiveState | null;
  /** Why the last archiving attempt failed or gave up. */
  archiveError?: string | null;
  /** Failed archiving attempts since the last success or "try again". */
  archiveAttempts?: number;
  tags: string[];
  files: ItemFile[];
}

/** What `list` selects (see there). */
export interface ItemFilter {
  status?: ItemStatus;
  tag?: string;
  ownerId?: number;
  channelId?: number;
  /** Epoch milliseconds, inclusive. */
  updatedFrom?: number;
  updatedUntil?: number;
  afterId?: number;
  beforeId?: number;
  ids?: number[];
  /** Words that must all appear in the title or description (a plain substring match, any case). */
  text?: string;
  order?: 'newest' | 'oldest';
  /** At most 500 (default 50). */
  limit?: number;
}

export class ItemRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Creates an item with its files and tags, all or nothing. */
  async create(input: NewItemInput): Promise<Item> {
    const ownerId = count('ownerId', input.ownerId);
    const set = columns(input);
    if (set.title === undefined) invalid('title', 'required');
    const files = checkFiles(input.files);
    const tags = checkTags(input.tags);
    const now = this.now();
    try {
      const id = await this.db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('items')
          .values({
            ...set,
            owner_id: ownerId,
            title: set.title as string,
            torrent_only: input.torrentOnly ? 1 : 0,
            total_length: files.reduce((sum, f) => sum + f.length, 0),
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('item_files')
          .values(
            files.map((f, position) => ({
              item_id: row.id,
              position,
              path: f.path,
              length: f.length,
              blob_key: f.blobKey,
              mime_type: f.mimeType,
              sha256: f.sha256,
            })),
          )
          .execute();
        await writeTags(tx, row.id, tags);
        return row.id;
      });
      return (await this.get(id))!;
    } catch (err) {
      throw this.mapError(err);
    }
  }

  async get(id: number): Promise<Item | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return (await hydrate(this.db, [row]))[0];
  }

  /** The items with these ids, in the order given (ids with no item are left out). */
  async many(ids: readonly number[]): Promise<Item[]> {
    const wanted = ids.filter((id) => Number.isSafeInteger(id));
    if (wanted.length === 0) return [];
    const rows = await this.db.selectFrom('items').selectAll().where('id', 'in', wanted).execute();
    const byId = new Map((await hydrate(this.db, rows)).map((item) => [item.id, item]));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * Takes an item down (admin): status `taken_down` with the reason and time. Only a ready or
   * pending item can be taken down; returns the item, or undefined when there is no such item.
   */
  async takeDown(id: number, reason: string): Promise<Item | undefined> {
    const why = requiredText('reason', reason, 2000);
    const now = this.now();
    await this.db
      .updateTable('items')
      .set({ status: 'taken_down', takedown_reason: why, taken_down_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  /** Reverses a takedown: the item is ready again. Returns the item, or undefined. */
  async restore(id: number): Promise<Item | undefined> {
    await this.db
      .updateTable('items')
      .set({ status: 'ready', takedown_reason: null, taken_down_at: null, updated_at: this.now() })
      .where('id', '=', id)
      .where('status', '=', 'taken_down')
      .execute();
    return this.get(id);
  }

  /** The item with this v1 or v2 info hash (hex). */
  async byInfoHash(hash: string): Promise<Item | undefined> {
    const h = hash.toLowerCase();
    const column = h.length === 64 ? 'info_hash_v2' : 'info_hash';
    const row = await this.db.selectFrom('items').selectAll().where(column, '=', h).executeTakeFirst();
    return row ? (await hydrate(this.db, [row]))[0] : undefined;
  }

  /** A ready or taken-down item with a file of this SHA-256 (hex), the oldest (`item-content.ts`). */
  async withContent(sha256: string): Promise<Item | undefined> {
    const id = await itemIdWithContent(this.db, sha256);
    return id === undefined ? undefined : this.get(id);
  }

  /** Changes metadata and facts; `tags` replaces the tag set. Returns the item, or undefined. */
  async update(id: number, patch: ItemMetadata & ItemFacts): Promise<Item | undefined> {
    const set = columns(patch);
    const tags = patch.tags === undefined ? undefined : checkTags(patch.tags);
    try {
      const found = await this.db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('items')
          .set({ ...set, updated_at: this.now() })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        if (tags) {
          await tx.deleteFrom('item_tags').where('item_id', '=', id).execute();
          await writeTags(tx, id, tags);
        }
        return true;
      });
      return found ? this.get(id) : undefined;
    } catch (err) {
      throw this.mapError(err);
    }
  }

  /** Records where a file's bytes now live (e.g. after archiving a torrent-only item). */
  async setFileBlob(id: number, position: number, blobKey: string | null, sha256?: string): Promise<void> {
    await setFileBlob(this.db, id, position, blobKey, sha256);
  }

  /** Records where archiving stands (see `items-archive.ts`); `updated_at` is left alone. */
  async setArchive(
    id: number,
    state: ArchiveState | null,
    options: { error?: string | null; attempts?: number } = {},
  ): Promise<void> {
    await setArchive(this.db, id, state, options);
  }

  /** Ids of ready torrent-only items with a file not yet stored, oldest first, after `afterId`. */
  async unarchived(options: { afterId?: number; limit?: number } = {}): Promise<number[]> {
    return unarchived(this.db, options);
  }

  async addBytesServed(id: number, bytes: number): Promise<void> {
    const n = count('bytes', bytes);
    await this.db
      .updateTable('items')
      .set((eb) => ({ bytes_served: eb('bytes_served', '+', n) }))
      .where('id', '=', id)
      .execute();
  }

  /** Deletes an item (its files, tags, comments and favourites go with it). */
  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('items').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Which of `keys` some item's file uses as its blob. */
  async usedBlobKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('item_files')
      .select('blob_key')
      .where('blob_key', 'in', [...keys])
      .execute();
    return new Set(rows.map((r) => r.blob_key).filter((k): k is string => k !== null));
  }

  /** Newest items first, `limit` at most, older than `beforeId` when given. */
  async newest(options: { limit?: number; beforeId?: number; status?: ItemStatus } = {}): Promise<Item[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 20)), 100);
    let query = this.db
      .selectFrom('items')
      .selectAll()
      .where('status', '=', options.status ?? 'ready');
    if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
    const rows = await query.orderBy('id', 'desc').limit(limit).execute();
    return hydrate(this.db, rows);
  }

  /**
   * Items matching a filter, for feeds and harvesters: one status (default ready), and optionally a
   * tag, an owner, a channel, a window of `updated_at` (inclusive) and an id cursor. Newest first by
   * default, or oldest first (`order: 'oldest'`, for paging with `afterId`).
   */
  async list(filter: ItemFilter = {}): Promise<Item[]> {
    const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? 50)), 500);
    let query = this.db
      .selectFrom('items')
      .selectAll('items')
      .where('items.status', '=', filter.status ?? 'ready');
    if (filter.ownerId !== undefined) query = query.where('items.owner_id', '=', filter.ownerId);
    if (filter.channelId !== undefined) query = query.where('items.channel_id', '=', filter.channelId);
    if (filter.updatedFrom !== undefined) query = query.where('items.updated_at', '>=', filter.updatedFrom);
    if (filter.updatedUntil !== undefined) query = query.where('items.updated_at', '<=', filter.updatedUntil);
    if (filter.afterId !== undefined) query = query.where('items.id', '>', filter.afterId);
    if (filter.beforeId !== undefined) query = query.where('items.id', '<', filter.beforeId);
    if (filter.ids !== undefined) {
      if (filter.ids.length === 0) return [];
      query = query.where('items.id', 'in', filter.ids);
    }
    for (const word of (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10)) {
      const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(
        (eb) =>
          sql<boolean>`(lower(${eb.ref('items.title')}) like ${pattern} escape '\\' or lower(${eb.ref('items.description')}) like ${pattern} escape '\\')`,
      );
    }
    if (filter.tag !== undefined) {
      const tag = filter.tag;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('item_tags')
            .innerJoin('tags', 'tags.id', 'item_tags.tag_id')
            .select('item_tags.item_id')
            .whereRef('item_tags.item_id', '=', 'items.id')
            .where('tags.name', '=', tag),
        ),
      );
    }
    const rows = await query
      .orderBy('items.id', filter.order === 'oldest' ? 'asc' : 'desc')
      .limit(limit)
      .execute();
    return hydrate(this.db, rows);
  }

  /**
   * The latest `updated_at` of any item (any status; null when there are none) and the number of
   * items: together they change whenever an item is added, edited, taken down or deleted.
   */
  async lastChange(): Promise<{ updatedAt: number | null; count: number }> {
    const row = await this.db
      .selectFrom('items')
      .select((eb) => [eb.fn.max('updated_at').as('latest'), eb.fn.countAll().as('n')])
      .executeTakeFirst();
    return { updatedAt: row?.latest == null ? null : Number(row.latest), count: Number(row?.n ?? 0) };
  }

  /** Ids of ready items whose media facts were never read, oldest first, after `afterId`. */
  async withoutMediaFacts(options: { afterId?: number; limit?: number } = {}): Promise<number[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 100)), 1000);
    const rows = await this.db
      .selectFrom('items')
      .select('id')
      .where('status', '=', 'ready')
      .where('media_checked_at', 'is', null)
      .where('id', '>', options.afterId ?? 0)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** v1 and v2 info hashes of every item the tracker should accept (not taken down). */
  async trackedInfoHashes(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('items')
      .select(['info_hash', 'info_hash_v2'])
      .where('status', '!=', 'taken_down')
      .execute();
    return rows.flatMap((r) => [r.info_hash, r.info_hash_v2].filter((h): h is string => h !== null));
  }

  /** Id and v1 info hash of every ready item that has one (for ranking by live swarm). */
  async swarmKeys(): Promise<{ id: number; infoHash: string }[]> {
    const rows = await this.db
      .selectFrom('items')
      .select(['id', 'info_hash'])
      .where('status', '=', 'ready')
      .where('info_hash', 'is not', null)
      .execute();
    return rows.map((r) => ({ id: r.id, infoHash: r.info_hash! }));
  }

  private mapError(err: unknown): unknown {
    const kind = constraintKind(err);
    if (kind === 'unique') return new SeedcastError('ITEM_CONFLICT', 'an item with this info hash exists');
    if (kind === 'foreign_key')
      return new SeedcastError('ITEM_INVALID', 'owner or channel: no such account or channel');
    return err;
  }
}
