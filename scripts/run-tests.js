#!/usr/bin/env node
// Runs every test with Node's built-in runner: unit tests beside the code (src/**/*.test.ts) and
// end-to-end scenarios (test/**/*.test.ts). Lists the files itself, because `sh` does not expand `**`
// and Node 20's runner cannot take a quoted glob. Extra arguments narrow the run to files whose path
// contains one of them, e.g. `node scripts/run-tests.js bencode`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...walk('src', []), ...walk('test', [])]
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Tests never reach the public DHT routers: the DHT of every seedcast process a test starts has no
// bootstrap node unless the test names one (--dht-bootstrap, --no-dht or its own environment).
const env = { SEEDCAST_DHT_BOOTSTRAP: 'none', ...process.env };
// A test that runs 10 minutes fails instead of holding the run, and a file whose tests are done exits
// even if a handle is left open (its tests' `after` hooks have run): one stuck file cannot stall CI.
const flags = ['--test-timeout=600000', '--test-force-exit'];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...flags, ...files], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
