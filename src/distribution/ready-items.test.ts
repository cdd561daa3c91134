/**
 * The walk over the ready items: every item once, newest first, across pages; never more than
 * `parallel` at once; a slow item does not hold up the others; a failure stays with its item.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Item, ItemRepository } from '../catalog/index.js';
import { forEachReadyItem } from './ready-items.js';

function catalog(count: number) {
  const pages: (number | undefined)[] = [];
  const items = {
    newest: async ({ limit, beforeId }: { limit: number; beforeId?: number }) => {
      pages.push(beforeId);
      const top = beforeId ?? count + 1;
      const out: Item[] = [];
      for (let id = top - 1; id >= 1 && out.length < limit; id--) out.push({ id } as Item);
      return out;
    },
  } as unknown as ItemRepository;
  return { items, pages };
}

test('every ready item once, at most `parallel` at once, past a slow one, failures reported', {
  timeout: 10_000,
}, async () => {
  const { items, pages } = catalog(250);
  const seen: number[] = [];
  const failed: number[] = [];
  let running = 0;
  let most = 0;
  // The first item waits until the 50th has run: a walk that waited for it would never finish.
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => (open = r));
  await forEachReadyItem(
    items,
    async (item) => {
      running++;
      most = Math.max(most, running);
      seen.push(item.id);
      if (item.id === 250) await gate;
      else await new Promise((r) => setImmediate(r));
      if (item.id === 200) open();
      running--;
      if (item.id % 100 === 7) throw new Error('unreadable');
    },
    (item) => failed.push(item.id),
    4,
  );
  assert.deepEqual(
    [...seen].sort((a, b) => b - a),
    Array.from({ length: 250 }, (_, i) => 250 - i),
  );
  assert.equal(seen.length, 250);
  assert.equal(most, 4);
  assert.deepEqual(
    failed.sort((a, b) => a - b),
    [7, 107, 207],
  );
  assert.deepEqual(pages, [undefined, 151, 51]);
});
