/**
 * Migrations 0013 and 0014's schema (see `migrations.ts`; issue 18): the job queue's table and the
 * derivatives of items. Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import { generatedId, notNull, references } from './migration-columns.js';
import type { DbKind } from './migrations.js';

/**
 * The job queue (issue 18): one row per job. `item_id` has no foreign key, so a cancelled job's row
 * outlives its deleted item. A worker holds a running job by `lease_token` until `lease_until`;
 * after that another worker may claim it. `run_after` delays a retry (exponential backoff).
 */
export async function jobs(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('kind', 'text', notNull)
    .addColumn('item_id', 'integer')
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('progress', 'double precision')
    .addColumn('error', 'text')
    .addColumn('run_after', 'bigint', notNull)
    .addColumn('lease_token', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addCheckConstraint(
      'jobs_state_check',
      sql`state in ('queued', 'running', 'done', 'failed', 'cancelled')`,
    )
    .execute();
  // What a worker claims next: queued jobs by due time, and running jobs whose lease ran out.
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['state', 'run_after', 'id']).execute();
  await db.schema.createIndex('jobs_item').on('jobs').columns(['item_id', 'state']).execute();
}

/**
 * Derivatives (issue 18): web renditions of an item's original, made by the `media.derive` job. Each
 * row is one file of the item's derivatives torrent (`path` inside it), stored as a blob. Items
 * carry where their processing stands (so pages read it without asking the queue) and the
 * derivatives torrent's info hashes and blob; item files carry their SHA-384 (SRI form).
 */
export async function derivatives(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  await db.schema
    .createTable('derivatives')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('item_id', 'integer', references('items.id', 'cascade'))
    .addColumn('kind', 'text', notNull)
    .addColumn('label', 'text', notNull)
    .addColumn('path', 'text', notNull)
    .addColumn('mime', 'text', notNull)
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('bitrate', 'integer')
    .addColumn('duration_ms', 'bigint')
    .addColumn('length', 'bigint', notNull)
    .addColumn('blob_key', 'text', notNull)
    .addColumn('integrity', 'text')
    .addColumn('created_at', 'bigint', notNull)
    .addUniqueConstraint('derivatives_path_key', ['item_id', 'path'])
    .addCheckConstraint('derivatives_length_check', sql`length >= 0`)
    .execute();
  const items = () => db.schema.alterTable('items');
  await items()
    .addColumn('processing_state', 'text', (c) =>
      c.check(sql`processing_state in ('queued', 'running', 'done', 'failed')`),
    )
    .execute();
  await items().addColumn('processing_progress', 'real').execute();
  await items().addColumn('processing_error', 'text').execute();
  await items().addColumn('derivatives_info_hash', 'text').execute();
  await items().addColumn('derivatives_info_hash_v2', 'text').execute();
  await items().addColumn('derivatives_torrent_key', 'text').execute();
  await db.schema
    .createIndex('items_derivatives_info_hash')
    .on('items')
    .column('derivatives_info_hash')
    .execute();
  await db.schema.alterTable('item_files').addColumn('integrity', 'text').execute();
}

/** Every migration, by name (run in name order). */
