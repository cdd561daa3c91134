import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePort, tempDir } from '../../test/helpers/tools.js';
import { isSeedcastError } from '../errors.js';
import { openDatabase, parseDatabaseTarget } from './open.js';

describe('openDatabase', () => {
  test('chooses the dialect from the URL', () => {
    assert.deepEqual(parseDatabaseTarget('postgres://u@h:5/db'), {
      kind: 'postgres',
      location: 'postgres://u@h:5/db',
    });
    assert.equal(parseDatabaseTarget('postgresql://h/db').kind, 'postgres');
    assert.deepEqual(parseDatabaseTarget('sqlite:data/x.db'), { kind: 'sqlite', location: 'data/x.db' });
    assert.deepEqual(parseDatabaseTarget('sqlite:///abs/x.db'), { kind: 'sqlite', location: '/abs/x.db' });
    assert.deepEqual(parseDatabaseTarget({ sqlite: ':memory:' }), { kind: 'sqlite', location: ':memory:' });
  });

  test('refuses URLs it cannot serve with a DB_CONFIG error', () => {
    for (const bad of ['mysql://h/db', 'just words', '', 'postgres://[bad', { sqlite: '' }]) {
      assert.throws(
        () => parseDatabaseTarget(bad),
        (err) => isSeedcastError(err, 'DB_CONFIG'),
        JSON.stringify(bad),
      );
    }
  });

  test('a PostgreSQL server that is not there is DB_UNAVAILABLE, not a crash', async () => {
    const port = await freePort();
    await assert.rejects(openDatabase(`postgres://nobody@127.0.0.1:${port}/none`), (err) =>
      isSeedcastError(err, 'DB_UNAVAILABLE'),
    );
  });

  test('a SQLite path that cannot be a database is DB_UNAVAILABLE', async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'a-folder'));
    await assert.rejects(openDatabase({ sqlite: join(dir, 'a-folder') }), (err) =>
      isSeedcastError(err, 'DB_UNAVAILABLE'),
    );
  });

  test('an in-memory SQLite database is migrated and usable', async () => {
    const db = await openDatabase({ sqlite: ':memory:' });
    try {
      const rows = await db.selectFrom('users').selectAll().execute();
      assert.deepEqual(rows, []);
    } finally {
      await db.destroy();
    }
  });
});
