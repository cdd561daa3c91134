/**
 * Derivatives and processing (issue 18): the web renditions `media.derive` made of an item's
 * original (one row per file of the item's derivatives torrent, each stored as a blob), where the
 * item's media work stands (`processing_state`, progress, error: read by pages and the API without
 * asking the queue), the derivatives torrent (info hashes and blob key, one torrent per item) and
 * each original file's SHA-384 (`integrity`, SRI form). Tested on SQLite and PostgreSQL.
 */

import type { Database, ProcessingState } from '../db/index.js';
import { SeedcastError } from '../errors.js';

export interface Derivative {
  itemId: number;
  kind: string;
  label: string;
  /** File name inside the derivatives torrent (and under `/items/:id/derivatives/`). */
  path: string;
  mime: string;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  durationMs: number | null;
  length: number;
  blobKey: string;
  /** `sha384-<base64>`. */
  integrity: string | null;
  createdAt: number;
}

export type NewDerivative = Omit<
  Derivative,
  'createdAt' | 'width' | 'height' | 'bitrate' | 'durationMs' | 'integrity'
> &
  Partial<Pick<Derivative, 'width' | 'height' | 'bitrate' | 'durationMs' | 'integrity'>>;

/** Where an item's media work stands, and its derivatives torrent once made. */
export interface ProcessingRecord {
  itemId: number;
  state: ProcessingState | null;
  progress: number | null;
  error: string | null;
  torrent: { infoHash: string | null; infoHashV2: string | null; torrentKey: string } | null;
}

/** A derivatives torrent the site tracks and seeds. */
export interface DerivativesTorrent {
  itemId: number;
  infoHash: string | null;
  infoHashV2: string | null;
  torrentKey: string;
}

const STATES: readonly ProcessingState[] = ['queued', 'running', 'done', 'failed'];
const PATH = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

function invalid(field: string, why: string): never {
  throw new SeedcastError('ITEM_INVALID', `${field}: ${why}`);
}

function optionalCount(field: string, value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value) || value < 0) invalid(field, 'a whole number, 0 or more');
  return value;
}

function hashOrNull(field: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const h = value.toLowerCase();
  if (!HEX.test(h)) invalid(field, 'a hex info hash');
  return h;
}

type Row = {
  item_id: number;
  kind: string;
  label: string;
  path: string;
  mime: string;
  width: number | null;
  height: number | null;
  bitrate: number | null;
  duration_ms: number | null;
  length: number;
  blob_key: string;
  integrity: string | null;
  created_at: number;
};

function toDerivative(r: Row): Derivative {
  return {
    itemId: r.item_id,
    kind: r.kind,
    label: r.label,
    path: r.path,
    mime: r.mime,
    width: r.width,
    height: r.height,
    bitrate: r.bitrate,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    length: Number(r.length),
    blobKey: r.blob_key,
    integrity: r.integrity,
    createdAt: Number(r.created_at),
  };
}

