#!/usr/bin/env node
/**
 * `npm run build:native`: builds the optional C code where it can be built (Linux with a C
 * compiler), and otherwise says why and exits 0.
 *
 * - The tracker's addon (`native/`, `binding.gyp`) with node-gyp: without it the tracker uses its
 *   JavaScript store and `dgram` (`src/tracker/stores/native-addon.ts` reports which at start and in
 *   `/healthz`).
 * - The SQLite extension `build/Release/seedcast_search.so` (`native/sqlite_search.c`, an FTS5
 *   auxiliary function for search's bm25) with the C compiler (`$CC`, else `cc`), against the
 *   headers of better-sqlite3's own SQLite: without it search computes bm25 in JavaScript
 *   (`src/db/sqlite-extension.ts` says which at start).
 *
 * `SEEDCAST_NATIVE=required` makes a failed build an error (CI sets it, so the code the tests
 * measure is never silently missing); `SEEDCAST_NATIVE=off` skips the build.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const mode = process.env.SEEDCAST_NATIVE ?? 'auto';
const say = (line) => process.stderr.write(`build:native: ${line}\n`);
const ADDON = 'build/Release/tracker_native.node';
const EXTENSION = 'build/Release/seedcast_search.so';

/** Says why `what` was not built; an error under SEEDCAST_NATIVE=required. */
function skip(what, reason, fallback) {
  if (mode === 'required') {
    say(`${reason}; SEEDCAST_NATIVE=required, so this is an error`);
    process.exit(1);
  }
  // A half-built file from an earlier try must not be loaded.
  rmSync(what, { force: true });
  say(`${reason}; ${fallback}`);
}

function addon() {
  const fallback = 'the tracker will use its JavaScript store and dgram';
  if (process.platform !== 'linux')
    return skip(
      ADDON,
      `the addon uses Linux system calls (recvmmsg, sendmmsg), not ${process.platform}'s`,
      fallback,
    );
  // npm gives scripts the path of its own node-gyp; outside npm, one on PATH.
  const gyp = process.env.npm_config_node_gyp;
  const [command, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
  const run = spawnSync(command, args, { stdio: 'inherit' });
  if (run.error) return skip(ADDON, `node-gyp could not run: ${run.error.message}`, fallback);
  if (run.status !== 0)
    return skip(ADDON, `node-gyp rebuild failed (exit ${run.status}; see above)`, fallback);
  say(`built ${ADDON}`);
}

function extension() {
  const fallback = 'search will compute bm25 in JavaScript';
  if (process.platform !== 'linux')
    return skip(EXTENSION, `built on Linux only, not ${process.platform}`, fallback);
  let headers;
  try {
    const require = createRequire(import.meta.url);
    headers = join(dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
  } catch {
    return skip(EXTENSION, 'better-sqlite3 is not installed', fallback);
  }
  if (!existsSync(join(headers, 'sqlite3ext.h')))
    return skip(EXTENSION, `no sqlite3ext.h in ${headers}`, fallback);
  mkdirSync(dirname(EXTENSION), { recursive: true });
  const cc = process.env.CC || 'cc';
  const flags = ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Wno-unused-parameter'];
  const run = spawnSync(cc, [...flags, '-I', headers, 'native/sqlite_search.c', '-o', EXTENSION], {
    stdio: 'inherit',
  });
  if (run.error) return skip(EXTENSION, `${cc} could not run: ${run.error.message}`, fallback);
  if (run.status !== 0) return skip(EXTENSION, `${cc} failed (exit ${run.status}; see above)`, fallback);
  say(`built ${EXTENSION}`);
}

if (mode === 'off') {
  skip(ADDON, 'SEEDCAST_NATIVE=off', 'the tracker will use its JavaScript store and dgram');
  skip(EXTENSION, 'SEEDCAST_NATIVE=off', 'search will compute bm25 in JavaScript');
  process.exit(0);
}
// node-gyp rebuild empties build/, so the extension is built after it.
addon();
extension();
