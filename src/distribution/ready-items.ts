/**
 * Walks every ready item of the catalog, newest first, a page of 100 at a time, running `each` on
 * up to `parallel` items at once (seeding's start and rebalance: metadata reads only). The items
 * flow through a sliding window: an item starts as soon as another finishes, across pages, and the
 * next page is read from the database while the current one is worked on, so one slow read never
 * holds up the others. A failure stays with its item: `onError` hears of it and the walk carries on.
 */

import type { Item, ItemRepository } from '../catalog/index.js';

const PAGE = 100;

export async function forEachReadyItem(
  items: ItemRepository,
  each: (item: Item) => Promise<void>,
  onError: (item: Item, err: Error) => void,
  parallel = 1,
): Promise<void> {
  const width = Math.max(1, parallel);
  const running = new Set<Promise<void>>();
  const nextPage = (beforeId?: number) => items.newest({ limit: PAGE, ...(beforeId ? { beforeId } : {}) });
  let page = await nextPage();
  for (;;) {
    const following = page.length < PAGE ? undefined : nextPage(page[page.length - 1]!.id);
    // Not left unhandled while the window is busy; awaited (and thrown) below.
    following?.catch(() => undefined);
    for (const item of page) {
      while (running.size >= width) await Promise.race(running);
      const one: Promise<void> = each(item)
        .catch((err: unknown) => onError(item, err as Error))
        .finally(() => running.delete(one));
      running.add(one);
    }
    if (!following) break;
    page = await following;
  }
  await Promise.all(running);
}
