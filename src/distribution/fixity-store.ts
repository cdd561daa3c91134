/**
 * Where fixity results are kept (issue 22, slice 3): per item, when its last pass ended, what it
 * read, the damaged piece indexes it found and the repair's state, with running totals for
 * `/metrics`. `FixityStore` is the small interface the fixity service works with; `SqlFixityStore`
 * keeps it in the site's database (the `fixity` table of migration 0020, SQLite or PostgreSQL), and
 * one contract suite (`fixity-store.test.ts`) runs on both.
 */

import { sql } from 'kysely';
import type { Database, FixityStateColumn } from '../db/index.js';

export type FixityState = FixityStateColumn;

/** An item's last fixity pass and repair. */
export interface FixityRecord {
  itemId: number;
  /** When the last pass ended (ms since the epoch); null until one has. */
  verifiedAt: number | null;
  bytesChecked: number;
  filesChecked: number;
  /** Damaged piece indexes, in order (empty when whole). */
  damaged: number[];
  /** `ok` (whole), `damaged` (waiting for a repair), `repairing`, `repaired` (whole again). */
  state: FixityState;
  damagedAt: number | null;
  repairedAt: number | null;
  /** The last repair's error, when it failed. */
  error: string | null;
}

/** Sums over every item, for `/metrics` and the admin page. */
export interface FixityTotals {
  /** Items checked at least once. */
  itemsVerified: number;
  passes: number;
  filesVerified: number;
  bytesVerified: number;
  /** Damaged pieces not repaired yet, and the items that have some. */
  damagedPieces: number;
  damagedItems: number;
  piecesRepaired: number;
  /** When the most recent pass ended (null: none yet). */
  lastVerifiedAt: number | null;
}

export interface FixityStore {
  get(itemId: number): Promise<FixityRecord | undefined>;
  /** Records a finished pass: its damage replaces what was known (state `damaged`, or `ok` when whole). */
  recordPass(
    itemId: number,
    pass: { at: number; bytes: number; files: number; damaged: readonly number[] },
  ): Promise<FixityRecord>;
  /**
   * Damage found outside a pass (the seeding peer hashing a piece as it first serves it): the pieces
   * join the damaged list (state `damaged`, or still `repairing` while a repair runs); when the last
   * pass ended and what it read are kept. Unchanged when every piece was already known.
   */
  recordFound(itemId: number, found: { at: number; pieces: readonly number[] }): Promise<FixityRecord>;
  /** A repair started (`repairing`) or failed (`damaged` again, with the error). */
  setState(itemId: number, state: 'repairing' | 'damaged', error?: string): Promise<void>;
  /** These pieces are whole again: off the damaged list; `repaired` once none is left. */
  recordRepair(itemId: number, repair: { at: number; pieces: readonly number[] }): Promise<FixityRecord>;
  /**
   * Ready items with every file stored whose last pass ended before `before` (or never ran), the
   * least recently checked first.
   */
  due(before: number, limit: number): Promise<number[]>;
  /** Items whose state is not `ok` (damaged, repairing or repaired), most recently changed first. */
  notOk(limit: number): Promise<FixityRecord[]>;
  totals(): Promise<FixityTotals>;
}

type Row = {
  item_id: number;
  verified_at: number | string | null;
  bytes_checked: number | string;
  files_checked: number | string;
  damaged: string;
  state: FixityState;
  damaged_at: number | string | null;
  repaired_at: number | string | null;
  error: string | null;
};

function num(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}

/** The damaged list as stored (a JSON array of piece indexes); anything else reads as none. */
function parseDamaged(text: string): number[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    return [];
  }
}

function record(row: Row): FixityRecord {
  const damaged = parseDamaged(row.damaged);
  return {
    itemId: Number(row.item_id),
    verifiedAt: num(row.verified_at),
    bytesChecked: Number(row.bytes_checked),
    filesChecked: Number(row.files_checked),
    damaged,
    state: row.state,
    damagedAt: num(row.damaged_at),
    repairedAt: num(row.repaired_at),
    error: row.error,
  };
}

const COLUMNS = [
  'item_id',
  'verified_at',
  'bytes_checked',
  'files_checked',
  'damaged',
  'state',
  'damaged_at',
  'repaired_at',
  'error',
] as const;

export class SqlFixityStore implements FixityStore {
  constructor(private readonly db: Database) {}

  async get(itemId: number): Promise<FixityRecord | undefined> {
    const row = await this.db
      .selectFrom('fixity')
      .select(COLUMNS)
      .where('item_id', '=', itemId)
      .executeTakeFirst();
    return row ? record(row) : undefined;
  }

  async recordPass(
    itemId: number,
    pass: { at: number; bytes: number; files: number; damaged: readonly number[] },
  ): Promise<FixityRecord> {
    const damaged = [...new Set(pass.damaged)].sort((a, b) => a - b);
    const before = await this.get(itemId);
    const state: FixityState = damaged.length > 0 ? 'damaged' : 'ok';
    const damagedAt = damaged.length > 0 ? (before?.damaged.length ? before.damagedAt : pass.at) : null;
    const values = {
      verified_at: pass.at,
      bytes_checked: pass.bytes,
      files_checked: pass.files,
      damaged: JSON.stringify(damaged),
      state,
      damaged_at: damagedAt,
      error: null,
      updated_at: pass.at,
    };
    // Items deleted meanwhile have no row to keep (the foreign key refuses it): skipped.
    const exists = await this.db.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst();
    if (!exists) return { ...emptyRecord(itemId), ...(await this.get(itemId)) };
    await this.db
      .insertInto('fixity')
      .values({ item_id: itemId, ...values, passes: 1, files_total: pass.files, bytes_total: pass.bytes })
      .onConflict((oc) =>
        oc.column('item_id').doUpdateSet({
          ...values,
          passes: sql`fixity.passes + 1`,
          files_total: sql`fixity.files_total + ${pass.files}`,
          bytes_total: sql`fixity.bytes_total + ${pass.bytes}`,
        }),
      )
      .execute();
    return (await this.get(itemId))!;
  }

