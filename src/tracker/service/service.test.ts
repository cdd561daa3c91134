import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSeedcastError } from '../../errors.js';
import { MemoryStore } from '../stores/memory-store.js';
import type { SwarmStore } from '../stores/store.js';
import { id20, v4 } from '../stores/store-contract.js';
import { allowSet } from './allow-list.js';
import { TrackerService } from './service.js';
import type { AnnounceRequest } from './types.js';

function announce(over: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return {
    infoHash: Buffer.alloc(20, 1),
    peerId: id20('p'),
    ip: v4('10.0.0.1'),
    port: 6881,
    uploaded: 0,
    downloaded: 0,
    left: 100,
    event: 'started',
    numwant: -1,
    key: 0,
    wantPeerIds: false,
    transport: 'http',
    ...over,
  };
}

describe('tracker service', () => {
  test('transient announces reuse one answer only when it is given at once', async () => {
    const service = new TrackerService({ interval: 600 });
    await service.announce(announce({ ip: v4('10.0.0.9'), peerId: id20('other') }));
    const me = id20('me');
    const a = service.announce(announce({ transport: 'udp', peerId: me }), { transient: true });
    const b = service.announce(announce({ transport: 'udp', peerId: me }), { transient: true });
    assert.ok(!(a instanceof Promise) && !(b instanceof Promise));
    assert.equal(a, b, 'the memory store answers at once: one answer object is rewritten');
    assert.deepEqual([b.interval, b.incomplete, b.peers.v4.length], [600, 2, 6]);
    const plain = service.announce(announce());
    assert.notEqual(plain, a, "without the option every answer is the caller's own");

    // An allow check that answers later: the answer is a promise, and always the caller's own.
    const later = new TrackerService({ allow: async () => true });
    const p1 = later.announce(announce({ transport: 'udp' }), { transient: true });
    const p2 = later.announce(announce({ transport: 'udp' }), { transient: true });
    assert.ok(p1 instanceof Promise && p2 instanceof Promise);
    const [r1, r2] = await Promise.all([p1, p2]);
    assert.notEqual(r1, r2);
    assert.equal(r1.peers.v4.length, 0);
    assert.equal(r2.peers.v4.length, 6, 'the first peer, kept in its own memory');
  });

  test('announce answers intervals, counts and peers; left=0 makes a seeder', async () => {
    const service = new TrackerService({ interval: 600, minInterval: 60 });
    await service.announce(announce({ left: 0, ip: v4('10.0.0.9') }));
    const res = await service.announce(announce());
    assert.deepEqual([res.interval, res.minInterval, res.complete, res.incomplete], [600, 60, 1, 1]);
    assert.equal(res.peers.v4.length, 6);
  });

  test('a left=0 peer that downloaded nothing gets seeders too; one that downloaded gets leechers only', async () => {
    const service = new TrackerService();
    await service.announce(announce({ left: 0, ip: v4('10.0.0.9'), peerId: id20('seed') }));
    // aria2 fetching a magnet's metadata announces left=0, downloaded=0.
    const magnet = await service.announce(announce({ left: 0, peerId: id20('magnet') }));
    assert.equal(magnet.peers.v4.length, 6, 'the seeder is offered');
    const done = await service.announce(
      announce({ left: 0, downloaded: 100, peerId: id20('done'), ip: v4('10.0.0.7') }),
    );
    assert.equal(done.peers.v4.length, 0, 'a seeder that downloaded gets no seeders');
  });

  test('numwant: -1 means the default, large values are capped', async () => {
    const service = new TrackerService({ defaultNumwant: 3, maxNumwant: 5 });
    for (let i = 1; i <= 10; i++) await service.announce(announce({ ip: v4(`10.0.3.${i}`) }));
    assert.equal((await service.announce(announce())).peers.v4.length, 3 * 6);
    assert.equal((await service.announce(announce({ numwant: 1000 }))).peers.v4.length, 5 * 6);
  });

  test('in allow-list mode other torrents are refused, listed ones tracked', async () => {
    const allowed = Buffer.alloc(20, 2);
    const service = new TrackerService({ allow: allowSet(new Set([allowed.toString('hex')])) });
    await assert.rejects(
      async () => service.announce(announce()),
      (e) => isSeedcastError(e, 'TRACKER_NOT_ALLOWED'),
    );
    await assert.rejects(
      async () => service.scrape({ infoHashes: [Buffer.alloc(20, 1)], transport: 'udp' }),
      (e) => isSeedcastError(e, 'TRACKER_NOT_ALLOWED'),
    );
    const ok = await service.announce(announce({ infoHash: allowed }));
    assert.equal(ok.incomplete, 1);
  });

  test('an asynchronous allow callback (the site asking its catalog) is awaited', async () => {
    const service = new TrackerService({ allow: async (h) => h[0] === 7 });
    await assert.rejects(
      async () => service.announce(announce()),
      (e) => isSeedcastError(e, 'TRACKER_NOT_ALLOWED'),
    );
    assert.equal((await service.announce(announce({ infoHash: Buffer.alloc(20, 7) }))).incomplete, 1);
  });

  test('buffers a transport reuses after the call are copied before anything asynchronous', async () => {
    // An asynchronous store (like Redis) that reads its input a tick later.
    const seen: string[] = [];
    const lateStore = new MemoryStore();
    const slow: SwarmStore = {
      announce: async (input) => {
        await new Promise((r) => setImmediate(r));
        seen.push(input.infoHash.toString('hex') + input.peerId.toString('hex') + input.ip.toString('hex'));
        return lateStore.announce(input);
      },
      scrape: (h) => lateStore.scrape(h),
      sweep: (now) => lateStore.sweep(now),
      size: () => lateStore.size(),
      close: () => lateStore.close(),
    };
    let verdicts = 0;
    const asyncAllow = async (h: Buffer) => {
      const hex = h.toString('hex');
      await new Promise((r) => setImmediate(r));
      verdicts++;
      return hex === '01'.repeat(20);
    };
    for (const service of [
      new TrackerService({ store: slow }),
      new TrackerService({ store: slow, allow: asyncAllow }),
      new TrackerService({ allow: asyncAllow }),
    ]) {
      const req = announce();
      const before = req.infoHash.toString('hex') + req.peerId.toString('hex') + req.ip.toString('hex');
      const pending = service.announce(req);
      // The transport reuses its memory as soon as the call returns.
      req.infoHash.fill(0xee);
      req.peerId.fill(0xee);
      req.ip.fill(0xee);
      const res = await pending;
      assert.equal(res.incomplete >= 1, true, 'the original torrent was announced');
      if (service.store === slow) assert.equal(seen.pop(), before);
    }
    assert.equal(verdicts, 2);
  });

  test('scrape refuses an empty or oversized request', async () => {
    const service = new TrackerService({ maxScrape: 2 });
    await assert.rejects(
      async () => service.scrape({ infoHashes: [], transport: 'http' }),
      (e) => isSeedcastError(e, 'TRACKER_BAD_REQUEST'),
    );
    const three = [1, 2, 3].map((n) => Buffer.alloc(20, n));
    await assert.rejects(
      async () => service.scrape({ infoHashes: three, transport: 'http' }),
      (e) => isSeedcastError(e, 'TRACKER_TOO_LARGE'),
    );
  });

  test('stats give seeders, leechers and completed downloads for the site', async () => {
    const service = new TrackerService();
    const peerId = id20('p');
    await service.announce(announce({ peerId }));
    await service.announce(announce({ peerId, left: 0, event: 'completed' }));
    await service.announce(announce({ ip: v4('10.0.0.2') }));
    const hex = Buffer.alloc(20, 1).toString('hex');
    assert.deepEqual(await service.stats(hex), { seeders: 1, leechers: 1, completed: 1 });
    assert.deepEqual(await service.stats(Buffer.alloc(20, 9)), { seeders: 0, leechers: 0, completed: 0 });
  });

  test('a failing store becomes TRACKER_UNAVAILABLE, and metrics count what happened', async () => {
    const broken: SwarmStore = {
      announce: async () => {
        throw new Error('connection refused');
      },
      scrape: async () => [],
      sweep: async () => 0,
      size: async () => ({ swarms: 0, seeders: 0, leechers: 0 }),
      close: async () => {},
    };
    const service = new TrackerService({ store: broken });
    await assert.rejects(
      async () => service.announce(announce()),
      (e) => isSeedcastError(e, 'TRACKER_UNAVAILABLE'),
    );
    service.recordError('udp', new Error('x'));
    const ok = new TrackerService({ store: new MemoryStore() });
    await ok.announce(announce({ transport: 'udp', event: 'completed', left: 0 }));
    const text = await ok.metricsText();
    assert.match(text, /seedcast_tracker_announces_total\{transport="udp",event="completed"\} 1/);
    assert.match(text, /seedcast_tracker_peers\{state="seeder"\} 1/);
    assert.match(text, /seedcast_tracker_swarms 1/);
    assert.match(
      await service.metricsText(),
      /seedcast_tracker_errors_total\{transport="udp",code="INTERNAL"\} 1/,
    );
  });
});
