/**
 * Migration 0017's schema (see `migrations.ts`), issue 19 (people): the `moderator` role. The users
 * table's `users_role_check` said `role in ('admin', 'user')`; it now admits `'moderator'` too.
 *
 * - PostgreSQL: the constraint is dropped and added again with the new list, inside the migration's
 *   transaction (Kysely runs PostgreSQL migrations in one), so either both happen or neither.
 * - SQLite cannot alter a CHECK constraint, so the table is rebuilt by SQLite's own documented
 *   procedure (https://sqlite.org/lang_altertable.html#otheralter, "12 steps"): Kysely runs SQLite
 *   migrations outside a transaction, which lets us turn `foreign_keys` off first (it cannot change
 *   inside one; with it on, dropping `users` would cascade-delete every session, item, comment...);
 *   then, in one transaction: create `users_0017` from the table's own stored `CREATE TABLE` text
 *   with only the role list changed (every column, default and other check as they are now, in the
 *   same order), copy every row, drop `users`, rename `users_0017` to `users` (references from other
 *   tables name `users`, so they point at the new table), re-create the table's indexes from their
 *   stored text, keep the AUTOINCREMENT counter where it was (ids of deleted accounts are never
 *   reused), check `PRAGMA foreign_key_check` finds nothing, commit; and `foreign_keys` back on,
 *   whatever happened. Nothing else (no trigger or view) names `users`; the rebuild refuses to run
 *   if the stored text has no role check to change, rather than guess.
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import type { DbKind } from './migrations.js';

const OLD_CHECK = "check (role in ('admin', 'user'))";
const NEW_CHECK = "check (role in ('admin', 'moderator', 'user'))";

export async function roles(db: Kysely<unknown>, kind: DbKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`alter table users drop constraint users_role_check`.execute(db);
    await sql`alter table users add constraint users_role_check check (role in ('admin', 'moderator', 'user'))`.execute(
      db,
    );
    return;
  }
  await rebuildSqliteUsers(db);
}

async function rebuildSqliteUsers(db: Kysely<unknown>): Promise<void> {
  const master = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where tbl_name = 'users'`.execute(db);
  const table = master.rows.find((r) => r.type === 'table')?.sql ?? '';
  if (!table.includes(OLD_CHECK) || !/^CREATE TABLE "users" \(/.test(table))
    throw new Error(`0017_roles: unexpected users table definition: ${table}`);
  const created = table
    .replace('CREATE TABLE "users" (', 'CREATE TABLE "users_0017" (')
    .replace(OLD_CHECK, NEW_CHECK);
  const indexes = master.rows.filter((r) => r.type === 'index' && r.sql !== null).map((r) => r.sql!);
  const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
  const wasOn = fk.rows[0]?.foreign_keys === 1;
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'users'`.execute(
        db,
      );
      await sql.raw(created).execute(db);
      await sql`insert into users_0017 select * from users`.execute(db);
      await sql`drop table users`.execute(db);
      await sql`alter table users_0017 rename to users`.execute(db);
      for (const index of indexes) await sql.raw(index).execute(db);
      const kept = seq.rows[0]?.seq;
      if (kept !== undefined) {
        await sql`delete from sqlite_sequence where name = 'users'`.execute(db);
        await sql`insert into sqlite_sequence (name, seq)
          values ('users', max(${kept}, (select coalesce(max(id), 0) from users)))`.execute(db);
      }
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0)
        throw new Error(
          `0017_roles: foreign keys broken after rebuilding users: ${JSON.stringify(broken.rows[0])}`,
        );
      await sql`commit`.execute(db);
    } catch (err) {
      await sql`rollback`.execute(db).catch(() => {});
      throw err;
    }
  } finally {
    if (wasOn) await sql`pragma foreign_keys = on`.execute(db);
  }
}
