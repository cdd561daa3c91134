/**
 * Migration 0020's schema (see `migrations.ts`): fixity (issue 22, slice 3), the re-hashing of stored
 * items against their torrent's piece hashes and the repair of damaged pieces from the swarm.
 *
 * - `fixity`: one row per item once it has been checked: when its last pass ended (`verified_at`),
 *   what that pass read (`bytes_checked`, `files_checked`), the damaged piece indexes it found (a JSON
 *   array, `[]` when whole), the repair's state (`ok`, `damaged`, `repairing`, `repaired`), when the
 *   damage was found and repaired, the last repair error, and running totals for `/metrics`
 *   (passes, files and bytes verified, pieces repaired). The row goes with its item.
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import { type Column, notNull } from './migration-columns.js';

const zero: Column = (c) => c.notNull().defaultTo(0);

export async function fixity(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fixity')
    .addColumn('item_id', 'integer', (c) => c.primaryKey().references('items.id').onDelete('cascade'))
    .addColumn('verified_at', 'bigint')
    .addColumn('bytes_checked', 'bigint', zero)
    .addColumn('files_checked', 'integer', zero)
    .addColumn('damaged', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('damaged_at', 'bigint')
    .addColumn('repaired_at', 'bigint')
    .addColumn('error', 'text')
    .addColumn('passes', 'integer', zero)
    .addColumn('files_total', 'bigint', zero)
    .addColumn('bytes_total', 'bigint', zero)
    .addColumn('pieces_repaired', 'bigint', zero)
    .addColumn('updated_at', 'bigint', notNull)
    .addCheckConstraint('fixity_state_check', sql`state in ('ok', 'damaged', 'repairing', 'repaired')`)
    .execute();
  await db.schema.createIndex('fixity_verified_at').on('fixity').column('verified_at').execute();
  await db.schema.createIndex('fixity_state').on('fixity').column('state').execute();
}
