import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSeedcastError } from '../../errors.js';
import { allowSet, parseAllowList } from './allow-list.js';

const H1 = 'aa'.repeat(20);
const H2 = 'BB'.repeat(20);
const V2 = 'cc'.repeat(32);

test('an allow list file: hex hashes one a line, comments and blanks ignored, v2 hashes truncated', () => {
  const set = parseAllowList(`# items\n${H1}\n\n  ${H2}  # second\r\n${V2}\n`);
  assert.deepEqual([...set].sort(), [H1, H2.toLowerCase(), 'cc'.repeat(20)].sort());
  const check = allowSet(set);
  assert.equal(check(Buffer.from(H1, 'hex')), true);
  assert.equal(check(Buffer.alloc(20)), false);
  check.update(new Set());
  assert.equal(check(Buffer.from(H1, 'hex')), false, 'a reloaded list replaces the old one');
});

test('an allow list line that is not an info hash is an error naming the line', () => {
  assert.throws(
    () => parseAllowList(`${H1}\nnot-a-hash\n`, { source: 'list.txt' }),
    (e) => isSeedcastError(e, 'TRACKER_ALLOW_LIST') && /list\.txt line 2/.test(e.message),
  );
  assert.throws(
    () => parseAllowList('ab'.repeat(21)),
    (e) => isSeedcastError(e, 'TRACKER_ALLOW_LIST'),
  );
});
