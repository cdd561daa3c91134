/**
 * The database contract against SQLite files (better-sqlite3), plus what only SQLite has: the file and
 * its WAL live where we say, and the pragmas hold on the connection.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { tempDir } from '../../test/helpers/tools.js';
import { dbContract } from './contract.js';
import { openDatabase } from './open.js';

let dir = '';
let n = 0;

dbContract('SQLite', {
  kind: 'sqlite',
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'seedcast-sqlite-'));
  },
  async target() {
    return { sqlite: join(dir, `db-${++n}.sqlite`) };
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});

describe('SQLite specifics', () => {
  test('opens a file in a folder it creates, in WAL mode with foreign keys on', async (t) => {
    const path = join(tempDir(t), 'nested', 'data', 'seedcast.db');
    const db = await openDatabase(`sqlite:${path}`);
    try {
      assert.ok(existsSync(path));
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      assert.equal(mode.rows[0]?.journal_mode, 'wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      assert.equal(fk.rows[0]?.foreign_keys, 1);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      assert.equal(busy.rows[0]?.timeout, 5000);
    } finally {
      await db.destroy();
    }
  });
});
