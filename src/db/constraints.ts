/**
 * Recognising constraint violations the same way on both databases, so repositories can turn them
 * into answers ("that username is taken") instead of 500s: better-sqlite3's extended result codes
 * (`SQLITE_CONSTRAINT_*`) and PostgreSQL's SQLSTATE class 23 (integrity constraint violation).
 */

export type ConstraintKind = 'unique' | 'foreign_key' | 'check' | 'not_null';

const SQLITE: Record<string, ConstraintKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
};

const POSTGRES: Record<string, ConstraintKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
};

/** The kind of constraint `err` violated, or undefined when it is not a constraint violation. */
export function constraintKind(err: unknown): ConstraintKind | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  return Object.hasOwn(SQLITE, code)
    ? SQLITE[code]
    : Object.hasOwn(POSTGRES, code)
      ? POSTGRES[code]
      : undefined;
}

/** Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern (the value itself stays a parameter). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
