/**
 * Migration 0016's schema (see `migrations.ts`), issue 19 (people):
 * - `channels` gains an avatar and a banner (blob keys), an iTunes category, a podcast medium and
 *   `updated_at`;
 * - `users` gains an optional email address (verified or not) and `pending_since` (registration
 *   awaiting an admin's approval; null: active);
 * - new tables `channel_follows`, `collections`, `collection_items`, `account_tokens`, `invites`
 *   (`schema-people.ts`).
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import { generatedId, notNull, references } from './migration-columns.js';
import type { DbKind } from './migrations.js';

export async function people(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  const channels = () => db.schema.alterTable('channels');
  await channels().addColumn('avatar_key', 'text').execute();
  await channels().addColumn('banner_key', 'text').execute();
  await channels()
    .addColumn('category', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await channels()
    .addColumn('medium', 'text', (c) => c.notNull().defaultTo('podcast'))
    .execute();
  await channels().addColumn('updated_at', 'bigint').execute();
  const users = () => db.schema.alterTable('users');
  await users().addColumn('email', 'text').execute();
  await users().addColumn('email_verified_at', 'bigint').execute();
  await users().addColumn('pending_since', 'bigint').execute();
  await db.schema.createIndex('users_email_key').on('users').expression(sql`lower(email)`).unique().execute();

  await db.schema
    .createTable('channel_follows')
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('channel_id', 'integer', references('channels.id', 'cascade'))
    .addColumn('created_at', 'bigint', notNull)
    .addPrimaryKeyConstraint('channel_follows_pkey', ['user_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('channel_follows_channel').on('channel_follows').column('channel_id').execute();

  await db.schema
    .createTable('collections')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('owner_id', 'integer', references('users.id', 'cascade'))
    .addColumn('title', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addCheckConstraint('collections_visibility_check', sql`visibility in ('public', 'unlisted')`)
    .execute();
  await db.schema.createIndex('collections_owner').on('collections').columns(['owner_id', 'id']).execute();
  await db.schema
    .createTable('collection_items')
    .addColumn('collection_id', 'integer', references('collections.id', 'cascade'))
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('position', 'integer', notNull)
    .addColumn('added_at', 'bigint', notNull)
    .addPrimaryKeyConstraint('collection_items_pkey', ['collection_id', 'item_id'])
    .execute();
  await db.schema
    .createIndex('collection_items_order')
    .on('collection_items')
    .columns(['collection_id', 'position'])
    .execute();
  await db.schema.createIndex('collection_items_item').on('collection_items').column('item_id').execute();

  await db.schema
    .createTable('account_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('purpose', 'text', notNull)
    .addColumn('email', 'text')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint', notNull)
    .addColumn('used_at', 'bigint')
    .addCheckConstraint('account_tokens_purpose_check', sql`purpose in ('reset', 'verify-email')`)
    .execute();
  await db.schema.createIndex('account_tokens_user').on('account_tokens').column('user_id').execute();

  await db.schema
    .createTable('invites')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'integer', references('users.id', 'cascade'))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint')
    .addColumn('used_by', 'integer', references('users.id', 'set null'))
    .addColumn('used_at', 'bigint')
    .execute();
}