export class DerivativeRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  /** Records a derivative (replacing one of the same item and path); false when the item is gone. */
  async add(input: NewDerivative): Promise<boolean> {
    if (!PATH.test(input.path)) invalid('path', 'one safe file name');
    const row = {
      item_id: input.itemId,
      kind: input.kind,
      label: input.label,
      path: input.path,
      mime: input.mime,
      width: optionalCount('width', input.width),
      height: optionalCount('height', input.height),
      bitrate: optionalCount('bitrate', input.bitrate),
      duration_ms: optionalCount('durationMs', input.durationMs),
      length: optionalCount('length', input.length) ?? 0,
      blob_key: input.blobKey,
      integrity: input.integrity ?? null,
      created_at: (this.options.now ?? Date.now)(),
    };
    const exists = await this.db
      .selectFrom('items')
      .select('id')
      .where('id', '=', input.itemId)
      .executeTakeFirst();
    if (!exists) return false;
    try {
      await this.db
        .insertInto('derivatives')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['item_id', 'path']).doUpdateSet({
            kind: row.kind,
            label: row.label,
            mime: row.mime,
            width: row.width,
            height: row.height,
            bitrate: row.bitrate,
            duration_ms: row.duration_ms,
            length: row.length,
            blob_key: row.blob_key,
            integrity: row.integrity,
            created_at: row.created_at,
          }),
        )
        .execute();
      return true;
    } catch (err) {
      // The item was deleted between the check and the insert (foreign key).
      if (!(await this.db.selectFrom('items').select('id').where('id', '=', input.itemId).executeTakeFirst()))
        return false;
      throw err;
    }
  }

  /** The item's derivatives, in the order they were recorded. */
  async list(itemId: number): Promise<Derivative[]> {
    return (await this.listMany([itemId])).get(itemId) ?? [];
  }

  /** Derivatives of several items at once, by item. */
  async listMany(itemIds: readonly number[]): Promise<Map<number, Derivative[]>> {
    const out = new Map<number, Derivative[]>();
    const ids = itemIds.filter((id) => Number.isSafeInteger(id));
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom('derivatives')
      .selectAll()
      .where('item_id', 'in', ids)
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.item_id) ?? [];
      list.push(toDerivative(r));
      out.set(r.item_id, list);
    }
    return out;
  }

  /** Forgets the item's derivatives and its derivatives torrent; returns the blob keys they used. */
  async clear(itemId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('derivatives')
      .select('blob_key')
      .where('item_id', '=', itemId)
      .execute();
    const torrent = await this.torrent(itemId);
    await this.db.deleteFrom('derivatives').where('item_id', '=', itemId).execute();
    await this.db
      .updateTable('items')
      .set({ derivatives_info_hash: null, derivatives_info_hash_v2: null, derivatives_torrent_key: null })
      .where('id', '=', itemId)
      .execute();
    return [...rows.map((r) => r.blob_key), ...(torrent ? [torrent.torrentKey] : [])];
  }

  /** Sets where the item's media work stands; progress and error as given (null otherwise). */
  async setProcessing(
    itemId: number,
    state: ProcessingState,
    options: { progress?: number | null; error?: string | null } = {},
  ): Promise<void> {
    if (!STATES.includes(state)) invalid('processing', 'unknown state');
    const progress = options.progress ?? null;
    if (progress !== null && !(progress >= 0 && progress <= 1)) invalid('progress', 'between 0 and 1');
    await this.db
      .updateTable('items')
      .set({
        processing_state: state,
        processing_progress: progress,
        processing_error:
          options.error === undefined || options.error === null ? null : options.error.slice(0, 2000),
      })
      .where('id', '=', itemId)
      .execute();
  }

  /** Updates a running item's progress only (no effect unless it is running). */
  async setProgress(itemId: number, progress: number): Promise<void> {
    const p = Math.min(1, Math.max(0, Number.isFinite(progress) ? progress : 0));
    await this.db
      .updateTable('items')
      .set({ processing_progress: p })
      .where('id', '=', itemId)
      .where('processing_state', '=', 'running')
      .execute();
  }

  /** The item's processing and derivatives torrent (undefined when there is no such item). */
  async processing(itemId: number): Promise<ProcessingRecord | undefined> {
    return (await this.processingMany([itemId])).get(itemId);
  }

  async processingMany(itemIds: readonly number[]): Promise<Map<number, ProcessingRecord>> {
    const out = new Map<number, ProcessingRecord>();
    const ids = itemIds.filter((id) => Number.isSafeInteger(id));
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom('items')
      .select([
        'id',
        'processing_state',
        'processing_progress',
        'processing_error',
        'derivatives_info_hash',
        'derivatives_info_hash_v2',
        'derivatives_torrent_key',
      ])
      .where('id', 'in', ids)
      .execute();
    for (const r of rows) {
      out.set(r.id, {
        itemId: r.id,
        state: r.processing_state ?? null,
        progress: r.processing_progress === null ? null : Number(r.processing_progress),
        error: r.processing_error ?? null,
        torrent: r.derivatives_torrent_key
          ? {
              infoHash: r.derivatives_info_hash ?? null,
              infoHashV2: r.derivatives_info_hash_v2 ?? null,
              torrentKey: r.derivatives_torrent_key,
            }
          : null,
      });
    }
    return out;
  }

  /** Records the item's derivatives torrent; false when the item is gone. */
  async setTorrent(
    itemId: number,
    torrent: { infoHash?: string | null; infoHashV2?: string | null; torrentKey: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('items')
      .set({
        derivatives_info_hash: hashOrNull('infoHash', torrent.infoHash),
        derivatives_info_hash_v2: hashOrNull('infoHashV2', torrent.infoHashV2),
        derivatives_torrent_key: torrent.torrentKey,
      })
      .where('id', '=', itemId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The item's derivatives torrent, when made. */
  async torrent(itemId: number): Promise<DerivativesTorrent | undefined> {
    const t = (await this.processing(itemId))?.torrent;
    return t ? { itemId, ...t } : undefined;
  }

  /** Derivatives torrents of every item the tracker should accept (not taken down). */
  async torrents(): Promise<DerivativesTorrent[]> {
    const rows = await this.db
      .selectFrom('items')
      .select(['id', 'derivatives_info_hash', 'derivatives_info_hash_v2', 'derivatives_torrent_key'])
      .where('status', '=', 'ready')
      .where('derivatives_torrent_key', 'is not', null)
      .execute();
    return rows.map((r) => ({
      itemId: r.id,
      infoHash: r.derivatives_info_hash ?? null,
      infoHashV2: r.derivatives_info_hash_v2 ?? null,
      torrentKey: r.derivatives_torrent_key!,
    }));
  }

  /** The item whose derivatives torrent has this v1 hash, or v2 hash (full or its first 20 bytes). */
  async itemOfInfoHash(hash: string): Promise<number | undefined> {
    const h = hash.toLowerCase();
    let query = this.db.selectFrom('items').select('id');
    query =
      h.length === 64
        ? query.where('derivatives_info_hash_v2', '=', h)
        : query.where((eb) =>
            eb.or([eb('derivatives_info_hash', '=', h), eb('derivatives_info_hash_v2', 'like', `${h}%`)]),
          );
    return (await query.executeTakeFirst())?.id;
  }

  /** Records an original file's SHA-384 (SRI form). */
  async setFileIntegrity(itemId: number, position: number, integrity: string): Promise<void> {
    if (!/^sha384-[A-Za-z0-9+/]{64}$/.test(integrity)) invalid('integrity', 'sha384-<base64>');
    await this.db
      .updateTable('item_files')
      .set({ integrity })
      .where('item_id', '=', itemId)
      .where('position', '=', position)
      .execute();
  }

  /**
   * Ids of ready items never queued for media work (`processing_state` null and no media facts
   * read), oldest first, after `afterId`: the startup catch-up queues `media.analyze` for them.
   */
  async neverProcessed(options: { afterId?: number; limit?: number } = {}): Promise<number[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 100)), 1000);
    const rows = await this.db
      .selectFrom('items')
      .select('id')
      .where('status', '=', 'ready')
      .where('processing_state', 'is', null)
      .where('media_checked_at', 'is', null)
      // Torrent-only items not yet archived are queued by the archiver once they are.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('item_files')
              .select('item_files.id')
              .whereRef('item_files.item_id', '=', 'items.id')
              .where('item_files.blob_key', 'is', null),
          ),
        ),
      )
      .where('id', '>', options.afterId ?? 0)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }
}
