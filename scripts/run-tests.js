#!/usr/bin/env node
// Runs every test with Node's built-in runner: unit tests beside the code (src/**/*.test.ts) and
// end-to-end scenarios (test/**/*.test.ts). Lists the files itself, because `sh` does not expand `**`
// and Node 20's runner cannot take a quoted glob. Extra arguments (and the words of
// SEEDCAST_TEST_FILTER) narrow the run to files whose path contains one of them, e.g.
// `node scripts/run-tests.js bencode`.
//
// Each file runs in its own `node --import tsx --test` process (scripts/ci/pool.js). The files
// listed in scripts/ci/serial-tests.js, each with its reason, run first, one at a time, alone; then
// the rest, longest first. One file at a time unless asked (`--concurrency N` or
// SEEDCAST_TEST_CONCURRENCY): several at a time is not proven free of load-induced timeouts on a
// 2-core CI machine (docs/codebase.md, "Current Node").
//
// `--also-dir DIR --also-node NODE` (or SEEDCAST_TEST_ALSO_DIR and SEEDCAST_TEST_ALSO_NODE) adds a
// second suite: the same files in the checkout DIR, run by the Node binary NODE. CI uses it to run
// the suite on Node 20 and on Node 24 side by side: then the default is one file of each suite at a
// time (two at once), every line is prefixed with its suite (`[node24] ...`), and the run fails if
// either suite fails.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runPool } from './ci/pool.js';
import { SERIAL } from './ci/serial-tests.js';

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
function option(name, fallback) {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = args.splice(at, 2);
  return value;
}
const alsoDir = option('--also-dir', process.env.SEEDCAST_TEST_ALSO_DIR || undefined);
const alsoNode = option('--also-node', process.env.SEEDCAST_TEST_ALSO_NODE || undefined);
const concurrencyArg = option('--concurrency', process.env.SEEDCAST_TEST_CONCURRENCY || undefined);
if (!alsoDir !== !alsoNode) {
  console.error('--also-dir and --also-node go together: a checkout and the Node that runs it');
  process.exit(2);
}

// Tests never reach the public DHT routers: the DHT of every seedcast process a test starts has no
// bootstrap node unless the test names one (--dht-bootstrap, --no-dht or its own environment).
const env = { SEEDCAST_DHT_BOOTSTRAP: 'none', ...process.env };
const major = (node) => execFileSync(node, ['-p', 'process.versions.node.split(".")[0]']).toString().trim();
const suites = [{ label: `node${major(process.execPath)}`, dir: process.cwd(), node: process.execPath, env }];
if (alsoDir) {
  const node = resolve(alsoNode);
  // The other Node first on PATH too, for tests and tools that start `node` or `npx` by name.
  const path = `${dirname(node)}:${process.env.PATH ?? ''}`;
  suites.push({ label: `node${major(node)}`, dir: resolve(alsoDir), node, env: { ...env, PATH: path } });
  if (suites[1].label === suites[0].label) suites[1].label += '-also';
}

const concurrency = concurrencyArg === undefined ? suites.length : Number(concurrencyArg);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('--concurrency takes a whole number of files, 1 or more');
  process.exit(2);
}
const filters = [...args, ...(process.env.SEEDCAST_TEST_FILTER ?? '').split(/\s+/).filter(Boolean)];
const all = [...walk('src', []), ...walk('test', [])].sort();
const files = all.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
for (const path of Object.keys(SERIAL)) {
  if (!all.includes(path)) {
    console.error(`scripts/ci/serial-tests.js names ${path}, which is not a test file`);
    process.exit(1);
  }
}
for (const suite of suites.slice(1)) {
  const missing = files.filter((f) => !existsSync(join(suite.dir, f)));
  if (missing.length > 0) {
    console.error(`${suite.dir} has not got ${missing.slice(0, 3).join(', ')}: not the same commit?`);
    process.exit(1);
  }
}

// A test that runs 10 minutes fails instead of holding the run, and a file whose tests are done exits
// even if a handle is left open (its tests' `after` hooks have run): one stuck file cannot stall CI.
const flags = ['--test-timeout=600000', '--test-force-exit'];
// The same report on every Node: spec on a terminal, TAP (with its `# pass N` summary) otherwise.
// Node 20 chose so itself; Node 23 and later print spec everywhere unless told.
flags.push(`--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`);

const started = Date.now();
const results = await runPool({
  suites,
  files,
  serial: (f) => f in SERIAL,
  flags,
  concurrency,
  // Several suites: each runs one file at a time unless asked for more than one file per suite.
  perSuite: suites.length > 1 ? Math.max(1, Math.floor(concurrency / suites.length)) : concurrency,
});

let failed = false;
for (const suite of suites) {
  const mine = results.filter((r) => r.suite === suite);
  const total = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0 };
  for (const r of mine) for (const key of Object.keys(total)) total[key] += r.summary[key] ?? 0;
  const bad = mine.filter((r) => r.exit !== 0).map((r) => r.path);
  if (bad.length > 0) failed = true;
  const seconds = Math.round(mine.reduce((a, r) => a + r.seconds, 0));
  console.log(
    `# suite ${suite.label} (${suite.dir}, Node ${execFileSync(suite.node, ['--version']).toString().trim()}): ` +
      `${mine.length} files, ${seconds} s of file time, ` +
      `${Object.entries(total)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}${bad.length ? `; FAILED: ${bad.join(' ')}` : ''}`,
  );
}
console.log(`# all suites: ${Math.round((Date.now() - started) / 1000)} s, ${failed ? 'FAILED' : 'passed'}`);
process.exit(failed ? 1 : 0);
