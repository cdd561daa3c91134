/**
 * The import rules hold in the real code: no import against the stated direction, no new cycle
 * between folders, no new reach past a folder's `index.ts` (the table is in `import-rules.ts`).
 */

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import {
  ALLOWED,
  cycles,
  EVERYONE,
  KNOWN_CYCLES,
  KNOWN_PAST_INDEX,
  ROOTS,
  readImports,
} from './import-rules.js';

const imports = readImports(resolve('src'));

test('the reader finds the imports (a broken reader must not pass the rules)', () => {
  assert.ok(imports.length > 500, `only ${imports.length} imports between folders`);
  assert.ok(imports.some((i) => i.from === 'engine' && i.to === 'wire'));
  assert.ok(imports.some((i) => i.from === 'cli' && i.to === 'server' && i.file === 'cli/serve.ts'));
});

test('every folder imports only what the direction allows', () => {
  const wrong = imports.filter(
    (i) => !ROOTS.has(i.from) && !EVERYONE.has(i.to) && !(ALLOWED[i.from] ?? []).includes(i.to),
  );
  assert.deepEqual(
    wrong.map((i) => `${i.file} imports ${i.target} (${i.from} -> ${i.to})`),
    [],
    'add the edge to docs/architecture.md and import-rules.ts only if the design says so',
  );
});

test('no cycle between folders beyond the known ones, and the known ones are still there', () => {
  const found = cycles(imports);
  assert.deepEqual(
    found.filter((c) => !KNOWN_CYCLES.has(c)),
    [],
  );
  assert.deepEqual(
    [...KNOWN_CYCLES].filter((c) => !found.includes(c)),
    [],
    'a known cycle is gone: remove it from KNOWN_CYCLES',
  );
});

test('imports go through a folder’s index.ts, beyond the known exceptions', () => {
  const past = imports.filter(
    (i) => i.target.includes('/') && !/^[^/]+\/index\.(js|ts)$/.test(i.target) && !ROOTS.has(i.from),
  );
  const pairs = new Set(past.map((i) => `${i.from} -> ${i.to}`));
  assert.deepEqual(
    past.filter((i) => !KNOWN_PAST_INDEX.has(`${i.from} -> ${i.to}`)).map((i) => `${i.file} -> ${i.target}`),
    [],
  );
  assert.deepEqual(
    [...KNOWN_PAST_INDEX].filter((p) => !pairs.has(p)),
    [],
    'an exception is no longer used: remove it from KNOWN_PAST_INDEX',
  );
});
