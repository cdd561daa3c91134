/**
 * Migration 0018 (issue 19): one canonical licence per item. Items published before it kept the
 * form they were given in (a Creative Commons URL from the upload form, an SPDX id from the API),
 * so one licence showed as two facet entries and each filter missed the other's items. Every
 * distinct `items.license` is read and rewritten to `checkLicense`'s canonical SPDX id (the same
 * pure function publishing uses, `src/licenses.ts`); a value the table does not know
 * stays as it is. Neither search index stores the licence (SQLite's FTS5 triggers fire on title,
 * creator, tags, description and status only; PostgreSQL's generated `tsvector` reads the same
 * columns), so rewriting it leaves them untouched; `items_license` is an ordinary index.
 * `updated_at` is kept: the item did not change, only the spelling of its licence.
 * Like every migration, never edit it once shipped.
 */

import { type Kysely, sql } from 'kysely';
import { checkLicense } from '../licenses.js';

/** The canonical form of a stored licence, or undefined when it is canonical or unknown. */
function rewrite(value: string): string | undefined {
  try {
    const id = checkLicense(value);
    return id !== null && id !== value ? id : undefined;
  } catch {
    return undefined; // not a licence the table knows: kept as it was
  }
}

export async function licences(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ license: string }>`
    select distinct license from items where license is not null`.execute(db);
  for (const { license } of rows.rows) {
    const id = rewrite(license);
    if (id !== undefined) await sql`update items set license = ${id} where license = ${license}`.execute(db);
  }
}
