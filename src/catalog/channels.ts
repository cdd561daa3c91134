/**
 * Channels: a publisher's named series of items (`/feeds/items.rss?channel=<slug>`). Slugs are 2–64
 * characters of lower-case letters, digits and `-`, unique across the site.
 */

import { constraintKind, type Database } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { invalid, requiredText, text } from './item-input.js';

export interface Channel {
  id: number;
  ownerId: number;
  slug: string;
  title: string;
  description: string;
  createdAt: number;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export class ChannelRepository {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  async create(input: {
    ownerId: number;
    slug: unknown;
    title: unknown;
    description?: unknown;
  }): Promise<Channel> {
    if (typeof input.slug !== 'string' || input.slug.length < 2 || !SLUG.test(input.slug)) {
      invalid('channel', '2 to 64 lower-case letters, digits or "-"');
    }
    const values = {
      owner_id: input.ownerId,
      slug: input.slug,
      title: requiredText('title', input.title, 300),
      description: text('description', input.description ?? '', 5000, { multiline: true }),
      created_at: (this.options.now ?? Date.now)(),
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
        throw new SeedcastError('ITEM_CONFLICT', `channel "${input.slug}" exists`);
      if (constraintKind(err) === 'foreign_key')
        throw new SeedcastError('ITEM_INVALID', 'owner: no such account');
      throw err;
    }
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

  /** Newest channels first, at most `limit` (default 50). */
  async list(options: { limit?: number } = {}): Promise<Channel[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 50)), 500);
    const rows = await this.db
      .selectFrom('channels')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toChannel);
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('channels').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toChannel(row: {
  id: number;
  owner_id: number;
  slug: string;
  title: string;
  description: string;
  created_at: number;
}): Channel {
  return {
    id: row.id,
    ownerId: row.owner_id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    createdAt: row.created_at,
  };
}
