/**
 * Command-line argument parsing shared by every command: a thin layer over `node:util` parseArgs
 * that turns its errors into `USAGE` errors (exit code 2) and gives each command its `--help`.
 */

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SeedcastError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parse `argv` against `options`; unknown flags and missing values are usage errors. */
export function parseCommandArgs(argv: string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    throw new SeedcastError('USAGE', (err as Error).message.split('\n')[0]);
  }
}

/** A flag's value as a string (the last one when given several times). */
export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

/** A flag's values as a list, in the order given. */
export function listFlag(parsed: Parsed, name: string): string[] {
  const v = parsed.values[name];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? [v] : [];
}

/** A flag that must be a non-negative integer. */
export function intFlag(parsed: Parsed, name: string): number | undefined {
  const v = stringFlag(parsed, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new SeedcastError('USAGE', `--${name} must be a whole number, got "${v}"`);
  }
  return Number(v);
}
