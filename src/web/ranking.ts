/**
 * "Most seeded": ranks the site's items by their live swarm (seeders, then completed downloads), from
 * the tracker's counts (a BEP 48 scrape of every item's info hash, in batches). The ranking is
 * computed at most once a minute and served from memory meanwhile; a stale ranking is served while
 * the next one is computed, so only the very first request waits for it.
 */

import type { ItemRepository } from '../catalog/index.js';
import type { TrackerService } from '../tracker/index.js';

export interface Ranked {
  itemId: number;
  seeders: number;
  leechers: number;
  completed: number;
}

const BATCH = 2000;

export class SwarmRanking {
  private ranking: Ranked[] | undefined;
  private computedAt = 0;
  private pending: Promise<Ranked[]> | undefined;

  constructor(
    private readonly items: ItemRepository,
    private readonly tracker: TrackerService | undefined,
    private readonly options: { maxAgeMs?: number; keep?: number; now?: () => number } = {},
  ) {}

  /** The top items (at most `limit`) with at least one seeder. */
  async top(limit: number): Promise<Ranked[]> {
    const now = (this.options.now ?? Date.now)();
    const fresh = now - this.computedAt < (this.options.maxAgeMs ?? 60_000);
    if (!this.ranking || !fresh) {
      this.pending ??= this.compute().finally(() => {
        this.pending = undefined;
      });
      if (!this.ranking) this.ranking = await this.pending;
      else this.pending.catch(() => undefined); // serve the stale ranking meanwhile
    }
    return this.ranking.slice(0, limit);
  }

  private async compute(): Promise<Ranked[]> {
    const ranked: Ranked[] = [];
    if (this.tracker) {
      const rows = await this.items.swarmKeys();
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        const counts = await Promise.all(batch.map((r) => this.tracker!.stats(r.infoHash)));
        batch.forEach((r, j) => {
          const c = counts[j]!;
          if (c.seeders > 0) ranked.push({ itemId: r.id, ...c });
        });
      }
    }
    ranked.sort((a, b) => b.seeders - a.seeders || b.completed - a.completed || b.itemId - a.itemId);
    this.computedAt = (this.options.now ?? Date.now)();
    this.ranking = ranked.slice(0, this.options.keep ?? 100);
    return this.ranking;
  }
}
