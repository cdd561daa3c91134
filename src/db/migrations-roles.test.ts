/**
 * Migration 0017_roles on SQLite and PostgreSQL over a database with accounts and rows pointing at
 * them: after it, every account, item, session and comment is still there with its id, foreign keys
 * still cascade, `moderator` is accepted, any other role is still refused, and new accounts do not
 * reuse a deleted account's id.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { type PostgresServer, postgresAvailable, startPostgres } from '../../test/helpers/postgres.js';
import { type Database, databaseKind, migrateToLatest, openDatabase } from './index.js';
import { migrations } from './migrations.js';

/** Migrates `db` up to 0016 only, as a site that ran the release before this one. */
async function migrateBefore0017(db: Database): Promise<void> {
  const all = migrations(databaseKind(db));
  const earlier = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0017'));
  const result = await new Migrator({
    db,
    provider: { getMigrations: async () => earlier },
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (result.error) throw result.error;
}

async function scenario(db: Database): Promise<void> {
  await migrateBefore0017(db);
  const now = 1000;
  const user = (username: string, role: string) =>
    sql`insert into users (username, password_hash, role, created_at, quota_bytes, email)
        values (${username}, 'x', ${role}, ${now}, ${username === 'ada' ? 5 : null}, ${`${username}@example.org`})`.execute(
      db,
    );
  await user('ada', 'admin');
  await user('bob', 'user');
  await user('gone', 'user');
  await assert.rejects(user('mo', 'moderator'), 'before 0017 the role check refuses moderator');
  const id = async (name: string) =>
    (await sql<{ id: number }>`select id from users where username = ${name}`.execute(db)).rows[0]!.id;
  const bob = await id('bob');
  const gone = await id('gone');
  await sql`delete from users where id = ${gone}`.execute(db);
  await sql`insert into sessions (id, user_id, created_at, expires_at)
    values ('h1', ${bob}, ${now}, ${now + 1000})`.execute(db);

  const ran = await migrateToLatest(db);
  assert.ok(ran.includes('0017_roles'), `ran ${ran.join(',')}`);

  const rows = await sql<{
    id: number;
    username: string;
    role: string;
    quota_bytes: number | null;
    email: string;
  }>`
    select id, username, role, quota_bytes, email from users order by id`.execute(db);
  assert.deepEqual(
    rows.rows.map((r) => [
      r.username,
      r.role,
      r.quota_bytes === null ? null : Number(r.quota_bytes),
      r.email,
    ]),
    [
      ['ada', 'admin', 5, 'ada@example.org'],
      ['bob', 'user', null, 'bob@example.org'],
    ],
  );
  assert.equal(rows.rows[1]!.id, bob);
  await user('mo', 'moderator');
  await assert.rejects(user('eve', 'owner'), 'other roles are still refused');
  await assert.rejects(user('BOB', 'user'), 'the unique index on lower(username) is back');
  const mo = await id('mo');
  assert.ok(mo > gone, `a new account (${mo}) does not reuse a deleted one's id (${gone})`);
  const kept = await sql<{ n: number }>`select count(*) as n from sessions`.execute(db);
  assert.equal(Number(kept.rows[0]!.n), 1, 'the rebuild deleted no session (no cascade)');
  // Sessions still point at users and still cascade.
  await sql`delete from users where id = ${bob}`.execute(db);
  const sessions = await sql<{ n: number }>`select count(*) as n from sessions`.execute(db);
  assert.equal(Number(sessions.rows[0]!.n), 0, 'deleting an account still deletes its sessions');
  await assert.rejects(
    sql`insert into sessions (id, user_id, created_at, expires_at) values ('h2', 99999, 1, 2)`.execute(db),
    'foreign keys are still enforced',
  );
}

describe('0017_roles', () => {
  test('SQLite: the users table is rebuilt with its rows, indexes, id counter and foreign keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seedcast-roles-'));
    const db = await openDatabase({ sqlite: join(dir, 'db.sqlite') }, { migrate: false });
    try {
      await scenario(db);
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      assert.equal(fk.rows[0]!.foreign_keys, 1, 'foreign keys are on again');
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (postgresAvailable('0017_roles on PostgreSQL')) {
    let server: PostgresServer | undefined;
    before(async () => {
      server = await startPostgres();
    });
    after(async () => {
      await server?.stop();
    });
    test('PostgreSQL: the constraint is replaced; rows and foreign keys stay', async () => {
      const db = await openDatabase(await server!.createDatabase(), { migrate: false });
      try {
        await scenario(db);
      } finally {
        await db.destroy();
      }
    });
  }
});
