/**
 * `TrafficStore` on the site's database (SQLite or PostgreSQL, table `item_traffic` of migration
 * 0012): one row per item, created at zero by the first `add` (an upsert that adds to the stored
 * counts, so concurrent writers never lose bytes), removed with its item (foreign key, cascade). An
 * `add` for an item that no longer exists changes nothing.
 */

import type { Database } from '../db/index.js';
import { type TrafficCounts, type TrafficStore, zeroCounts } from './traffic.js';

const COLUMNS = {
  httpPlayer: 'http_player',
  httpDownload: 'http_download',
  webSeed: 'web_seed',
  tcp: 'tcp',
  webrtc: 'webrtc',
  browserPeers: 'browser_peers',
} as const;

type Column = (typeof COLUMNS)[keyof typeof COLUMNS];

export class SqlTrafficStore implements TrafficStore {
  constructor(
    private readonly db: Database,
    private readonly options: { now?: () => number } = {},
  ) {}

  async add(itemId: number, delta: Partial<TrafficCounts>): Promise<void> {
    const values: Partial<Record<Column, number>> = {};
    for (const [key, column] of Object.entries(COLUMNS) as [keyof TrafficCounts, Column][]) {
      const n = delta[key] ?? 0;
      if (Number.isSafeInteger(n) && n > 0) values[column] = n;
    }
    if (Object.keys(values).length === 0) return;
    const now = (this.options.now ?? Date.now)();
    const exists = await this.db.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst();
    if (!exists) return;
    await this.db
      .insertInto('item_traffic')
      .values({ item_id: itemId, ...values, updated_at: now })
      .onConflict((oc) =>
        oc.column('item_id').doUpdateSet((eb) => {
          const set: Record<string, unknown> = { updated_at: now };
          for (const [column, n] of Object.entries(values) as [Column, number][])
            set[column] = eb(eb.ref(`item_traffic.${column}`), '+', n);
          return set;
        }),
      )
      .execute();
  }

  async get(itemId: number): Promise<TrafficCounts> {
    const row = await this.db
      .selectFrom('item_traffic')
      .selectAll()
      .where('item_id', '=', itemId)
      .executeTakeFirst();
    const counts = zeroCounts();
    if (!row) return counts;
    for (const [key, column] of Object.entries(COLUMNS) as [keyof TrafficCounts, Column][])
      counts[key] = Number(row[column]);
    return counts;
  }
}
