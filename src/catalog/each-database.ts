/**
 * For the catalog's tests: runs a suite once against a SQLite file and once against a real
 * PostgreSQL (started for the file by `test/helpers/postgres.ts`), handing the suite a function that
 * opens a fresh, migrated database. Databases and the server are closed after the suite.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { type PostgresServer, postgresAvailable, startPostgres } from '../../test/helpers/postgres.js';
import { type Database, openDatabase } from '../db/index.js';

export type OpenFresh = () => Promise<Database>;

export function describeOnEachDatabase(name: string, suite: (fresh: OpenFresh) => void): void {
  describe(`${name} (SQLite)`, () => {
    let dir = '';
    let n = 0;
    const open: Database[] = [];
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'seedcast-catalog-'));
    });
    after(async () => {
      await Promise.all(open.map((db) => db.destroy()));
      rmSync(dir, { recursive: true, force: true });
    });
    suite(async () => {
      const db = await openDatabase({ sqlite: join(dir, `db-${++n}.sqlite`) });
      open.push(db);
      return db;
    });
  });

  if (!postgresAvailable(`${name} on PostgreSQL`)) return;
  describe(`${name} (PostgreSQL)`, () => {
    let server: PostgresServer | undefined;
    const open: Database[] = [];
    before(async () => {
      server = await startPostgres();
    });
    after(async () => {
      await Promise.all(open.map((db) => db.destroy()));
      await server?.stop();
    });
    suite(async () => {
      const db = await openDatabase(await server!.createDatabase());
      open.push(db);
      return db;
    });
  });
}
