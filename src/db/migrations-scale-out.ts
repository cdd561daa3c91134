/**
 * Migration 0022's schema (see `migrations.ts`), issue 22 (two site nodes): `upload_parts`, the
 * parts of tus uploads kept in the shared blob store so that an upload begun on one node resumes on
 * another (`src/publishing/uploads-shared.ts`). A part is the bytes `[part_start, part_end)` of upload
 * `upload_id`, stored at `blob_key`; the primary key on `(upload_id, part_start)` lets exactly one
 * node commit the bytes that follow a given offset. Like every migration, never edit it once shipped.
 */

import type { Kysely } from 'kysely';

export async function scaleOut(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('part_start', 'bigint', (c) => c.notNull())
    .addColumn('part_end', 'bigint', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_parts_pk', ['upload_id', 'part_start'])
    .execute();
}
