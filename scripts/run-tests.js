#!/usr/bin/env node
// Runs every test with Node's built-in runner: unit tests beside the code (src/**/*.test.ts) and
// end-to-end scenarios (test/**/*.test.ts). Lists the files itself, because `sh` does not expand `**`
// and Node 20's runner cannot take a quoted glob. Extra arguments narrow the run to files whose path
// contains one of them, e.g. `node scripts/run-tests.js bencode`.
//
// Files run several at a time (`--concurrency N` or SEEDCAST_TEST_CONCURRENCY; default below): most
// of the suite waits on real clients, browsers and timers rather than on the CPU, and Node's default
// (one file fewer than the cores: one file at a time on two cores) left the machine idle for most of
// a 45-minute run. The files listed in scripts/ci/serial-tests.js, each with its reason, run first,
// one at a time, with nothing else beside them; then the rest run concurrently.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
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
// One file at a time unless asked: several at a time is not yet proven free of load-induced
// timeouts on a 2-core CI machine (docs/codebase.md, "CI").
let concurrency = Number(process.env.SEEDCAST_TEST_CONCURRENCY) || 1;
const at = args.indexOf('--concurrency');
if (at >= 0) {
  concurrency = Number(args[at + 1]);
  args.splice(at, 2);
}
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('--concurrency takes a whole number of files, 1 or more');
  process.exit(2);
}
const filters = args;
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
const serial = files.filter((f) => f in SERIAL);
const rest = files.filter((f) => !(f in SERIAL));

// Tests never reach the public DHT routers: the DHT of every seedcast process a test starts has no
// bootstrap node unless the test names one (--dht-bootstrap, --no-dht or its own environment).
const env = { SEEDCAST_DHT_BOOTSTRAP: 'none', ...process.env };
// A test that runs 10 minutes fails instead of holding the run, and a file whose tests are done exits
// even if a handle is left open (its tests' `after` hooks have run): one stuck file cannot stall CI.
const flags = ['--test-timeout=600000', '--test-force-exit'];
// The same report on every Node: spec on a terminal, TAP (with its `# pass N` summary) otherwise.
// Node 20 chose so itself; Node 23 and later print spec everywhere unless told.
flags.push(`--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`);

/** Runs one group of files through `node --test`, echoing its output; resolves with its exit code and TAP summary. */
function run(group, n) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${n}`, ...flags, ...group],
      { stdio: ['inherit', 'pipe', 'inherit'], env },
    );
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
    });
    child.on('close', (code, signal) => {
      const summary = {};
      for (const [, key, value] of stripVTControlCharacters(tail).matchAll(
        /^(?:# |\u2139 )(tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm,
      ))
        summary[key] = Number(value);
      resolve({
        code: code ?? (signal ? 1 : 0),
        summary,
        seconds: Math.round((Date.now() - started) / 1000),
      });
    });
  });
}

const results = [];
if (serial.length > 0)
  results.push({ name: `alone (${serial.length} files, one at a time)`, ...(await run(serial, 1)) });
if (rest.length > 0)
  results.push({
    name: `together (${rest.length} files, ${concurrency} at a time)`,
    ...(await run(rest, concurrency)),
  });
const total = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0 };
for (const r of results) {
  for (const key of Object.keys(total)) total[key] += r.summary[key] ?? 0;
  console.log(`# group ${r.name}: exit ${r.code}, ${r.seconds} s, ${JSON.stringify(r.summary)}`);
}
console.log(
  `# all groups on Node ${process.version}: ${Object.entries(total)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
