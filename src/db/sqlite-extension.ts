/**
 * The one loader of Seedcast's optional SQLite extension (`native/sqlite_search.c`, built by
 * `npm run build:native` into `build/Release/seedcast_search.so`, skipped where it cannot build).
 * It registers the FTS5 auxiliary function `seedcast_bm25`, which scores search candidates from
 * FTS5's position lists in the walk that finds them (`src/catalog/search-bound.ts`); without it
 * search computes the same bm25 in JavaScript from the rows' text (`search-score.ts`).
 *
 * It is loaded into each SQLite connection `openDatabase` opens, unless `SEEDCAST_NATIVE=off` or
 * the open option `searchExtension: false` (tests run both paths). `searchExtensionStatus()` is
 * what start-up logs: whether the last load worked, or why not.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Sqlite from 'better-sqlite3';

/** Two folders below the package root, from src/db (tsx) as from dist/db. */
const PATH = fileURLToPath(new URL('../../build/Release/seedcast_search.so', import.meta.url));
const ENTRY = 'sqlite3_seedcastsearch_init';

let status: { extension: 'native' } | { extension: 'javascript'; reason: string } | undefined;

/** Loads the extension into `database` unless disabled; true when `seedcast_bm25` is there. */
export function loadSearchExtension(database: Sqlite.Database, enabled = true): boolean {
  let reason: string;
  if (process.env.SEEDCAST_NATIVE === 'off') reason = 'SEEDCAST_NATIVE=off';
  else if (!enabled) reason = 'disabled by the caller';
  else if (!existsSync(PATH)) reason = 'not built; npm run build:native builds it on Linux';
  else {
    try {
      // better-sqlite3 takes the entry point as a second argument (its types omit it).
      (database.loadExtension as (path: string, entry: string) => unknown).call(database, PATH, ENTRY);
      status = { extension: 'native' };
      return true;
    } catch (err) {
      reason = `cannot load ${PATH}: ${(err as Error).message}`;
    }
  }
  // A caller's choice says nothing about the site's own connections.
  if (enabled) status = { extension: 'javascript', reason };
  return false;
}

/**
 * `native` when the last SQLite connection opened loaded the extension, else `javascript` and why;
 * undefined before any (a PostgreSQL site).
 */
export function searchExtensionStatus():
  | { extension: 'native' }
  | { extension: 'javascript'; reason: string }
  | undefined {
  return status;
}
