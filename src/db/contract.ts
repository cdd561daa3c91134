/**
 * The one contract suite the database layer passes on every dialect (run by `sqlite.test.ts` against
 * a SQLite file and by `postgres.test.ts` against a real PostgreSQL): migrations apply once and only
 * once, the schema's constraints hold and are recognised, cascades behave, values keep their types,
 * and hostile strings are data, never SQL.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { constraintKind, escapeLike } from './constraints.js';
import { type DbKind, migrations } from './migrations.js';
import { type Database, type DatabaseTarget, databaseKind, migrateToLatest, openDatabase } from './open.js';
import { TABLES } from './schema.js';

export interface DbFactory {
  kind: DbKind;
  /** A fresh, empty database to open. */
  target(): Promise<DatabaseTarget>;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

const NOW = 1_732_000_000_000; // milliseconds: well past 2^31

/** Strings that break naive string-built SQL, LIKE patterns or encodings. */
export const HOSTILE = [
  "Robert'); DROP TABLE users; --",
  "' OR '1'='1",
  '"; DELETE FROM items; --',
  'back\\slash \\\' \\" \\\\',
  '100% _match_ [x] ^$ .*',
  '$1 ? :name @p0 %s {0}',
  '/* comment */ -- line',
  'ünïcödé 日本語 עברית \u202eRTL\u202c 🎬🏳️‍🌈',
  'tab\there\nnewline\r\ncrlf \u0001\u001f\u007f',
  'x'.repeat(100_000),
];

async function aUser(db: Database, username: string): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ username, password_hash: 'h', created_at: NOW, disabled_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function anItem(db: Database, ownerId: number, title = 'An item'): Promise<number> {
  const row = await db
    .insertInto('items')
    .values({ owner_id: ownerId, channel_id: null, title, created_at: NOW, updated_at: NOW })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function violation(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return constraintKind(err) ?? `not a constraint violation: ${String(err)}`;
  }
  return undefined;
}

