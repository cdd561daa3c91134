/**
 * The database's migrations, written in code (no migration folder to find at run time) and run by
 * Kysely's `Migrator` when a database is opened. Each migration is one function of the dialect, so
 * the few things SQLite and PostgreSQL spell differently (generated ids) are decided in one place;
 * everything else is Kysely's portable schema builder. Append new migrations with a higher number;
 * never edit one that has shipped. The longer ones are in `migrations-*.ts` (search 0002, moderation
 * 0009, jobs and derivatives 0013-0014, captions 0015, people 0016, roles, licences).
 */

import { type Kysely, type Migration, sql } from 'kysely';
import { type Column, generatedId, notNull, references } from './migration-columns.js';
import { captions } from './migrations-captions.js';
import { fixity } from './migrations-fixity.js';
import { licences } from './migrations-licences.js';
import { derivatives, jobs } from './migrations-media.js';
import { moderation } from './migrations-moderation.js';
import { people } from './migrations-people.js';
import { roles } from './migrations-roles.js';
import { scaleOut } from './migrations-scale-out.js';
import { search } from './migrations-search.js';
import { searchIndex } from './migrations-search-index.js';
import { searchPg } from './migrations-search-pg.js';
import { searchRank } from './migrations-search-rank.js';

export type DbKind = 'sqlite' | 'postgres';

async function accounts(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('username', 'text', notNull)
    .addColumn('password_hash', 'text', notNull)
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('disabled_at', 'bigint')
    .addCheckConstraint('users_role_check', sql`role in ('admin', 'user')`)
    .addCheckConstraint('users_username_check', sql`length(username) between 1 and 64`)
    .execute();
  await db.schema
    .createIndex('users_username_key')
    .on('users')
    .unique()
    .expression(sql`lower(username)`)
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('last_used_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint', notNull)
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();
}

