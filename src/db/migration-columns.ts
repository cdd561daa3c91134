/** Column helpers the migrations share: generated ids as each dialect spells them, not-null, references. */

import type { ColumnDefinitionBuilder } from 'kysely';
import type { DbKind } from './migrations.js';

export type Column = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** An integer primary key the database generates. */
export function generatedId(kind: DbKind): Column {
  return kind === 'sqlite'
    ? (col) => col.primaryKey().autoIncrement()
    : (col) => col.primaryKey().generatedByDefaultAsIdentity();
}

export const notNull: Column = (col) => col.notNull();

export function references(target: string, onDelete: 'cascade' | 'set null'): Column {
  return (col) => {
    const c = col.references(target).onDelete(onDelete);
    return onDelete === 'cascade' ? c.notNull() : c;
  };
}
