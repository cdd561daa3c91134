/**
 * Deleting an account, the database's part (the web layer removes the items first, through the
 * same path as `DELETE /api/v1/items/:id`, so seeding stops and blobs go):
 *
 * - `items: "delete"`: the caller has removed every item; the account's channels go with it (their
 *   avatar and banner keys are returned so the caller deletes those blobs).
 * - `items: "transfer"`: the items and channels are handed to "the site": the oldest active admin
 *   account other than this one (the first admin, normally; no hidden system account that could
 *   not be managed from the pages).
 * - Comments are removed as their author deleting each would: one without replies goes; one with
 *   replies stays as "[deleted]" (empty body, no author shown), kept under the site account so the
 *   thread stays whole. Sessions, API tokens, one-time tokens, favourites, follows and collections
 *   go with the row (foreign keys cascade); reports and audit entries keep their rows without it.
 * - The last active admin cannot delete their account (LAST_ADMIN): someone must run the site.
 *
 * `accountExport` gathers what the account holds for "export my data" (JSON).
 */

import { sql } from 'kysely';
import { type Database, databaseKind } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { ITEM_FIELDS, type ItemFieldValues } from './item-fields.js';

export const ITEMS_CHOICES = ['delete', 'transfer'] as const;
export type ItemsChoice = (typeof ITEMS_CHOICES)[number];

export interface RemovedAccount {
  /** The account that received the items and channels ("transfer"), or null. */
  transferredTo: { id: number; username: string } | null;
  /** Blob keys (channel avatars and banners) the caller deletes from the blob store. */
  blobKeys: string[];
}

/** The oldest active admin other than `excluding` (the "site" that receives items), if any. */
export async function siteAccount(
  db: Database,
  excluding: number,
): Promise<{ id: number; username: string } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .where('id', '!=', excluding)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** LAST_ADMIN when account `userId` is an admin and no other active admin exists. */
export async function checkRemovable(db: Database, userId: number): Promise<void> {
  const row = await db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst();
  if (!row) throw new SeedcastError('NOT_FOUND', 'no such account');
  if (row.role === 'admin' && !(await siteAccount(db, userId)))
    throw new SeedcastError('LAST_ADMIN', 'you are the only admin: make someone else admin first');
}

/** Ids of the items account `userId` owns. */
export async function ownedItemIds(db: Database, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('items')
    .select('id')
    .where('owner_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Deletes account `userId` (see the module comment); its items are gone already, or are transferred. */
export async function removeAccount(
  db: Database,
  userId: number,
  options: { items: ItemsChoice; now?: number },
): Promise<RemovedAccount> {
  const now = options.now ?? Date.now();
  return db.transaction().execute(async (tx) => {
    // Two admins deleting themselves at once must not both pass the last-admin check.
    if (databaseKind(db) === 'postgres') await sql`lock table users in share row exclusive mode`.execute(tx);
    await checkRemovable(tx, userId);
    const site = await siteAccount(tx, userId);
    if (!site) throw new SeedcastError('LAST_ADMIN', 'the site has no admin account to keep what stays');
    const channels = await tx
      .selectFrom('channels')
      .select(['id', 'avatar_key', 'banner_key'])
      .where('owner_id', '=', userId)
      .execute();
    let blobKeys: string[] = [];
    if (options.items === 'transfer') {
      await tx.updateTable('items').set({ owner_id: site.id }).where('owner_id', '=', userId).execute();
      await tx.updateTable('channels').set({ owner_id: site.id }).where('owner_id', '=', userId).execute();
    } else {
      const left = await ownedItemIds(tx, userId);
      if (left.length > 0) throw new SeedcastError('INTERNAL', `account ${userId} still owns items`);
      blobKeys = channels.flatMap((c) => [c.avatar_key, c.banner_key]).filter((k): k is string => !!k);
    }
    // Comments: every one becomes a "[deleted]" placeholder kept by the site, then placeholders
    // without replies go (leaves first, one level a pass).
    const touched = await tx
      .selectFrom('comments')
      .select('item_id')
      .distinct()
      .where('user_id', '=', userId)
      .execute();
    await tx
      .updateTable('comments')
      .set({ body: '', deleted_at: now, user_id: site.id })
      .where('user_id', '=', userId)
      .execute();
    const items = touched.map((t) => t.item_id);
    for (let pass = 0; items.length > 0 && pass < 64; pass++) {
      const gone = await tx
        .deleteFrom('comments')
        .where('item_id', 'in', items)
        .where('deleted_at', 'is not', null)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('comments as r').select('r.id').whereRef('r.parent_id', '=', 'comments.id'),
            ),
          ),
        )
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) break;
    }
    await tx.deleteFrom('users').where('id', '=', userId).execute();
    return { transferredTo: options.items === 'transfer' ? site : null, blobKeys };
  });
}

