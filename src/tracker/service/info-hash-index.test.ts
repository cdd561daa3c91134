import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { InfoHashIndex } from './info-hash-index.js';

test('an info hash index keeps, replaces and forgets values by the 20 key bytes', () => {
  const index = new InfoHashIndex<string>();
  const a = randomBytes(20);
  const b = Buffer.from(a);
  b[19] = b[19]! ^ 1;
  assert.equal(index.get(a), undefined);
  index.set(a, 'a');
  index.set(b, 'b');
  assert.equal(index.get(Buffer.from(a)), 'a');
  assert.equal(index.get(b), 'b');
  index.set(Buffer.from(a), 'a2');
  assert.equal(index.size, 2);
  assert.equal(index.get(a), 'a2');
  assert.equal(index.delete(a), true);
  assert.equal(index.delete(a), false);
  assert.equal(index.has(a), false);
  assert.equal(index.get(b), 'b');
  assert.equal(index.size, 1);
  index.clear();
  assert.equal(index.size, 0);
  assert.equal(index.has(b), false);
});

test('an info hash index reads a key at an offset inside a larger buffer (a request datagram)', () => {
  const index = new InfoHashIndex<number>();
  const datagram = randomBytes(98);
  index.set(datagram, 7, 16);
  assert.equal(index.get(datagram.subarray(16, 36)), 7);
  assert.equal(index.get(datagram, 16), 7);
  assert.equal(index.get(datagram, 17), undefined);
});

test('an info hash index agrees with a Map through growth and heavy churn (backward-shift deletion)', () => {
  const index = new InfoHashIndex<number>();
  const model = new Map<string, number>();
  // A small pool of keys, so sets, replacements and deletions keep hitting the same probe chains.
  const pool = Array.from({ length: 3000 }, () => randomBytes(20));
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 60_000; i++) {
    const key = pool[rand(pool.length)]!;
    const k = key.toString('hex');
    const op = rand(10);
    if (op < 5) {
      index.set(key, i);
      model.set(k, i);
    } else if (op < 8) {
      assert.equal(index.delete(key), model.delete(k));
    } else {
      assert.equal(index.get(key), model.get(k));
    }
    assert.equal(index.size, model.size);
  }
  for (const key of pool) assert.equal(index.get(key), model.get(key.toString('hex')));
  // Emptied completely, then refilled: no entry lost behind a hole.
  for (const key of pool) index.delete(key);
  assert.equal(index.size, 0);
  for (const [i, key] of pool.entries()) index.set(key, i);
  for (const [i, key] of pool.entries()) assert.equal(index.get(key), i);
});
