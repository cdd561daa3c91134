#!/usr/bin/env node
// Writes scripts/ci/durations.json, the seconds each test file took in a CI log, which
// scripts/run-tests.js reads to start the longest files first when several run at once (a long file
// started last would hold the run's end on its own). Usage: node scripts/ci/durations.js LOG. Files
// the log leaves out keep the figure they had; files that no longer exist are dropped.
//
// Two log formats. scripts/run-tests.js prints a line per file, `# file <suite> <path>: exit N, S s`,
// which is exact (the slowest suite's figure wins). Older logs are Node's TAP for whole groups of
// files, whose top-level entries name tests, not files: these are matched, in run order, to the
// top-level describe()/test()/it() names read from each file's source (an entry whose name no later
// file declares, e.g. a name built at run time, goes to the file being read). That figure leaves out
// each file's start-up, which is about the same for every file, so the order holds.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SERIAL } from './serial-tests.js';

const OUT = new URL('./durations.json', import.meta.url).pathname;
const log = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8');
const seconds = {};

const exact = [...log.matchAll(/^(?:\[[^\]]*\] )?# file (\S+) (\S+): exit \d+, ([\d.]+) s$/gm)];
if (exact.length > 0) {
  for (const [, , path, s] of exact) seconds[path] = Math.max(seconds[path] ?? 0, Number(s));
} else fromTap();

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/**
 * A file's top-level test names, as regular expressions: the first string of every call that
 * starts a line (describe, test, or a helper such as describeOnEachDatabase, which may add a suffix in
 * parentheses); a template's `${...}` matches anything.
 */
function topNames(path) {
  const names = [];
  const source = readFileSync(path, 'utf8');
  for (const [, quote, body] of source.matchAll(
    /^\s*(?:await )?[\w.]+\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/gm,
  )) {
    const text = body.replace(/\\(.)/g, '$1');
    const parts = quote === '`' ? text.split(/\$\{[^}]*\}/) : [text];
    if (parts.join('').length < 4) continue; // `${x}` alone would match anything
    const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    names.push(new RegExp(`^${escaped.join('.*')}($| \\()`));
  }
  return names;
}

function fromTap() {
  // Top-level entries, in order, with the group (one `node --test` run) each belongs to.
  const entries = [];
  let group = 0;
  let last = 0;
  for (const [, n, name, ms] of log.matchAll(
    /^(?:not )?ok (\d+) - (.*)\n(?: {2}.*\n)*? {2}duration_ms: ([\d.]+)/gm,
  )) {
    if (Number(n) <= last) group++;
    last = Number(n);
    entries.push({ group, name, ms: Number(ms) });
  }
  // The order scripts/run-tests.js ran them in: the serial files, then the rest, each sorted.
  const all = [...walk('src', []), ...walk('test', [])].sort();
  const groups = [all.filter((f) => f in SERIAL), all.filter((f) => !(f in SERIAL))];
  // A test that runs itself again inside a network namespace names its file.
  const names = new Map(
    all.map((f) => [f, [...topNames(f), new RegExp(`^${basename(f).replace(/\./g, '\\.')}\\b`)]]),
  );
  let unmatched = 0;
  for (let g = 0; g < groups.length; g++) {
    const files = groups[g];
    let at = 0;
    for (const e of entries.filter((x) => x.group === g)) {
      // The nearest file, within a few, that declares the name: a wrong match further on would
      // swallow every file between.
      const next = files.findIndex(
        (f, i) => i >= at && i <= at + 6 && names.get(f).some((re) => re.test(e.name)),
      );
      if (next >= 0) at = next;
      else unmatched++;
      const file = files[at];
      seconds[file] = (seconds[file] ?? 0) + e.ms / 1000;
    }
  }
  console.error(`${entries.length} top-level entries, ${unmatched} given to the file before them`);
}

// Files the log does not cover (a run narrowed to some files) keep their figure; gone files go.
const all = new Set([...walk('src', []), ...walk('test', [])]);
const old = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
const table = Object.fromEntries(
  Object.entries({ ...old, ...seconds })
    .filter(([f]) => all.has(f))
    .map(([f, s]) => [f, Math.round(s * 10) / 10])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
);
writeFileSync(OUT, `${JSON.stringify(table, null, 2)}\n`);
const total = Object.values(table).reduce((a, b) => a + b, 0);
console.error(`${Object.keys(table).length} files, ${Math.round(total)} s, written to ${OUT}`);
