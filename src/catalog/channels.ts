/**
 * Channels: a publisher's named series of items (`/channels/<name>`, its feeds at
 * `/channels/<name>/feed.rss`...). Names (the `slug` column) are 2–64 characters of lower-case
 * letters, digits and `-`, unique across the site. A channel has a title, a Markdown description, an
 * iTunes category (`Arts`, `Technology > Podcasting`), a podcast medium, and an avatar and a banner
 * (blob keys; the bytes live in the blob store). Accounts follow channels (`channel_follows`): their
 * subscriptions page lists the followed channels' newest items. Deleting a channel keeps its items
 * (the foreign key sets `items.channel_id` to null) and ends its follows (cascade).
 * Bad input is CHANNEL_INVALID naming the field (`name: ...`), a taken name CHANNEL_CONFLICT.
 */

import { constraintKind, type Database } from '../db/index.js';
import { isSeedcastError, SeedcastError } from '../errors.js';
import { text } from './item-input.js';

export interface Channel {
  id: number;
  ownerId: number;
  slug: string;
  title: string;
  description: string;
  createdAt: number;
  /** Blob keys of the images (null: none). */
  avatarKey: string | null;
  bannerKey: string | null;
  /** iTunes category, `A` or `A > B`; empty: none. */
  category: string;
  /** The feed's `podcast:medium`. */
  medium: ChannelMedium;
  updatedAt: number | null;
}

export const CHANNEL_MEDIA = [
  'podcast',
  'music',
  'video',
  'film',
  'audiobook',
  'newsletter',
  'blog',
] as const;
export type ChannelMedium = (typeof CHANNEL_MEDIA)[number];

/** What may change (`update`): any of these. */
export interface ChannelChanges {
  title?: unknown;
  description?: unknown;
  category?: unknown;
  medium?: unknown;
}

/** Names that are page addresses under `/channels/`. */
const RESERVED = new Set(['new']);

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

function fail(field: string, why: string): never {
  throw new SeedcastError('CHANNEL_INVALID', `${field}: ${why}`);
}

/** Checked text, with the field named in CHANNEL_INVALID. */
function checked(
  field: string,
  value: unknown,
  max: number,
  options: { multiline?: boolean; required?: boolean } = {},
): string {
  try {
    const t = text(field, value, max, options);
    if (options.required && t === '') fail(field, 'required');
    return t;
  } catch (err) {
    if (isSeedcastError(err, 'ITEM_INVALID'))
      fail(field, err.message.slice(err.message.indexOf(`${field}: `) + field.length + 2));
    throw err;
  }
}

/** Throws CHANNEL_INVALID (`name: ...`) unless `name` is a valid channel name. */
export function checkChannelName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 2 || !SLUG.test(name))
    fail('name', '2 to 64 lower-case letters, digits or "-" (not first or last)');
  if (RESERVED.has(name)) fail('name', `"${name}" is reserved`);
  return name;
}

/** `Technology > Podcasting` (at most two levels, each 1-100 characters), or empty. */
export function checkCategory(value: unknown): string {
  const t = checked('category', value ?? '', 210);
  if (t === '') return '';
  const parts = t.split('>').map((p) => p.trim());
  if (parts.length > 2 || parts.some((p) => p === '' || p.length > 100))
    fail('category', 'a category, or "Category > Subcategory"');
  return parts.join(' > ');
}

function checkMedium(value: unknown): ChannelMedium {
  if (typeof value !== 'string' || !(CHANNEL_MEDIA as readonly string[]).includes(value))
    fail('medium', `one of ${CHANNEL_MEDIA.join(', ')}`);
  return value as ChannelMedium;
}