/** Everything an account holds, for "export my data" (items' URLs are the caller's to add). */
export async function accountExport(db: Database, userId: number) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'created_at', 'email', 'email_verified_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw new SeedcastError('NOT_FOUND', 'no such account');
  const channels = await db
    .selectFrom('channels')
    .select(['id', 'slug', 'title', 'description', 'category', 'medium', 'created_at'])
    .where('owner_id', '=', userId)
    .orderBy('id')
    .execute();
  const items = await db
    .selectFrom('items')
    .leftJoin('channels', 'channels.id', 'items.channel_id')
    .selectAll('items') // the declared fields' columns among them (`item-fields.ts`)
    .select('channels.slug as channel')
    .where('items.owner_id', '=', userId)
    .orderBy('items.id')
    .execute();
  const ids = items.map((i) => i.id);
  const files = ids.length
    ? await db
        .selectFrom('item_files')
        .select(['item_id', 'path', 'length', 'sha256'])
        .where('item_id', 'in', ids)
        .orderBy('item_id')
        .orderBy('position')
        .execute()
    : [];
  const tags = ids.length
    ? await db
        .selectFrom('item_tags')
        .innerJoin('tags', 'tags.id', 'item_tags.tag_id')
        .select(['item_tags.item_id', 'tags.name'])
        .where('item_tags.item_id', 'in', ids)
        .orderBy('tags.name')
        .execute()
    : [];
  const comments = await db
    .selectFrom('comments')
    .select(['id', 'item_id', 'parent_id', 'body', 'created_at', 'edited_at'])
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  const favourites = await db
    .selectFrom('favourites')
    .select(['item_id', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  const follows = await db
    .selectFrom('channel_follows')
    .innerJoin('channels', 'channels.id', 'channel_follows.channel_id')
    .select(['channels.slug', 'channel_follows.created_at'])
    .where('channel_follows.user_id', '=', userId)
    .orderBy('channel_follows.created_at')
    .execute();
  const collections = await db
    .selectFrom('collections')
    .select(['id', 'title', 'description', 'visibility', 'created_at', 'updated_at'])
    .where('owner_id', '=', userId)
    .orderBy('id')
    .execute();
  const entries = collections.length
    ? await db
        .selectFrom('collection_items')
        .select(['collection_id', 'item_id'])
        .where(
          'collection_id',
          'in',
          collections.map((c) => c.id),
        )
        .orderBy('collection_id')
        .orderBy('position')
        .execute()
    : [];
  const tokens = await db
    .selectFrom('api_tokens')
    .select(['name', 'created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return {
    profile: {
      id: user.id,
      username: user.username,
      role: user.role,
      createdAt: iso(user.created_at),
      email: user.email,
      emailVerifiedAt: iso(user.email_verified_at),
    },
    channels: channels.map((c) => ({
      name: c.slug,
      title: c.title,
      description: c.description,
      category: c.category,
      medium: c.medium,
      createdAt: iso(c.created_at),
    })),
    items: items.map((i) => ({
      id: i.id,
      ...(Object.fromEntries(
        ITEM_FIELDS.map((f) => [f.name, (i as unknown as Record<string, unknown>)[f.column] ?? null]),
      ) as ItemFieldValues),
      license: i.license,
      mediaType: i.media_type,
      status: i.status,
      channel: i.channel,
      infoHash: i.info_hash,
      totalLength: Number(i.total_length),
      tags: tags.filter((t) => t.item_id === i.id).map((t) => t.name),
      files: files
        .filter((f) => f.item_id === i.id)
        .map((f) => ({ path: f.path, length: Number(f.length), sha256: f.sha256 })),
      createdAt: iso(i.created_at),
      updatedAt: iso(i.updated_at),
    })),
    comments: comments.map((c) => ({
      id: c.id,
      item: c.item_id,
      parent: c.parent_id,
      body: c.body,
      createdAt: iso(c.created_at),
      editedAt: iso(c.edited_at),
    })),
    favourites: favourites.map((f) => ({ item: f.item_id, createdAt: iso(f.created_at) })),
    follows: follows.map((f) => ({ channel: f.slug, createdAt: iso(f.created_at) })),
    collections: collections.map((c) => ({
      id: c.id,
      title: c.title,
      description: c.description,
      visibility: c.visibility,
      items: entries.filter((e) => e.collection_id === c.id).map((e) => e.item_id),
      createdAt: iso(c.created_at),
      updatedAt: iso(c.updated_at),
    })),
    apiTokens: tokens.map((t) => ({
      name: t.name,
      createdAt: iso(t.created_at),
      lastUsedAt: iso(t.last_used_at),
      expiresAt: iso(t.expires_at),
    })),
  };
}

export type AccountExport = Awaited<ReturnType<typeof accountExport>>;

/** The functions above over one database (what `SiteServices.accounts` holds for the web layer). */
export class AccountRemoval {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  checkRemovable(userId: number): Promise<void> {
    return checkRemovable(this.db, userId);
  }

  /** The account that would receive `userId`'s items ("the site"). */
  siteAccount(userId: number): Promise<{ id: number; username: string } | undefined> {
    return siteAccount(this.db, userId);
  }

  ownedItemIds(userId: number): Promise<number[]> {
    return ownedItemIds(this.db, userId);
  }

  remove(userId: number, items: ItemsChoice): Promise<RemovedAccount> {
    return removeAccount(this.db, userId, { items, now: (this.options.now ?? Date.now)() });
  }

  export(userId: number): Promise<AccountExport> {
    return accountExport(this.db, userId);
  }
}
