// The scheduler behind scripts/run-tests.js: runs test files, each in its own `node --test` process,
// for one or more suites (a suite is a checkout and the Node that runs it: CI runs this repository
// on Node 20 and a clone of it on Node 24 side by side). Files named in scripts/ci/serial-tests.js
// run first, one at a time, with nothing else beside them (every suite's copy in turn). Then the
// rest run `concurrency` at a time, ordered by scripts/ci/durations.json: longest first (a long file
// started last would hold the end of the run on its own; with several suites, the second one
// shortest first, see below), with at most `perSuite` files of one suite at once while another
// suite has files left, and never one path twice at once. Each file's output is printed whole when it ends, so files
// running together do not interleave, each line prefixed with its suite when there are several.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

/** Seconds each file took in a recent CI run (scripts/ci/durations.js); unknown files get the mean. */
export function loadDurations() {
  try {
    return JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8'));
  } catch {
    return {};
  }
}

/** Summary counts from the end of a file's output (TAP `# pass N`, or spec's `ℹ pass N`). */
function summarise(tail) {
  const summary = {};
  for (const [, key, value] of stripVTControlCharacters(tail).matchAll(
    /^(?:# |\u2139 )(tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm,
  ))
    summary[key] = Number(value);
  return summary;
}

/**
 * Flags a suite's Node needs besides the run's. From Node 22.8 the runner can run the file in its own
 * process (`--test-isolation=none`; each file has a `node --test` of its own here anyway), and on
 * Node 24 it must: with the default isolation, `--test-force-exit` ends the file's child before its
 * results reach the runner, which then reports the tests it heard of as the whole file, passed
 * (`src/torrent/sanitize.test.ts`: 31 of 38 tests; `test/wild-torrents-verdicts.test.ts`: 50 of 84).
 */
const extraFlags = new Map();
function flagsOf(node) {
  if (!extraFlags.has(node)) {
    let version = [0, 0];
    try {
      version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' })
        .trim()
        .split('.')
        .map(Number);
    } catch {
      // a Node that cannot start fails its files below
    }
    const [major = 0, minor = 0] = version;
    extraFlags.set(node, major > 22 || (major === 22 && minor >= 8) ? ['--test-isolation=none'] : []);
  }
  return extraFlags.get(node);
}

/** Runs one file of one suite; resolves with its exit code, summary and seconds. */
function runFile(suite, path, flags, prefix) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(suite.node, ['--import', 'tsx', '--test', ...flagsOf(suite.node), ...flags, path], {
      cwd: suite.dir,
      env: suite.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    // A Node that cannot start (a wrong --also-node) fails its files instead of stopping the run.
    child.on('error', (err) => chunks.push(Buffer.from(`could not start ${suite.node}: ${err.message}\n`)));
    child.on('close', (code) => {
      const text = Buffer.concat(chunks).toString('utf8');
      const out = prefix ? text.replace(/^(?=.)/gm, `[${suite.label}] `) : text;
      process.stdout.write(out.endsWith('\n') || out === '' ? out : `${out}\n`);
      const seconds = (Date.now() - started) / 1000;
      const exit = code ?? 1; // null: killed by a signal, or never started
      console.log(`# file ${suite.label} ${path}: exit ${exit}, ${seconds.toFixed(1)} s`);
      resolve({ suite, path, exit, seconds, summary: summarise(text.slice(-4096)) });
    });
  });
}

/**
 * Runs `files` for every suite. `serial` says which paths run alone. Resolves with one result per
 * (suite, file), in the order they ended.
 */
export async function runPool({ suites, files, serial, flags, concurrency, perSuite }) {
  const durations = loadDurations();
  const known = Object.values(durations);
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  const weight = (path) => durations[path] ?? mean;
  const prefix = suites.length > 1;
  const results = [];

  for (const path of files.filter(serial))
    for (const suite of suites) results.push(await runFile(suite, path, flags, prefix));

  // The first suite takes its files longest first, the second shortest first (and so on,
  // alternating): a long file is mostly a heavy one (a browser, real clients), and beside the other
  // suite's short ones it competes less for the CPU than beside its own copy. Each suite's queue
  // still ends when its files' time is spent, whatever their order.
  const ordered = files.filter((f) => !serial(f)).sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : 1));
  const queues = suites.map((suite, i) => ({
    suite,
    paths: i % 2 === 0 ? [...ordered] : [...ordered].reverse(),
    running: 0,
  }));
  const runningPaths = new Set();
  let runningCount = 0;
  await new Promise((done) => {
    const fill = () => {
      while (runningCount < concurrency) {
        // A suite runs at most perSuite files at once while another suite still has files; the last
        // suite with files left gets every slot.
        const open = queues.filter((q) => q.paths.length > 0);
        const picked = open
          .filter((q) => open.length === 1 || q.running < perSuite)
          .sort((x, y) => x.running - y.running)
          .map((q) => ({ q, at: q.paths.findIndex((p) => !runningPaths.has(p)) }))
          .find(({ at }) => at >= 0);
        if (!picked) break;
        const { q, at } = picked;
        const [path] = q.paths.splice(at, 1);
        q.running++;
        runningCount++;
        runningPaths.add(path);
        runFile(q.suite, path, flags, prefix).then((result) => {
          q.running--;
          runningCount--;
          runningPaths.delete(path);
          results.push(result);
          fill();
        });
      }
      if (runningCount === 0 && queues.every((q) => q.paths.length === 0)) done();
    };
    fill();
  });
  return results;
}
