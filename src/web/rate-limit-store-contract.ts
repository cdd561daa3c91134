/**
 * The contract every `RateLimitStore` meets (`rate-limit-store.ts`), run by `rate-limit-store.test.ts`
 * against the memory store and the Redis store. `make` gives two stores of one site: for memory, one
 * store seen twice (one node); for Redis, two stores on one server (two nodes). `settle` waits until
 * what either store recorded is known to both.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RateLimitStore } from './rate-limit-store.js';

export interface StorePair {
  a: RateLimitStore;
  b: RateLimitStore;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function rateLimitStoreContract(name: string, make: () => Promise<StorePair>): void {
  const withPair = (title: string, body: (p: StorePair) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const pair = await make();
      try {
        await body(pair);
      } finally {
        await pair.close();
      }
    });

  withPair('hits within the window are counted, oldest first; older ones are not', async ({ a }) => {
    a.add('k', 1_000, 10, 60_000);
    a.add('k', 2_000, 10, 60_000);
    a.add('k', 3_000, 10, 60_000);
    assert.deepEqual([...a.hits('k', 0)], [1_000, 2_000, 3_000]);
    assert.deepEqual([...a.hits('k', 1_000)], [2_000, 3_000], '`since` itself is out of the window');
    assert.deepEqual([...a.hits('other', 0)], []);
  });

  withPair('only the newest `keep` hits are kept', async ({ a }) => {
    for (let i = 1; i <= 5; i++) a.add('k', i * 1_000, 3, 60_000);
    assert.deepEqual([...a.hits('k', 0)], [3_000, 4_000, 5_000]);
  });

  withPair('a hit recorded by one node counts on the other', async ({ a, b, settle }) => {
    const now = Date.now();
    a.add('shared', now - 2, 10, 60_000);
    b.add('shared', now - 1, 10, 60_000);
    await settle();
    assert.deepEqual([...a.hits('shared', now - 60_000)], [now - 2, now - 1]);
    assert.deepEqual([...b.hits('shared', now - 60_000)], [now - 2, now - 1]);
  });

  withPair('sweep forgets keys with nothing after `before`', async ({ a }) => {
    a.add('old', 1_000, 10, 60_000);
    a.add('new', 9_000, 10, 60_000);
    a.sweep(5_000);
    assert.deepEqual([...a.hits('old', 0)], []);
    assert.deepEqual([...a.hits('new', 0)], [9_000]);
  });
}
