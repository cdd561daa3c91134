import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateLimited } from './log.js';

test('a flood of warnings is cut to a burst, then one line says how many were suppressed', () => {
  const lines: string[] = [];
  let now = 0;
  const log = rateLimited({ warn: (m) => lines.push(m) }, { perSecond: 3, now: () => now });
  for (let i = 0; i < 100; i++) log.warn(`bad ${i}`);
  assert.deepEqual(lines, ['bad 0', 'bad 1', 'bad 2']);
  now = 1500;
  log.warn('later');
  assert.deepEqual(lines.slice(3), ['tracker: 97 more warnings suppressed', 'later']);
});
