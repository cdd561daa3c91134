/**
 * Collections (playlists): a user's ordered list of any ready items of the site, public (listed on
 * their page) or unlisted (reachable by id only). Only the owner changes a collection (FORBIDDEN
 * otherwise). Adding an item already in the collection is a no-op (`added: false`); a reorder must
 * name exactly the items in the collection, each once. Visitors see the ready items in order; the
 * owner also sees their pending ones; taken-down items are hidden from everyone (the row stays, so
 * an item put back returns to its place). Limits: title 1–200 characters, description 5,000,
 * 1,000 items per collection, 500 collections per account. Refusals are COLLECTION_INVALID naming
 * the field, COLLECTION_FULL for the limits.
 */

import { type CollectionVisibility, constraintKind, type Database } from '../db/index.js';
import { ERRORS, isSeedcastError, SeedcastError } from '../errors.js';
import { text } from './item-input.js';

export type { CollectionVisibility };

export const MAX_COLLECTION_ITEMS = 1000;
export const MAX_COLLECTIONS_PER_USER = 500;
export const MAX_COLLECTION_TITLE = 200;
export const MAX_COLLECTION_DESCRIPTION = 5000;
export const COLLECTION_VISIBILITIES: readonly CollectionVisibility[] = ['public', 'unlisted'];

export interface Collection {
  id: number;
  ownerId: number;
  /** The owner's username. */
  owner: string;
  title: string;
  description: string;
  visibility: CollectionVisibility;
  /** Items in the collection that visitors can see (ready). */
  itemCount: number;
  createdAt: number;
  updatedAt: number;
}

/** Who asks for a change: only the owner may. */
export interface CollectionActor {
  id: number;
}

export interface CollectionChanges {
  title?: unknown;
  description?: unknown;
  visibility?: unknown;
}

function refuse(field: string, why: string): never {
  throw new SeedcastError('COLLECTION_INVALID', `${field}: ${why}`);
}

/** The catalog's text checks, answered as COLLECTION_INVALID. */
function checkedText(field: string, value: unknown, max: number, multiline = false): string {
  try {
    return text(field, value, max, { multiline });
  } catch (err) {
    if (!isSeedcastError(err, 'ITEM_INVALID')) throw err;
    throw new SeedcastError('COLLECTION_INVALID', err.message.slice(ERRORS.ITEM_INVALID.message.length + 2));
  }
}

function title(value: unknown): string {
  const t = checkedText('title', value, MAX_COLLECTION_TITLE);
  if (t === '') refuse('title', 'required (1 to 200 characters)');
  return t;
}

function visibility(value: unknown): CollectionVisibility {
  if (!COLLECTION_VISIBILITIES.includes(value as CollectionVisibility))
    refuse('visibility', 'public or unlisted');
  return value as CollectionVisibility;
}

function description(value: unknown): string {
  return checkedText('description', value, MAX_COLLECTION_DESCRIPTION, true).replace(/\r\n/g, '\n');
}