  async recordFound(itemId: number, found: { at: number; pieces: readonly number[] }): Promise<FixityRecord> {
    const before = await this.get(itemId);
    const known = new Set(before?.state === 'ok' || before?.state === 'repaired' ? [] : before?.damaged);
    const fresh = found.pieces.filter((p) => Number.isInteger(p) && p >= 0 && !known.has(p));
    if (fresh.length === 0) return before ?? emptyRecord(itemId);
    const damaged = [...new Set([...known, ...fresh])].sort((a, b) => a - b);
    const values = {
      damaged: JSON.stringify(damaged),
      state: before?.state === 'repairing' ? ('repairing' as const) : ('damaged' as const),
      damaged_at: known.size > 0 ? (before?.damagedAt ?? found.at) : found.at,
      error: null,
      updated_at: found.at,
    };
    const exists = await this.db.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst();
    if (!exists) return emptyRecord(itemId);
    await this.db
      .insertInto('fixity')
      .values({ item_id: itemId, ...values })
      .onConflict((oc) => oc.column('item_id').doUpdateSet(values))
      .execute();
    return (await this.get(itemId))!;
  }

  async setState(itemId: number, state: 'repairing' | 'damaged', error?: string): Promise<void> {
    await this.db
      .updateTable('fixity')
      .set({ state, error: error ?? null, updated_at: Date.now() })
      .where('item_id', '=', itemId)
      .execute();
  }

  async recordRepair(
    itemId: number,
    repair: { at: number; pieces: readonly number[] },
  ): Promise<FixityRecord> {
    const before = await this.get(itemId);
    if (!before) return emptyRecord(itemId);
    const fixed = new Set(repair.pieces);
    const left = before.damaged.filter((p) => !fixed.has(p));
    const count = before.damaged.length - left.length;
    await this.db
      .updateTable('fixity')
      .set({
        damaged: JSON.stringify(left),
        state: left.length > 0 ? 'damaged' : 'repaired',
        repaired_at: left.length > 0 ? before.repairedAt : repair.at,
        damaged_at: left.length > 0 ? before.damagedAt : null,
        error: null,
        pieces_repaired: sql`pieces_repaired + ${count}`,
        updated_at: repair.at,
      })
      .where('item_id', '=', itemId)
      .execute();
    return (await this.get(itemId))!;
  }

  async due(before: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('items')
      .leftJoin('fixity', 'fixity.item_id', 'items.id')
      .select(['items.id as id', 'fixity.verified_at as verified_at'])
      .where('items.status', '=', 'ready')
      .where('items.torrent_key', 'is not', null)
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
      .where((eb) => eb.or([eb('fixity.verified_at', 'is', null), eb('fixity.verified_at', '<', before)]))
      // Never checked first, then the least recently checked.
      .orderBy(sql`coalesce(fixity.verified_at, -1)`)
      .orderBy('items.id')
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.id));
  }

  async notOk(limit: number): Promise<FixityRecord[]> {
    const rows = await this.db
      .selectFrom('fixity')
      .select(COLUMNS)
      .where('state', '!=', 'ok')
      .orderBy('updated_at', 'desc')
      .orderBy('item_id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(record);
  }

  async totals(): Promise<FixityTotals> {
    const row = await this.db
      .selectFrom('fixity')
      .select((eb) => [
        eb.fn.count<number>('verified_at').as('items'),
        eb.fn.coalesce(eb.fn.sum<number>('passes'), sql<number>`0`).as('passes'),
        eb.fn.coalesce(eb.fn.sum<number>('files_total'), sql<number>`0`).as('files'),
        eb.fn.coalesce(eb.fn.sum<number>('bytes_total'), sql<number>`0`).as('bytes'),
        eb.fn.coalesce(eb.fn.sum<number>('pieces_repaired'), sql<number>`0`).as('repaired'),
        eb.fn.max('verified_at').as('last'),
      ])
      .executeTakeFirstOrThrow();
    let damagedPieces = 0;
    let damagedItems = 0;
    const damagedRows = await this.db
      .selectFrom('fixity')
      .select('damaged')
      .where('state', 'in', ['damaged', 'repairing'])
      .execute();
    for (const r of damagedRows) {
      const n = parseDamaged(r.damaged).length;
      damagedPieces += n;
      if (n > 0) damagedItems++;
    }
    return {
      itemsVerified: Number(row.items),
      passes: Number(row.passes),
      filesVerified: Number(row.files),
      bytesVerified: Number(row.bytes),
      damagedPieces,
      damagedItems,
      piecesRepaired: Number(row.repaired),
      lastVerifiedAt: row.last === null || row.last === undefined ? null : Number(row.last),
    };
  }
}

function emptyRecord(itemId: number): FixityRecord {
  return {
    itemId,
    verifiedAt: null,
    bytesChecked: 0,
    filesChecked: 0,
    damaged: [],
    state: 'ok',
    damagedAt: null,
    repairedAt: null,
    error: null,
  };
}
