/**
 * The item's saving counts completed downloads of BitTorrent clients only (the tracker's HTTP and
 * UDP swarm), so a browser that finished over the WebSocket tracker and reported its bytes counts
 * once; without a tracker or traffic counters, the site peer's uploads stand alone.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Item } from '../../catalog/index.js';
import { zeroCounts } from '../../distribution/index.js';
import { TrackerService } from '../../tracker/index.js';
import { itemTraffic } from './item-traffic.js';

const item = { id: 3, infoHash: 'ab'.repeat(20), totalLength: 1000 } as Item;

test('the saving takes BitTorrent clients completed downloads from the store, not browser completions', async () => {
  const seen: string[] = [];
  const view = await itemTraffic(
    {
      tracker: {
        async storeStats(hash) {
          seen.push(String(hash));
          return { seeders: 1, leechers: 0, completed: 2 };
        },
      },
      traffic: { counts: async () => ({ ...zeroCounts(), browserPeers: 1000, tcp: 500, webrtc: 300 }) },
      seeding: { uploaded: () => 0 },
    },
    item,
  );
  assert.deepEqual(seen, [item.infoHash]);
  assert.equal(view.saved, 1000 + 2 * 1000 - 800);
  assert.equal(view.site, 800);
});

test("without counters the site peer's uploads are TCP; without a tracker nothing completed", async () => {
  const view = await itemTraffic({ seeding: { uploaded: () => 1234 } }, item);
  assert.deepEqual(view, { ...zeroCounts(), tcp: 1234, site: 1234, saved: 0 });
});

test("the tracker's store counts are the HTTP and UDP swarm's", async () => {
  const tracker = new TrackerService();
  const stats = await tracker.storeStats(item.infoHash!);
  assert.deepEqual(stats, { seeders: 0, leechers: 0, completed: 0 });
  await assert.rejects(tracker.storeStats('abcd'));
  await tracker.close();
});
