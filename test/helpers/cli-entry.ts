/**
 * How tests start the `seedcast` command: the built CLI (`bin/seedcast.js`, which loads dist/), as
 * users run it, and at a fraction of the CPU of compiling src/ through tsx in every process. `npm
 * test` builds dist/ just before the tests, so CI always has it fresh.
 *
 * A developer who edits src/ and runs one test file would otherwise test yesterday's build. So when
 * dist/ is missing or older than any file of src/ that goes into it (everything but `*.test.ts`), the
 * tests start the CLI from source through tsx instead, and say so once per test process on stderr.
 * This check lives here, not in scripts/run-tests.js, so it also holds for files run directly
 * (`node --import tsx --test test/x.test.ts`, an editor's runner), and it never rewrites dist/ under
 * a server another terminal started from it. SEEDCAST_TEST_CLI=built|source forces either entry.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const BUILT = join(ROOT, 'bin/seedcast.js');
const SOURCE = join(ROOT, 'src/cli/bin.ts');
/** Written by tsc on every build: its age is the build's. */
const STAMP = join(ROOT, 'dist/cli/main.js');
const TSX = import.meta.resolve('tsx');

/** The newest file under `dir` that the build reads, or undefined when none is newer than `since`. */
function newerThan(dir: string, since: number): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = newerThan(path, since);
      if (found) return found;
    } else if (!entry.name.endsWith('.test.ts') && statSync(path).mtimeMs > since) return path;
  }
  return undefined;
}

/** Why dist/ cannot be trusted for this checkout, or undefined when it can. */
function staleReason(): string | undefined {
  if (!existsSync(STAMP)) return 'dist/ is missing';
  const newer = newerThan(join(ROOT, 'src'), statSync(STAMP).mtimeMs);
  return newer ? `${relative(ROOT, newer)} is newer than dist/` : undefined;
}

let chosen: string[] | undefined;

/** The Node arguments that start `seedcast` (before its own arguments): the built entry when fresh. */
function entry(): string[] {
  if (chosen) return chosen;
  const forced = process.env.SEEDCAST_TEST_CLI;
  if (forced === 'built') chosen = [BUILT];
  else if (forced === 'source') chosen = ['--import', TSX, SOURCE];
  else {
    const reason = staleReason();
    if (reason) {
      process.stderr.write(
        `seedcast tests: ${reason}; starting the CLI from src/ through tsx (slower). Rebuild: npm run build\n`,
      );
      chosen = ['--import', TSX, SOURCE];
    } else chosen = [BUILT];
  }
  return chosen;
}

/** `process.execPath` arguments that run `seedcast args...`. */
export function cliArgv(args: string[]): string[] {
  return [...entry(), ...args];
}
