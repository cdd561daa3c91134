/**
 * An item's bytes per channel and the swarm's saving, as the item API and the item page show them
 * (issue 17; docs/browser-swarm.md). Completed downloads in the saving are those of BitTorrent
 * clients (the tracker's HTTP and UDP swarm): browsers that finish over the WebSocket tracker have
 * already reported the bytes they got from peers, and must not count twice.
 */

import type { Item } from '../../catalog/index.js';
import type { Seeding } from '../../distribution/index.js';
import { type Traffic, type TrafficView, trafficView, zeroCounts } from '../../distribution/index.js';
import type { TrackerService } from '../../tracker/index.js';

export async function itemTraffic(
  deps: {
    tracker?: Pick<TrackerService, 'storeStats'> | undefined;
    traffic?: Pick<Traffic, 'counts'> | undefined;
    seeding: Pick<Seeding, 'uploaded'>;
  },
  item: Item,
): Promise<TrafficView> {
  const [clients, counts] = await Promise.all([
    deps.tracker && item.infoHash ? deps.tracker.storeStats(item.infoHash) : { completed: 0 },
    deps.traffic ? deps.traffic.counts(item.id) : { ...zeroCounts(), tcp: deps.seeding.uploaded(item.id) },
  ]);
  return trafficView(counts, { completed: clients.completed, size: item.totalLength });
}
