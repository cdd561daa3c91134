/** HTTP byte ranges: one range, suffix ranges, open ranges, clamping, and what is ignored or refused. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange } from './range.js';

test('byte ranges', () => {
  assert.deepEqual(parseRange(undefined, 100), { kind: 'whole' });
  assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'partial', offset: 0, length: 10 });
  assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'partial', offset: 90, length: 10 });
  assert.deepEqual(parseRange('bytes=90-1000', 100), { kind: 'partial', offset: 90, length: 10 });
  assert.deepEqual(parseRange('bytes=-5', 100), { kind: 'partial', offset: 95, length: 5 });
  assert.deepEqual(parseRange('bytes=-500', 100), { kind: 'partial', offset: 0, length: 100 });
  assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-0', 0), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=5-2', 100), { kind: 'whole' }, 'an invalid range is ignored');
  assert.deepEqual(parseRange('bytes=0-1,5-6', 100), { kind: 'whole' }, 'several ranges: the whole file');
  assert.deepEqual(parseRange('items=0-1', 100), { kind: 'whole' });
  assert.deepEqual(parseRange('bytes=99999999999999999999-', 100), { kind: 'unsatisfiable' });
});

test('a long header of spaces costs no backtracking (found by fuzzing), and spaces around the parts still parse', () => {
  assert.deepEqual(parseRange(' Bytes = 10 - 19 ', 100), { kind: 'partial', offset: 10, length: 10 });
  assert.deepEqual(parseRange('bytes= - ', 100), { kind: 'whole' });
  for (const header of [
    `bytes=1-${' '.repeat(16_000)}x`,
    `bytes=${' '.repeat(16_000)}x`,
    `bytes=1-${' '.repeat(190)}x`,
  ]) {
    const t0 = performance.now();
    assert.deepEqual(parseRange(header, 100), { kind: 'whole' });
    assert.ok(performance.now() - t0 < 20, `${header.length} characters took ${performance.now() - t0} ms`);
  }
});
