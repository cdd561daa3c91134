/**
 * Database access for the site: one Kysely query builder over SQLite (default) or PostgreSQL, the
 * typed schema, migrations run on open, and constraint violations recognised on both.
 */

export { type ConstraintKind, constraintKind, escapeLike } from './constraints.js';
export type { DbKind } from './migrations.js';
export { FILTER_MARK } from './migrations-search-index.js';
export { SEARCH_DOC } from './migrations-search-pg.js';
export {
  type Database,
  type DatabaseTarget,
  databaseKind,
  hasSearchExtension,
  migrateToLatest,
  type OpenOptions,
  openDatabase,
  parseDatabaseTarget,
} from './open.js';
export * from './schema.js';
export * from './schema-captions.js';
export * from './schema-fixity.js';
export * from './schema-people.js';
export { searchExtensionStatus } from './sqlite-extension.js';
