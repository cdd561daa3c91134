#!/usr/bin/env node
/**
 * `npm run build:native`: builds the tracker's optional C addon (`native/`, `binding.gyp`) with
 * node-gyp where it can be built (Linux with a C compiler), and otherwise says why and exits 0:
 * the tracker then uses its JavaScript store and `dgram` (`src/tracker/stores/native-addon.ts` reports
 * which at start and in `/healthz`). `SEEDCAST_NATIVE=required` makes a failed build an error
 * (CI sets it, so the addon the tests measure is never silently missing); `SEEDCAST_NATIVE=off`
 * skips the build.
 */

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const mode = process.env.SEEDCAST_NATIVE ?? 'auto';
const say = (line) => process.stderr.write(`build:native: ${line}\n`);

function skip(reason) {
  if (mode === 'required') {
    say(`${reason}; SEEDCAST_NATIVE=required, so this is an error`);
    process.exit(1);
  }
  // A half-built addon from an earlier try must not be loaded.
  rmSync('build/Release/tracker_native.node', { force: true });
  say(`${reason}; the tracker will use its JavaScript store and dgram`);
  process.exit(0);
}

if (mode === 'off') skip('SEEDCAST_NATIVE=off');
if (process.platform !== 'linux')
  skip(`the addon uses Linux system calls (recvmmsg, sendmmsg), not ${process.platform}'s`);
// npm gives scripts the path of its own node-gyp; outside npm, one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const run = spawnSync(command, args, { stdio: 'inherit' });
if (run.error) skip(`node-gyp could not run: ${run.error.message}`);
if (run.status !== 0) skip(`node-gyp rebuild failed (exit ${run.status}; see above)`);
say('built build/Release/tracker_native.node');