export class ChannelRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async create(input: {
    ownerId: number;
    slug: unknown;
    title: unknown;
    description?: unknown;
    category?: unknown;
    medium?: unknown;
  }): Promise<Channel> {
    const slug = checkChannelName(input.slug);
    const values = {
      owner_id: input.ownerId,
      slug,
      title: checked('title', input.title, 300, { required: true }),
      description: checked('description', input.description ?? '', 5000, { multiline: true }),
      category: checkCategory(input.category),
      medium: checkMedium(input.medium ?? 'podcast'),
      created_at: this.now(),
    };
    try {
      const row = await this.db
        .insertInto('channels')
        .values(values)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toChannel(row);
    } catch (err) {
      if (constraintKind(err) === 'unique')
        throw new SeedcastError('CHANNEL_CONFLICT', `name: "${slug}" is taken`);
      if (constraintKind(err) === 'foreign_key')
        throw new SeedcastError('CHANNEL_INVALID', 'owner: no such account');
      throw err;
    }
  }

  /** Changes the title, description, category or medium; the channel after, or undefined when none. */
  async update(id: number, changes: ChannelChanges): Promise<Channel | undefined> {
    const set: {
      title?: string;
      description?: string;
      category?: string;
      medium?: string;
      updated_at: number;
    } = {
      updated_at: this.now(),
    };
    if (changes.title !== undefined) set.title = checked('title', changes.title, 300, { required: true });
    if (changes.description !== undefined)
      set.description = checked('description', changes.description, 5000, { multiline: true });
    if (changes.category !== undefined) set.category = checkCategory(changes.category);
    if (changes.medium !== undefined) set.medium = checkMedium(changes.medium);
    const row = await this.db
      .updateTable('channels')
      .set(set)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toChannel(row) : undefined;
  }

  /** Records the blob key of the avatar or banner (null: removed). */
  async setImage(id: number, which: 'avatar' | 'banner', key: string | null): Promise<Channel | undefined> {
    const row = await this.db
      .updateTable('channels')
      .set(
        which === 'avatar'
          ? { avatar_key: key, updated_at: this.now() }
          : { banner_key: key, updated_at: this.now() },
      )
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toChannel(row) : undefined;
  }

  async bySlug(slug: string): Promise<Channel | undefined> {
    const row = await this.db.selectFrom('channels').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row ? toChannel(row) : undefined;
  }

  async byId(id: number): Promise<Channel | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toChannel(row) : undefined;
  }

  /** Every channel on the site, by slug (for OPML and OAI-PMH sets). */
  async all(): Promise<Channel[]> {
    const rows = await this.db.selectFrom('channels').selectAll().orderBy('slug').execute();
    return rows.map(toChannel);
  }

  async byOwner(ownerId: number): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('slug')
      .execute();
    return rows.map(toChannel);
  }

  /** Newest channels first, at most `limit` (default 50), after `offset`. */
  async list(options: { limit?: number; offset?: number } = {}): Promise<Channel[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 50)), 500);
    const offset = Math.min(Math.max(0, Math.floor(options.offset ?? 0)), 100_000);
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(toChannel);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('channels')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes the channel: its items stay (channel set to null), its follows go. */
  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('channels').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** `userId` follows the channel (again: no change). */
  async follow(userId: number, channelId: number): Promise<void> {
    await this.db
      .insertInto('channel_follows')
      .values({ user_id: userId, channel_id: channelId, created_at: this.now() })
      .onConflict((oc) => oc.columns(['user_id', 'channel_id']).doNothing())
      .execute();
  }

  async unfollow(userId: number, channelId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('channel_follows')
      .where('user_id', '=', userId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async isFollowing(userId: number, channelId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('channel_follows')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * One page of a channel's ready items, newest first (ids), and how many it has: straight from
   * the `items_channel` index (its entries are in id order), with no search, ranking or facets.
   */
  async itemPage(
    channelId: number,
    page: { offset: number; limit: number },
  ): Promise<{ ids: number[]; total: number }> {
    const ready = this.db
      .selectFrom('items')
      .where('channel_id', '=', channelId)
      .where('status', '=', 'ready');
    const [rows, count] = await Promise.all([
      ready.select('id').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
      ready.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { ids: rows.map((r) => Number(r.id)), total: Number(count.n) };
  }

  async followers(channelId: number): Promise<number> {
    const row = await this.db
      .selectFrom('channel_follows')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The channels `userId` follows, by title. */
  async followedBy(userId: number): Promise<Channel[]> {
    const rows = await this.db
      .selectFrom('channels')
      .innerJoin('channel_follows', 'channel_follows.channel_id', 'channels.id')
      .selectAll('channels')
      .where('channel_follows.user_id', '=', userId)
      .orderBy('channels.title')
      .orderBy('channels.id')
      .execute();
    return rows.map(toChannel);
  }

  /**
   * Ids of the ready items of the channels `userId` follows, newest first (by id), at most `limit`
   * (default 50), older than item `before` when given (the next page).
   */
  async newItemsForFollower(
    userId: number,
    options: { limit?: number; before?: number } = {},
  ): Promise<number[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 50)), 200);
    let query = this.db
      .selectFrom('items')
      .innerJoin('channel_follows', 'channel_follows.channel_id', 'items.channel_id')
      .select('items.id')
      .where('channel_follows.user_id', '=', userId)
      .where('items.status', '=', 'ready');
    if (options.before !== undefined && Number.isSafeInteger(options.before))
      query = query.where('items.id', '<', options.before);
    const rows = await query.orderBy('items.id', 'desc').limit(limit).execute();
    return rows.map((r) => r.id);
  }
}

function toChannel(row: {
  id: number;
  owner_id: number;
  slug: string;
  title: string;
  description: string;
  created_at: number;
  avatar_key: string | null;
  banner_key: string | null;
  category: string;
  medium: string;
  updated_at: number | null;
}): Channel {
  return {
    id: row.id,
    ownerId: row.owner_id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    createdAt: Number(row.created_at),
    avatarKey: row.avatar_key,
    bannerKey: row.banner_key,
    category: row.category,
    medium: (CHANNEL_MEDIA as readonly string[]).includes(row.medium)
      ? (row.medium as ChannelMedium)
      : 'podcast',
    updatedAt: row.updated_at === null ? null : Number(row.updated_at),
  };
}
