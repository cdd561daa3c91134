/**
 * Opening the site's database: SQLite through better-sqlite3 (the embedded default) or PostgreSQL
 * through `pg`, both behind one Kysely query builder, migrated to the latest schema before use.
 *
 * SQLite runs in WAL mode with foreign keys on, `synchronous=NORMAL` and a busy timeout, so readers
 * never block the writer and another process holding the write lock makes us wait, not fail.
 * PostgreSQL's `int8` values (our millisecond times and byte counts) are read as numbers, like
 * SQLite's, instead of `pg`'s default strings; a pool error on an idle connection is absorbed (the
 * next query reports it) so a database restart cannot crash the site.
 */

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { SeedcastError } from '../errors.js';
import { type DbKind, migrations } from './migrations.js';
import type { Schema } from './schema.js';
import { loadSearchExtension } from './sqlite-extension.js';

export type Database = Kysely<Schema>;

/** Where the database is: a `postgres://` / `postgresql://` URL, a `sqlite:PATH` URL, or `{ sqlite }`. */
export type DatabaseTarget = string | { sqlite: string };

export interface OpenOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** SQLite: how long to wait for another writer's lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
  /** SQLite: load the search extension when it is built (default true; `src/db/sqlite-extension.ts`). */
  searchExtension?: boolean;
}

const kinds = new WeakMap<object, DbKind>();
const extended = new WeakSet<object>();

/** SQLite: the connection has the search extension's `seedcast_bm25` (`src/db/sqlite-extension.ts`). */
export function hasSearchExtension(db: Database): boolean {
  return extended.has(db);
}

/** Which database is behind `db` (for the few statements that differ, such as full-text search). */
export function databaseKind(db: Database): DbKind {
  const kind = kinds.get(db);
  if (!kind) throw new SeedcastError('DB_CONFIG', 'not a database opened by openDatabase');
  return kind;
}

/** Parses a target into the dialect and its location. */
export function parseDatabaseTarget(target: DatabaseTarget): { kind: DbKind; location: string } {
  if (typeof target === 'object') {
    if (typeof target.sqlite !== 'string' || target.sqlite === '') {
      throw new SeedcastError('DB_CONFIG', 'the SQLite path is empty');
    }
    return { kind: 'sqlite', location: target.sqlite };
  }
  if (/^postgres(ql)?:\/\//i.test(target)) {
    try {
      new URL(target);
    } catch {
      throw new SeedcastError('DB_CONFIG', 'malformed PostgreSQL URL');
    }
    return { kind: 'postgres', location: target };
  }
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(target);
  if (sqlite) return { kind: 'sqlite', location: sqlite[1]! };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1];
  throw new SeedcastError(
    'DB_CONFIG',
    scheme ? `unsupported database scheme "${scheme}:" (use postgres:// or sqlite:)` : 'not a database URL',
  );
}

/** int8 as a JavaScript number (safe up to 2^53: 8 PiB of bytes, or year 287396 in milliseconds). */
function parseInt8(value: string): number {
  return Number(value);
}

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function sqliteDialect(path: string, options: OpenOptions): { dialect: SqliteDialect; extension: boolean } {
  let database: Sqlite.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    database = new Sqlite(path);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // A site's reads (search reads up to 2,000 scattered index rows for its facets and token
    // counts) want its hot pages in memory: a 128 MiB page cache instead of SQLite's 2 MiB,
    // allocated only as pages are read, and the file mapped (up to 2 GiB, SQLite's default cap),
    // which saves a system call and a copy per page read: a 1M-item catalog is about 1.5 GB, and
    // with 256 MiB mapped its scattered reads cost two to three times the CPU. Mapped pages are
    // the kernel's page cache (shared, reclaimable), not the process's own memory.
    database.pragma('cache_size = -131072');
    database.pragma('mmap_size = 2147418112');
  } catch (err) {
    throw new SeedcastError(
      'DB_UNAVAILABLE',
      `cannot open SQLite database ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const extension = loadSearchExtension(database, options.searchExtension ?? true);
  return { dialect: new SqliteDialect({ database }), extension };
}

function postgresDialect(url: string, options: OpenOptions): PostgresDialect {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: pgTypes });
  pool.on('error', () => {
    // An idle connection died (server restart, network): the pool drops it and the next query
    // either gets a fresh connection or fails with a proper error.
  });
  return new PostgresDialect({ pool });
}

/** Opens (and by default migrates) the database at `target`. Close it with `db.destroy()`. */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const { kind, location } = parseDatabaseTarget(target);
  const sqlite = kind === 'sqlite' ? sqliteDialect(location, options) : undefined;
  const db = new Kysely<Schema>({ dialect: sqlite?.dialect ?? postgresDialect(location, options) });
  kinds.set(db, kind);
  if (sqlite?.extension) extended.add(db);
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(db);
    } catch (err) {
      await db.destroy().catch(() => {});
      throw err;
    }
  }
  return db;
}

/** Runs every pending migration; returns the names of those it ran. */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(databaseKind(db)) },
    // Migrations are independent of one another and may land from parallel branches in any order
    // (0005 shipped before 0002 did): run whichever ones a database has not run yet.
    allowUnorderedMigrations: true,
  });
  let result: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    for (let attempt = 1; ; attempt++) {
      result = await migrator.migrateToLatest();
      if (!result.error || attempt === 5) break;
      // Kysely has no migration lock on SQLite: another process opening the same new database at the
      // same moment makes our (rolled back) attempt fail. If that process migrated, we are done;
      // otherwise try again.
      const pending = (await migrator.getMigrations()).filter((m) => m.executedAt === undefined);
      if (pending.length === 0) return [];
      await new Promise((r) => setTimeout(r, 25 * attempt));
    }
  } catch (err) {
    throw new SeedcastError('DB_UNAVAILABLE', (err as Error).message, { cause: err });
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const error = result.error as Error & { code?: string };
    const code = unavailableCodes.has(error.code ?? '') ? 'DB_UNAVAILABLE' : 'DB_MIGRATION';
    throw new SeedcastError(code, failed ? `${failed}: ${error.message}` : String(error.message), {
      cause: error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Errors that mean "could not reach or use the database", not "the migration is wrong". */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  '28P01', // invalid password
  '28000', // invalid authorization
  '3D000', // database does not exist
  '57P03', // cannot connect now
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
  'SQLITE_READONLY',
  'SQLITE_BUSY',
]);
