/**
 * Migration 0009_moderation's schema (see `migrations.ts`; issue 15): comments learn their thread
 * (`root_id`, `depth`, `sort_key`, `edited_at`, `deleted_at`) and the `audit_log` table is created.
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import { generatedId, notNull, references } from './migration-columns.js';
import type { DbKind } from './migrations.js';

/** Sets `root_id`, `depth` and `sort_key` of every comment from the `parent_id` links (one query). */
export async function threadComments(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  const pad = (id: string) => (kind === 'sqlite' ? `printf('%012d', ${id})` : `lpad(${id}::text, 12, '0')`);
  await sql
    .raw(
      `with recursive t(id, root, depth, k) as (
         select id, id, 0, ${pad('id')} from comments where parent_id is null
         union all
         select c.id, t.root, t.depth + 1,
           substr(t.k, 1, 12 * (case when t.depth + 1 < 4 then t.depth + 1 else 4 end)) || ${pad('c.id')}
         from comments c join t on c.parent_id = t.id)
       update comments set root_id = t.root, depth = t.depth, sort_key = t.k from t where t.id = comments.id`,
    )
    .execute(db);
}

/**
 * Moderation (issue 15, finding 6). Comments learn their thread: `root_id` (the top-level comment;
 * its own id for a top-level one), `depth` (0 at the top) and `sort_key`, the ids of the comment's
 * shown ancestors and its own, each 12 digits, at most 5 of them: past the fifth level replies are
 * shown flat under their level-4 ancestor, so `order by root_id desc, sort_key` is the page order
 * (newest thread first, each thread in reply order) straight from an index, however deep a chain.
 * `edited_at`, `deleted_at` (a deleted comment with replies keeps its place as "[deleted]").
 * `audit_log`: who did what to what, when and why (moderation actions).
 */
export async function moderation(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  for (const [name, type] of [
    ['root_id', 'integer'],
    ['depth', 'integer'],
    ['sort_key', 'text'],
    ['edited_at', 'bigint'],
    ['deleted_at', 'bigint'],
  ] as const) {
    await db.schema
      .alterTable('comments')
      .addColumn(name, type, (c) => {
        if (name === 'depth') return c.notNull().defaultTo(0);
        // Byte order for the key on PostgreSQL whatever the database's locale (SQLite compares bytes).
        if (name === 'sort_key' && kind === 'postgres') return c.modifyEnd(sql`collate "C"`);
        return c;
      })
      .execute();
  }
  await threadComments(db, kind);
  await db.schema
    .createIndex('comments_thread_order')
    .on('comments')
    .columns(['item_id', 'root_id desc', 'sort_key'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', generatedId(kind))
    .addColumn('actor_id', 'integer', references('users.id', 'set null'))
    .addColumn('actor', 'text', notNull)
    .addColumn('action', 'text', notNull)
    .addColumn('target_type', 'text', notNull)
    .addColumn('target_id', 'bigint')
    .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', notNull)
    .execute();
  await db.schema.createIndex('audit_log_newest').on('audit_log').columns(['created_at', 'id']).execute();
}