export class CollectionRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async create(input: {
    ownerId: number;
    title: unknown;
    description?: unknown;
    visibility?: unknown;
  }): Promise<Collection> {
    const values = {
      owner_id: input.ownerId,
      title: title(input.title),
      description: input.description === undefined ? '' : description(input.description),
      visibility: input.visibility === undefined ? 'public' : visibility(input.visibility),
      created_at: this.now(),
      updated_at: this.now(),
    } as const;
    const owned = await this.db
      .selectFrom('collections')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('owner_id', '=', input.ownerId)
      .executeTakeFirstOrThrow();
    if (Number(owned.n) >= MAX_COLLECTIONS_PER_USER)
      throw new SeedcastError(
        'COLLECTION_FULL',
        `at most ${MAX_COLLECTIONS_PER_USER} collections per account`,
      );
    try {
      const row = await this.db
        .insertInto('collections')
        .values(values)
        .returning('id')
        .executeTakeFirstOrThrow();
      return (await this.get(row.id))!;
    } catch (err) {
      if (constraintKind(err) === 'foreign_key') refuse('owner', 'no such account');
      throw err;
    }
  }

  /** The collection, whatever its visibility (callers decide who may list it). */
  async get(id: number): Promise<Collection | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    return (await this.select({ id }))[0];
  }

  /** An account's collections, newest first; unlisted ones only with `includeUnlisted`. */
  async byOwner(ownerId: number, options: { includeUnlisted?: boolean } = {}): Promise<Collection[]> {
    return this.select({ ownerId, includeUnlisted: options.includeUnlisted ?? false });
  }

  private async select(where: {
    id?: number;
    ownerId?: number;
    includeUnlisted?: boolean;
  }): Promise<Collection[]> {
    let query = this.db
      .selectFrom('collections')
      .innerJoin('users', 'users.id', 'collections.owner_id')
      .select((eb) => [
        'collections.id',
        'collections.owner_id',
        'users.username',
        'collections.title',
        'collections.description',
        'collections.visibility',
        'collections.created_at',
        'collections.updated_at',
        eb
          .selectFrom('collection_items')
          .innerJoin('items', 'items.id', 'collection_items.item_id')
          .select((e) => e.fn.countAll<number | string>().as('n'))
          .whereRef('collection_items.collection_id', '=', 'collections.id')
          .where('items.status', '=', 'ready')
          .as('item_count'),
      ]);
    if (where.id !== undefined) query = query.where('collections.id', '=', where.id);
    if (where.ownerId !== undefined) query = query.where('collections.owner_id', '=', where.ownerId);
    if (where.ownerId !== undefined && !where.includeUnlisted)
      query = query.where('collections.visibility', '=', 'public');
    const rows = await query.orderBy('collections.id', 'desc').limit(MAX_COLLECTIONS_PER_USER).execute();
    return rows.map((r) => ({
      id: r.id,
      ownerId: r.owner_id,
      owner: r.username,
      title: r.title,
      description: r.description,
      visibility: r.visibility,
      itemCount: Number(r.item_count ?? 0),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  /** The collection, when `actor` owns it (NOT_FOUND, FORBIDDEN otherwise). */
  async owned(id: number, actor: CollectionActor): Promise<Collection> {
    const found = await this.get(id);
    if (!found) throw new SeedcastError('NOT_FOUND', `no collection ${id}`);
    if (found.ownerId !== actor.id)
      throw new SeedcastError('FORBIDDEN', 'only its owner may change a collection');
    return found;
  }

  async update(id: number, input: CollectionChanges & { actor: CollectionActor }): Promise<Collection> {
    await this.owned(id, input.actor);
    const set: {
      title?: string;
      description?: string;
      visibility?: CollectionVisibility;
      updated_at: number;
    } = { updated_at: this.now() };
    if (input.title !== undefined) set.title = title(input.title);
    if (input.description !== undefined) set.description = description(input.description);
    if (input.visibility !== undefined) set.visibility = visibility(input.visibility);
    await this.db.updateTable('collections').set(set).where('id', '=', id).execute();
    return (await this.get(id))!;
  }

  async remove(id: number, actor: CollectionActor): Promise<void> {
    await this.owned(id, actor);
    await this.db.deleteFrom('collections').where('id', '=', id).execute();
  }

  /** Appends a ready item; `added: false` when it was already there (nothing changes). */
  async addItem(id: number, input: { actor: CollectionActor; itemId: number }): Promise<{ added: boolean }> {
    await this.owned(id, input.actor);
    const { itemId } = input;
    if (!Number.isSafeInteger(itemId) || itemId < 1) refuse('item', 'an item id');
    const item = await this.db
      .selectFrom('items')
      .select('status')
      .where('id', '=', itemId)
      .executeTakeFirst();
    if (item?.status !== 'ready') refuse('item', `no item ${itemId}`);
    return this.db.transaction().execute(async (tx) => {
      const there = await tx
        .selectFrom('collection_items')
        .select('item_id')
        .where('collection_id', '=', id)
        .where('item_id', '=', itemId)
        .executeTakeFirst();
      if (there) return { added: false };
      const stats = await tx
        .selectFrom('collection_items')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('position').as('last')])
        .where('collection_id', '=', id)
        .executeTakeFirstOrThrow();
      if (Number(stats.n) >= MAX_COLLECTION_ITEMS)
        throw new SeedcastError('COLLECTION_FULL', `at most ${MAX_COLLECTION_ITEMS} items per collection`);
      const position = stats.last === null || stats.last === undefined ? 0 : Number(stats.last) + 1;
      try {
        await tx
          .insertInto('collection_items')
          .values({ collection_id: id, item_id: itemId, position, added_at: this.now() })
          .execute();
      } catch (err) {
        if (constraintKind(err) === 'unique') return { added: false };
        if (constraintKind(err) === 'foreign_key') refuse('item', `no item ${itemId}`);
        throw err;
      }
      await tx.updateTable('collections').set({ updated_at: this.now() }).where('id', '=', id).execute();
      return { added: true };
    });
  }

  /** Takes an item out (NOT_FOUND when it is not in the collection). */
  async removeItem(id: number, input: { actor: CollectionActor; itemId: number }): Promise<void> {
    await this.owned(id, input.actor);
    const result = await this.db
      .deleteFrom('collection_items')
      .where('collection_id', '=', id)
      .where('item_id', '=', input.itemId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0)
      throw new SeedcastError('NOT_FOUND', `item ${input.itemId} is not in collection ${id}`);
    await this.db.updateTable('collections').set({ updated_at: this.now() }).where('id', '=', id).execute();
  }

  /**
   * Puts the items in this order: `itemIds` must be the items the owner sees (`itemIds` with
   * `includePending`), each once; taken-down items keep their rows, after the others.
   */
  async reorder(id: number, input: { actor: CollectionActor; itemIds: readonly unknown[] }): Promise<void> {
    await this.owned(id, input.actor);
    await this.db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('collection_items')
        .innerJoin('items', 'items.id', 'collection_items.item_id')
        .select(['collection_items.item_id', 'items.status'])
        .where('collection_items.collection_id', '=', id)
        .orderBy('collection_items.position')
        .execute();
      const current = new Set(rows.filter((r) => r.status !== 'taken_down').map((r) => r.item_id));
      const hidden = rows.filter((r) => r.status === 'taken_down').map((r) => r.item_id);
      const given = input.itemIds;
      if (
        given.length !== current.size ||
        new Set(given).size !== given.length ||
        !given.every((v) => typeof v === 'number' && current.has(v))
      )
        refuse('items', 'must list every item of the collection exactly once');
      const order = [...(given as number[]), ...hidden];
      for (const [position, itemId] of order.entries()) {
        await tx
          .updateTable('collection_items')
          .set({ position })
          .where('collection_id', '=', id)
          .where('item_id', '=', itemId)
          .execute();
      }
      await tx.updateTable('collections').set({ updated_at: this.now() }).where('id', '=', id).execute();
    });
  }

  /**
   * The ids of the collection's items in order: ready ones, plus pending ones with `includePending`
   * (for the owner); never taken-down ones.
   */
  async itemIds(id: number, options: { includePending?: boolean } = {}): Promise<number[]> {
    const statuses = options.includePending ? (['ready', 'pending'] as const) : (['ready'] as const);
    const rows = await this.db
      .selectFrom('collection_items')
      .innerJoin('items', 'items.id', 'collection_items.item_id')
      .select('collection_items.item_id')
      .where('collection_items.collection_id', '=', id)
      .where('items.status', 'in', statuses)
      .orderBy('collection_items.position')
      .orderBy('collection_items.item_id')
      .limit(MAX_COLLECTION_ITEMS)
      .execute();
    return rows.map((r) => r.item_id);
  }
}