export function dbContract(name: string, factory: DbFactory): void {
  describe(`database contract: ${name}`, () => {
    let db: Database;
    before(async () => {
      await factory.setup?.();
      db = await openDatabase(await factory.target());
    });
    after(async () => {
      await db?.destroy();
      await factory.teardown?.();
    });

    test('migrations create every table of the schema, empty', async () => {
      assert.equal(databaseKind(db), factory.kind);
      for (const table of TABLES) {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(row.n), 0, table);
      }
    });

    test('migrations run once: reopening the same database runs none', async () => {
      const target = await factory.target();
      const first = await openDatabase(target, { migrate: false });
      try {
        assert.deepEqual(await migrateToLatest(first), Object.keys(migrations(factory.kind)));
        assert.deepEqual(await migrateToLatest(first), []);
      } finally {
        await first.destroy();
      }
      const again = await openDatabase(target);
      try {
        assert.deepEqual(await migrateToLatest(again), []);
        await aUser(again, 'survivor');
      } finally {
        await again.destroy();
      }
    });

    test('two opens of one new database at once migrate it once', async () => {
      const target = await factory.target();
      const both = await Promise.all([openDatabase(target), openDatabase(target)]);
      try {
        const rows = await both[0]
          .selectFrom('kysely_migration' as never)
          .select(sql<string>`name`.as('name'))
          .execute();
        assert.deepEqual(
          rows.map((r) => r.name),
          Object.keys(migrations(factory.kind)),
        );
        await aUser(both[1], 'after-race');
      } finally {
        await Promise.all(both.map((db) => db.destroy()));
      }
    });

    test('rows keep their types: big millisecond times and byte counts are numbers, nulls are null', async () => {
      const owner = await aUser(db, 'types');
      const big = 5 * 2 ** 40 + 3; // 5 TiB and change: more than 32 bits
      const id = await anItem(db, owner, 'types');
      await db
        .updateTable('items')
        .set({ total_length: big, updated_at: NOW + 1 })
        .where('id', '=', id)
        .execute();
      const item = await db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(item.total_length, big);
      assert.equal(item.created_at, NOW);
      assert.equal(item.updated_at, NOW + 1);
      assert.equal(typeof item.id, 'number');
      assert.equal(item.channel_id, null);
      assert.equal(item.status, 'pending');
      assert.equal(item.media_type, 'other');
      assert.equal(item.torrent_only, 0);
      assert.equal(item.description, '');
      const count = await db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.ok(Number(count.n) >= 1);
    });

    test('usernames are unique without regard to case', async () => {
      await aUser(db, 'Alice');
      assert.equal(await violation(aUser(db, 'alice')), 'unique');
      assert.equal(await violation(aUser(db, 'ALICE')), 'unique');
      const users = await db.selectFrom('users').select('username').where('username', '=', 'Alice').execute();
      assert.equal(users.length, 1);
    });

    test('foreign keys are enforced', async () => {
      assert.equal(await violation(anItem(db, 987_654_321)), 'foreign_key');
      const owner = await aUser(db, 'fk-owner');
      const item = await anItem(db, owner);
      assert.equal(
        await violation(db.insertInto('item_tags').values({ item_id: item, tag_id: 424_242 }).execute()),
        'foreign_key',
      );
    });

    test('check constraints refuse values outside the schema', async () => {
      assert.equal(
        await violation(
          db
            .insertInto('users')
            .values({
              username: 'root',
              password_hash: 'h',
              role: 'root' as never,
              created_at: NOW,
              disabled_at: null,
            })
            .execute(),
        ),
        'check',
      );
      const owner = await aUser(db, 'checks');
      const item = await anItem(db, owner);
      const bad = [
        { status: 'published' as never },
        { media_type: 'hologram' as never },
        { torrent_only: 2 as never },
        { total_length: -1 },
        { title: '' },
      ];
      for (const set of bad) {
        assert.equal(
          await violation(db.updateTable('items').set(set).where('id', '=', item).execute()),
          'check',
          JSON.stringify(set),
        );
      }
      assert.equal(
        await violation(
          db.insertInto('item_files').values({ item_id: item, position: 0, path: 'a', length: -5 }).execute(),
        ),
        'check',
      );
      assert.equal(
        await violation(
          db
            .insertInto('uploads')
            .values({ id: 'u-over', user_id: owner, length: 10, upload_offset: 11, created_at: NOW })
            .execute(),
        ),
        'check',
      );
    });

    test('required columns refuse null', async () => {
      assert.equal(
        await violation(
          db
            .insertInto('users')
            .values({ username: null as never, password_hash: 'h', created_at: NOW, disabled_at: null })
            .execute(),
        ),
        'not_null',
      );
    });

    test('file paths and positions are unique within an item, not across items', async () => {
      const owner = await aUser(db, 'files');
      const a = await anItem(db, owner);
      const b = await anItem(db, owner);
      const file = (item: number, position: number, path: string) =>
        db.insertInto('item_files').values({ item_id: item, position, path, length: 1 }).execute();
      await file(a, 0, 'x/y.bin');
      await file(b, 0, 'x/y.bin');
      assert.equal(await violation(file(a, 1, 'x/y.bin')), 'unique');
      assert.equal(await violation(file(a, 0, 'other')), 'unique');
    });

    test('deleting a user removes what they own; deleting a channel keeps its items', async () => {
      const owner = await aUser(db, 'cascade');
      const other = await aUser(db, 'cascade-other');
      const channel = await db
        .insertInto('channels')
        .values({ owner_id: other, slug: 'cascade-channel', title: 'C', created_at: NOW })
        .returning('id')
        .executeTakeFirstOrThrow();
      const mine = await anItem(db, owner);
      const theirs = await anItem(db, other);
      await db.updateTable('items').set({ channel_id: channel.id }).where('id', '=', theirs).execute();
      const tag = await db
        .insertInto('tags')
        .values({ name: 'cascade-tag' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('item_tags').values({ item_id: mine, tag_id: tag.id }).execute();
      await db
        .insertInto('item_files')
        .values({ item_id: mine, position: 0, path: 'f', length: 3 })
        .execute();
      await db
        .insertInto('api_tokens')
        .values({ user_id: owner, token_hash: 'cascade-hash', created_at: NOW })
        .execute();
      await db
        .insertInto('comments')
        .values({ item_id: theirs, user_id: owner, body: 'hi', created_at: NOW })
        .execute();
      await db
        .insertInto('favourites')
        .values({ user_id: owner, item_id: theirs, created_at: NOW })
        .execute();
      await db
        .insertInto('reports')
        .values({ item_id: theirs, reporter_id: owner, reason: 'spam', created_at: NOW, resolved_at: null })
        .execute();

      await db.deleteFrom('users').where('id', '=', owner).execute();
      const left = async (
        table: 'items' | 'item_files' | 'item_tags' | 'api_tokens' | 'comments' | 'favourites',
      ) =>
        (await db.selectFrom(table).selectAll().execute()).filter(
          (r) =>
            ('item_id' in r && r.item_id === mine) ||
            ('id' in r && table === 'items' && r.id === mine) ||
            ('user_id' in r && r.user_id === owner),
        ).length;
      for (const table of [
        'items',
        'item_files',
        'item_tags',
        'api_tokens',
        'comments',
        'favourites',
      ] as const) {
        assert.equal(await left(table), 0, table);
      }
      const report = await db
        .selectFrom('reports')
        .selectAll()
        .where('item_id', '=', theirs)
        .executeTakeFirstOrThrow();
      assert.equal(report.reporter_id, null, 'a report outlives its reporter');
      assert.ok(
        await db.selectFrom('tags').select('id').where('id', '=', tag.id).executeTakeFirst(),
        'tags stay',
      );

      await db.deleteFrom('channels').where('id', '=', channel.id).execute();
      const kept = await db
        .selectFrom('items')
        .selectAll()
        .where('id', '=', theirs)
        .executeTakeFirstOrThrow();
      assert.equal(kept.channel_id, null);
    });

    test('hostile strings are stored and found as data', async () => {
      const owner = await aUser(db, 'hostile');
      for (const text of HOSTILE) {
        const id = await anItem(db, owner, text.slice(0, 1000));
        await db
          .updateTable('items')
          .set({ description: text, creator: text })
          .where('id', '=', id)
          .execute();
        const found = await db
          .selectFrom('items')
          .select(['id', 'title', 'description', 'creator'])
          .where('description', '=', text)
          .where('owner_id', '=', owner)
          .execute();
        assert.deepEqual(
          found.map((r) => r.id),
          [id],
        );
        assert.equal(found[0]!.description, text);
        assert.equal(found[0]!.creator, text);
        assert.equal(found[0]!.title, text.slice(0, 1000));
      }
      for (const table of TABLES) await db.selectFrom(table).select(sql`1`.as('one')).limit(1).execute();
      const total = await db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('owner_id', '=', owner)
        .executeTakeFirstOrThrow();
      assert.equal(Number(total.n), HOSTILE.length);
    });

    test('LIKE patterns with escaped wildcards match literally', async () => {
      const owner = await aUser(db, 'like');
      const literal = await anItem(db, owner, '100%_done');
      await anItem(db, owner, '100 percent done');
      await anItem(db, owner, '100xxdone');
      const rows = await db
        .selectFrom('items')
        .select('id')
        .where('owner_id', '=', owner)
        .where(sql<boolean>`title like ${`%${escapeLike('%_')}%`} escape '\\'`)
        .execute();
      assert.deepEqual(
        rows.map((r) => r.id),
        [literal],
      );
    });

    test('a failed transaction leaves nothing behind', async () => {
      const owner = await aUser(db, 'tx');
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          const id = await anItem(tx, owner, 'half');
          await tx
            .insertInto('item_files')
            .values({ item_id: id, position: 0, path: 'a', length: 1 })
            .execute();
          await tx
            .insertInto('item_files')
            .values({ item_id: id, position: 0, path: 'b', length: 1 })
            .execute();
        }),
      );
      const items = await db.selectFrom('items').select('id').where('owner_id', '=', owner).execute();
      assert.equal(items.length, 0);
    });
  });
}
