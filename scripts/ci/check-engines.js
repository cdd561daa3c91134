#!/usr/bin/env node
// CI check for "current Node" (issue 20): every package in package-lock.json declares, in its
// `engines.node`, the Node versions our own `engines` admits. Checked at the lowest version of each
// alternative of our range (e.g. 20.19.0 and 24.0.0) and at the Node running the check; a package
// that disagrees fails the check unless KNOWN below says why it is harmless. Understands the range
// forms found in the lockfile (>=, >, <=, <, ^, ~, x-ranges, *, ||); anything else is a failure.
import { readFileSync } from 'node:fs';

/**
 * Packages whose `engines` leave out a version we support, and why that is acceptable. (Fastify's
 * light-my-request 6.8 needs cookie@2, `>=22`: package.json's `overrides` keeps it at 6.6, whose
 * cookie@1 admits every Node we support, so no runtime dependency is an exception.)
 */
const KNOWN = {
  'node_modules/webtorrent':
    'devDependency: tests load its browser bundle (dist/webtorrent.min.js) into Chromium, never webtorrent in Node',
  'node_modules/ut_metadata': "webtorrent's dependency, inside the same browser bundle",
};

const parse = (v) =>
  v
    .replace(/^[=v\s]+/, '')
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : null));
const cmp = (a, b) => {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** Does `version` ([major, minor, patch]) satisfy one comparator such as `>=20.19`, `^8.16.0`, `20.x`? */
function comparator(c, version) {
  if (c === '*' || c === '' || c === 'x') return true;
  const m = /^(>=|<=|>|<|\^|~|=)?\s*v?([\dx*.]+)$/.exec(c);
  if (!m) throw new Error(`unknown range form: ${c}`);
  const [, op = '=', raw] = m;
  const parts = parse(raw.replace(/\.[x*]/g, '').replace(/\.$/, ''));
  const given = raw.split('.').filter((p) => /^\d+$/.test(p)).length;
  const d = cmp(version, parts);
  if (op === '>=') return d >= 0;
  if (op === '>') return given < 3 ? version[given - 1] > parts[given - 1] || cmp(version, parts) > 0 : d > 0;
  if (op === '<=') return d <= 0;
  if (op === '<') return d < 0;
  const firstNonZero = parts.findIndex((p, i) => i < given && p !== 0);
  const fixed = op === '^' ? Math.max(1, firstNonZero + 1) : op === '~' ? Math.min(2, given) : given;
  return d >= 0 && parts.slice(0, fixed).every((p, i) => version[i] === p);
}

/** Does `version` satisfy a whole `engines.node` range (alternatives joined by `||`)? */
export function satisfies(range, version) {
  const v = parse(version);
  return range.split('||').some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .every((c) => comparator(c, v)),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ours = JSON.parse(readFileSync('package.json', 'utf8')).engines.node;
  const lows = ours.split('||').map((alt) => /(\d+(?:\.\d+){0,2})/.exec(alt)[1]);
  const versions = [
    ...new Set([...lows.map((v) => parse(v).concat(0, 0).slice(0, 3).join('.')), process.version.slice(1)]),
  ];
  let failed = false;
  if (!satisfies(ours, process.version)) {
    console.error(`our engines (${ours}) do not admit the Node running this check, ${process.version}`);
    failed = true;
  }
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const range = pkg.engines && !Array.isArray(pkg.engines) ? pkg.engines.node : undefined;
    if (path === '' || !range) continue;
    const refused = versions.filter((v) => !satisfies(range, v));
    if (refused.length === 0) continue;
    const why = KNOWN[path];
    console.log(
      `${path}@${pkg.version} engines ${range} leaves out ${refused.join(', ')}: ${why ?? 'NOT EXPLAINED'}`,
    );
    if (!why) failed = true;
  }
  console.log(
    `engines checked against Node ${versions.join(', ')} (ours: ${ours}): ${failed ? 'FAILED' : 'ok'}`,
  );
  process.exit(failed ? 1 : 0);
}