async function catalog(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .createTable('channels')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('owner_id', 'integer', references('users.id', 'cascade'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', notNull)
    .execute();
  await db.schema.createIndex('channels_owner').on('channels').column('owner_id').execute();

  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('owner_id', 'integer', references('users.id', 'cascade'))
    .addColumn('channel_id', 'integer', references('channels.id', 'set null'))
    .addColumn('title', 'text', notNull)
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('creator', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('date', 'text')
    .addColumn('language', 'text')
    .addColumn('license', 'text')
    .addColumn('media_type', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('mime_type', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('torrent_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('info_hash', 'text', (c) => c.unique())
    .addColumn('info_hash_v2', 'text', (c) => c.unique())
    .addColumn('torrent_key', 'text')
    .addColumn('total_length', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('piece_length', 'integer')
    .addColumn('duration_ms', 'bigint')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('thumbnail_key', 'text')
    .addColumn('bytes_served', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addCheckConstraint('items_title_check', sql`length(title) between 1 and 1000`)
    .addCheckConstraint(
      'items_media_type_check',
      sql`media_type in ('video', 'audio', 'image', 'text', 'software', 'other')`,
    )
    .addCheckConstraint('items_status_check', sql`status in ('pending', 'ready', 'taken_down')`)
    .addCheckConstraint('items_torrent_only_check', sql`torrent_only in (0, 1)`)
    .addCheckConstraint('items_lengths_check', sql`total_length >= 0 and bytes_served >= 0`)
    .execute();
  await db.schema.createIndex('items_newest').on('items').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('items_owner').on('items').column('owner_id').execute();
  await db.schema.createIndex('items_channel').on('items').column('channel_id').execute();

  await db.schema
    .createTable('item_files')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('position', 'integer', notNull)
    .addColumn('path', 'text', notNull)
    .addColumn('length', 'bigint', notNull)
    .addColumn('blob_key', 'text')
    .addColumn('mime_type', 'text')
    .addColumn('sha256', 'text')
    .addUniqueConstraint('item_files_position_key', ['item_id', 'position'])
    .addUniqueConstraint('item_files_path_key', ['item_id', 'path'])
    .addCheckConstraint('item_files_length_check', sql`length >= 0 and position >= 0`)
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createTable('item_tags')
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('tag_id', 'integer', references('tags.id', 'cascade'))
    .addPrimaryKeyConstraint('item_tags_pkey', ['item_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('item_tags_tag').on('item_tags').column('tag_id').execute();
}

async function community(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .createTable('comments')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('body', 'text', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .execute();
  await db.schema.createIndex('comments_item').on('comments').columns(['item_id', 'created_at']).execute();

  await db.schema
    .createTable('favourites')
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('created_at', 'bigint', notNull)
    .addPrimaryKeyConstraint('favourites_pkey', ['user_id', 'item_id'])
    .execute();
  await db.schema.createIndex('favourites_item').on('favourites').column('item_id').execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('reporter_id', 'integer', references('users.id', 'set null'))
    .addColumn('reason', 'text', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('resolved_at', 'bigint')
    .execute();
  await db.schema.createIndex('reports_item').on('reports').column('item_id').execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', references('users.id', 'cascade'))
    .addColumn('length', 'bigint')
    .addColumn('upload_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('blob_key', 'text')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addCheckConstraint(
      'uploads_offset_check',
      sql`upload_offset >= 0 and (length is null or upload_offset <= length)`,
    )
    .execute();
  await db.schema.createIndex('uploads_user').on('uploads').column('user_id').execute();
}

async function browserSwarm(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('site_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .execute();
  // null: the site's default; 'on' or 'off': the account's own choice.
  await db.schema
    .alterTable('users')
    .addColumn('p2p', 'text', (c) => c.check(sql`p2p in ('on', 'off')`))
    .execute();
  const bytes: Column = (c) => c.notNull().defaultTo(0);
  await db.schema
    .createTable('item_traffic')
    .addColumn('item_id', 'integer', (c) => c.primaryKey().references('items.id').onDelete('cascade'))
    .addColumn('http_player', 'bigint', bytes)
    .addColumn('http_download', 'bigint', bytes)
    .addColumn('web_seed', 'bigint', bytes)
    .addColumn('tcp', 'bigint', bytes)
    .addColumn('webrtc', 'bigint', bytes)
    .addColumn('browser_peers', 'bigint', bytes)
    .addColumn('updated_at', 'bigint', notNull)
    .addCheckConstraint(
      'item_traffic_bytes_check',
      sql`http_player >= 0 and http_download >= 0 and web_seed >= 0 and tcp >= 0 and webrtc >= 0 and browser_peers >= 0`,
    )
    .execute();
  // What `items.bytes_served` counted until now (every HTTP byte, unclassified) becomes downloads.
  await sql`insert into item_traffic (item_id, http_download, updated_at)
    select id, bytes_served, updated_at from items where bytes_served > 0`.execute(db);
}

export function migrations(kind: DbKind): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db) {
        await accounts(db, kind);
        await catalog(db, kind);
        await community(db, kind);
      },
    },
    '0002_search': {
      async up(db) {
        await search(db, kind);
      },
    },
    // The newest ready items (home page, feeds) in id order straight from an index: without it,
    // SQLite picks items_newest for `status = ?` and sorts every ready item (0.8 s at 100k items).
    '0005_pages': {
      async up(db) {
        await db.schema.createIndex('items_status_id').on('items').columns(['status', 'id']).execute();
      },
    },
    '0006_media': {
      async up(db) {
        // When the site last read an item's media facts (ffprobe), so each item is analysed once.
        await db.schema.alterTable('items').addColumn('media_checked_at', 'bigint').execute();
      },
    },
    '0009_moderation': {
      async up(db) {
        await moderation(db, kind);
      },
    },
    // Account security (issue 15, web limits): the per-account login lockout, and the address of the
    // last good login (hashed), which the lockout lets through.
    '0010_login_lockout': {
      async up(db) {
        const users = () => db.schema.alterTable('users');
        await users()
          .addColumn('login_failures', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await users().addColumn('login_failures_since', 'bigint').execute();
        await users().addColumn('locked_until', 'bigint').execute();
        await users().addColumn('login_address', 'text').execute();
      },
    },
    // Storage limits and archiving (issue 15): an account's own quota (null: the site's default;
    // -1: none) and where archiving a torrent-only item stands (null for uploaded items).
    '0011_quota_archive': {
      async up(db) {
        await db.schema.alterTable('users').addColumn('quota_bytes', 'bigint').execute();
        await db.schema.alterTable('items').addColumn('archive_state', 'text').execute();
        await db.schema.alterTable('items').addColumn('archive_error', 'text').execute();
        await db.schema
          .alterTable('items')
          .addColumn('archive_attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    // The browser swarm (issue 17): viewers choose (the site's settings, an account's P2P choice) and
    // honest statistics (bytes per item and channel; `traffic.ts` in `src/distribution`).
    '0012_browser_swarm': {
      async up(db) {
        await browserSwarm(db);
      },
    },
    // The job queue (issue 18): the embedded adapter's table (`src/jobs/embedded.ts`).
    '0013_jobs': {
      async up(db) {
        await jobs(db, kind);
      },
    },
    // Plays everywhere (issue 18): derivatives, items' processing state, originals' integrity.
    '0014_derivatives': {
      async up(db) {
        await derivatives(db, kind);
      },
    },
    // Captions, transcripts and chapters (issue 18): `migrations-captions.ts`.
    '0015_captions': {
      async up(db) {
        await captions(db, kind);
      },
    },
    // People (issue 19): channels' images and feed facts, follows, collections, account emails and
    // one-time tokens, invitations: `migrations-people.ts`.
    '0016_people': {
      async up(db) {
        await people(db, kind);
      },
    },
    // The moderator role (issue 19): users_role_check admits 'moderator' (`migrations-roles.ts`).
    '0017_roles': {
      async up(db) {
        await roles(db, kind);
      },
    },
    // One canonical licence per item (an SPDX id, whatever form it was given in): `migrations-licences.ts`.
    '0018_licences': {
      async up(db) {
        await licences(db);
      },
    },
    // Owners edit (issue 19): uploads ask whether their content is published (by SHA-256) before
    // sending it, `ItemRepository.withContent`.
    '0019_items': {
      async up(db) {
        await db.schema.createIndex('item_files_sha256_idx').on('item_files').column('sha256').execute();
      },
    },
    // Fixity (issue 22): items re-hashed against their piece hashes, damage and repairs (`migrations-fixity.ts`).
    '0020_fixity': { up: (db) => fixity(db) },
    // Search ranks, counts and facets every match (issue 22): `migrations-search-rank.ts`.
    '0021_search_rank': {
      async up(db) {
        await searchRank(db, kind);
      },
    },
    // Two site nodes (issue 22): tus upload parts in the shared blob store, `migrations-scale-out.ts`.
    '0022_scale_out': {
      async up(db) {
        await scaleOut(db);
      },
    },
    // Items' series and episode number (issue 20; declared in `src/catalog/item-fields.ts`).
    '0023_item_series': {
      async up(db) {
        await db.schema.alterTable('items').addColumn('series', 'text').execute();
        await db.schema.alterTable('items').addColumn('episode', 'integer').execute();
      },
    },
    // Search filters as full-text terms (issue 22, SQLite): `migrations-search-index.ts`.
    '0024_search_index': { up: (db) => searchIndex(db, kind) },
    // Search reads a word's newest matches from one GIN index (issue 22, PostgreSQL): `migrations-search-pg.ts`.
    '0026_search_pg': { up: (db) => searchPg(db, kind) },
  };
}
