/**
 * Walks every ready item of the catalog, newest first, a page of 100 at a time, running `each` on
 * up to `parallel` items of a page at once (seeding's start and rebalance: metadata reads only).
 * A failure stays with its item: `onError` hears of it and the walk carries on.
 */

import type { Item, ItemRepository } from '../catalog/index.js';

const PAGE = 100;

export async function forEachReadyItem(
  items: ItemRepository,
  each: (item: Item) => Promise<void>,
  onError: (item: Item, err: Error) => void,
  parallel = 1,
): Promise<void> {
  let beforeId: number | undefined;
  for (;;) {
    const page = await items.newest({ limit: PAGE, ...(beforeId ? { beforeId } : {}) });
    for (let at = 0; at < page.length; at += parallel) {
      await Promise.all(
        page
          .slice(at, at + parallel)
          .map((item) => each(item).catch((err: unknown) => onError(item, err as Error))),
      );
    }
    if (page.length < PAGE) return;
    beforeId = page[page.length - 1]!.id;
  }
}
