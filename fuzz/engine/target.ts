/**
 * What a fuzz target is, and the contract every parser under fuzzing is held to: for any input it
 * returns (a value the target checks for shape) or throws a `SeedcastError`. Anything else thrown
 * (TypeError, RangeError, an assertion of the target, a stack overflow), a hang past the timeout or
 * running out of memory is a finding.
 */

import { SeedcastError } from '../../src/errors.js';

export interface FuzzTarget {
  /** Short description, shown by `npm run fuzz -- --list`. */
  description: string;
  /** Builds the function that runs one input (any setup happens here, not at import time). */
  make(): (data: Buffer) => void;
  /** Tokens the mutator inserts (protocol keywords, field names). */
  dictionary?: readonly string[];
  /** Longest input tried (default 4096 bytes). */
  maxLen?: number;
  /** Path fragments of the scripts whose coverage guides this target (default: all of `src/`). */
  cover?: readonly string[];
}

/** True when `err` is the refusal the contract allows. */
export function isRefusal(err: unknown): boolean {
  return err instanceof SeedcastError;
}

/** A one-line name for a finding: its kind and where it was thrown (for telling findings apart). */
export function signature(err: unknown): { kind: string; where: string; message: string } {
  if (!(err instanceof Error)) return { kind: 'non-error', where: '', message: String(err) };
  // The first frame in the code under test, or else in the target (an assertion of its contract).
  const frames = (err.stack ?? '').split('\n');
  const frame =
    frames.find((l) => l.includes('/src/')) ?? frames.find((l) => l.includes('/fuzz/targets/')) ?? '';
  const where = frame
    .trim()
    .replace(/^at\s+/, '')
    .replace(/\(?(file:\/\/)?\/\S*\/(src|fuzz)\//, '$2/')
    .replace(/\)$/, '');
  return { kind: err.name || 'Error', where, message: err.message.slice(0, 200) };
}

/** Runs one input against the contract: null when it holds, else the error that breaks it. */
export function check(run: (data: Buffer) => void, data: Buffer): unknown {
  try {
    run(data);
    return null;
  } catch (err) {
    return isRefusal(err) ? null : (err ?? new Error('threw a falsy value'));
  }
}
