/**
 * Traffic by channel: which channel a file request is (a page's player, a download, a BitTorrent
 * client's web-seed range, the P2P player's fallback), counts held until flushed and surviving a
 * restart, the site peer's upload counts sampled as differences, and the saved formula.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bandwidthSaved,
  classifyHttp,
  Traffic,
  type TrafficCounts,
  type TrafficStore,
  zeroCounts,
} from './traffic.js';

function memoryStore(): TrafficStore & { rows: Map<number, TrafficCounts>; writes: number } {
  const rows = new Map<number, TrafficCounts>();
  const store = {
    rows,
    writes: 0,
    async add(itemId: number, delta: Partial<TrafficCounts>) {
      store.writes++;
      const row = rows.get(itemId) ?? zeroCounts();
      for (const [k, v] of Object.entries(delta)) row[k as keyof TrafficCounts] += v ?? 0;
      rows.set(itemId, row);
    },
    async get(itemId: number) {
      return { ...(rows.get(itemId) ?? zeroCounts()) };
    },
  };
  return store;
}

test('a page player range request is httpPlayer (Sec-Fetch-Dest video or audio)', () => {
  const chrome = {
    range: 'bytes=0-',
    'sec-fetch-dest': 'video',
    'sec-fetch-mode': 'no-cors',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0',
  };
  assert.equal(classifyHttp(chrome), 'httpPlayer');
  assert.equal(classifyHttp({ ...chrome, 'sec-fetch-dest': 'audio', range: 'bytes=100-200' }), 'httpPlayer');
});

test('a download (a link followed, curl, a bounded range from a non-BitTorrent client) is httpDownload', () => {
  assert.equal(classifyHttp({ 'sec-fetch-dest': 'document', 'user-agent': 'Mozilla/5.0' }), 'httpDownload');
  assert.equal(classifyHttp({ 'user-agent': 'curl/7.88.1' }), 'httpDownload');
  assert.equal(classifyHttp({ 'user-agent': 'curl/7.88.1', range: 'bytes=0-99' }), 'httpDownload');
  assert.equal(classifyHttp({ 'user-agent': 'gPodder/3.11', range: 'bytes=100-' }), 'httpDownload');
});

test('a BitTorrent client web-seed range (libtorrent, aria2, Transmission, Seedcast) is webSeed', () => {
  for (const ua of [
    'libtorrent/2.0.8',
    'aria2/1.36.0',
    'Transmission/3.00',
    'Seedcast/0.1',
    'qBittorrent/4.5.2',
  ])
    assert.equal(classifyHttp({ 'user-agent': ua, range: 'bytes=262144-524287' }), 'webSeed', ua);
  // The same client fetching a whole file over plain HTTP is a download.
  assert.equal(classifyHttp({ 'user-agent': 'aria2/1.36.0' }), 'httpDownload');
});

test("the P2P player's fallback request (X-Seedcast-Player: p2p) is webSeed whatever else it sends", () => {
  assert.equal(
    classifyHttp({
      'x-seedcast-player': 'p2p',
      'sec-fetch-dest': 'empty',
      range: 'bytes=0-16383',
      'user-agent': 'Mozilla/5.0',
    }),
    'webSeed',
  );
});

test('counts are held until flushed, read back with what is pending, and survive a restart', async () => {
  const store = memoryStore();
  const first = new Traffic({ store });
  first.record(1, 'httpPlayer', 100);
  first.record(1, 'httpPlayer', 50);
  first.record(1, 'webSeed', 7);
  first.record(1, 'tcp', -5);
  first.record(1, 'tcp', 1.5);
  assert.equal(store.writes, 0);
  assert.equal((await first.counts(1)).httpPlayer, 150);
  await first.close();
  assert.equal(store.writes, 1);
  const again = new Traffic({ store });
  again.record(1, 'httpDownload', 3);
  assert.deepEqual(await again.counts(1), { ...zeroCounts(), httpPlayer: 150, webSeed: 7, httpDownload: 3 });
});

test("the site peer's uploads are sampled as differences; a counter that went back starts again", async () => {
  const store = memoryStore();
  let now = { tcp: 1000, webrtc: 10 };
  const traffic = new Traffic({ store, peers: { trafficOf: () => now, itemIds: () => [4] } });
  await traffic.flush();
  now = { tcp: 1500, webrtc: 30 };
  await traffic.flush();
  assert.deepEqual(await store.get(4), { ...zeroCounts(), tcp: 1500, webrtc: 30 });
  now = { tcp: 200, webrtc: 0 }; // the session was restarted
  assert.deepEqual(await traffic.counts(4), { ...zeroCounts(), tcp: 1700, webrtc: 30 });
  await traffic.close();
  assert.deepEqual(await store.get(4), { ...zeroCounts(), tcp: 1700, webrtc: 30 });
});

test('a failed write keeps the counts for the next flush', async () => {
  const store = memoryStore();
  const add = store.add;
  let fail = true;
  store.add = async (id, d) => {
    if (fail) throw new Error('database busy');
    return add(id, d);
  };
  const traffic = new Traffic({ store, log: () => {} });
  traffic.record(2, 'browserPeers', 42);
  await traffic.flush();
  fail = false;
  await traffic.flush();
  assert.equal((await store.get(2)).browserPeers, 42);
});

test('saved = browser peers + completed x size - what the site sent peers, clients and the web seed; never negative', () => {
  const counts = {
    ...zeroCounts(),
    browserPeers: 900,
    tcp: 100,
    webrtc: 200,
    webSeed: 50,
    httpPlayer: 10_000,
  };
  assert.equal(bandwidthSaved(counts, { completed: 2, size: 1000 }), 900 + 2000 - 350);
  assert.equal(bandwidthSaved(zeroCounts(), { completed: 0, size: 1000 }), 0);
  assert.equal(bandwidthSaved({ ...zeroCounts(), tcp: 5000 }, { completed: 1, size: 1000 }), 0);
});
