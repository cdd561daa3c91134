/**
 * The swarm store in C (`native-store.ts`, `native/swarm_store.c`): the shared store contract, the
 * MemoryStore tests that apply to it (transient answers, a flood of info hashes, the peer cap,
 * memory given back), a long random run checked step by step against MemoryStore (the
 * specification), sweeping in slices, bytes per peer, and arguments the binding refuses.
 */

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { AnnounceEvent } from '../service/types.js';
import { runInMemoryContract } from './memory-contract.js';
import { MemoryStore } from './memory-store.js';
import { NativeStore, nativeStoreSupport } from './native-store.js';
import type { StoreAnnounce, StoreAnnounceResult, SwarmStore } from './store.js';
import {
  startedAnnounce as announce,
  entries,
  id20,
  numberedAnnounce,
  runStoreContract,
  v4,
  v6,
} from './store-contract.js';

const support = nativeStoreSupport();
const skip = support.ok ? false : `native swarm store unavailable: ${support.reason}`;
if (!support.ok) {
  if (process.env.CI === 'true') throw new Error(`CI: ${skip}`);
  console.warn(`\n*** SKIPPING native swarm store tests: ${support.reason} ***\n`);
}

describe('native store', { skip }, () => {
  runStoreContract('native', { make: async (limits) => new NativeStore(limits) });
});

/** Entries with their ids, sorted: ids must stay aligned with their addresses. */
function withIds(list: Buffer, ids: Buffer | undefined, size: number): string[] {
  const out: string[] = [];
  for (let i = 0, j = 0; i < list.length; i += size, j += 20) {
    out.push(`${list.subarray(i, i + size).toString('hex')}/${ids?.subarray(j, j + 20).toString('hex')}`);
  }
  return out.sort();
}

function sync(r: ReturnType<SwarmStore['announce']>): StoreAnnounceResult {
  assert.ok(!(r instanceof Promise), 'the native store answers at once');
  return r;
}

runInMemoryContract('native', (options) => new NativeStore(options), { skip });

describe('native store, as MemoryStore', { skip }, () => {
  test('a numwant beyond the first scratch memory still gets every peer', () => {
    const store = new NativeStore();
    const ih = id20('big');
    for (let i = 0; i < 500; i++) {
      store.announce({ ...announce(ih, 1), peerId: id20('a'), ip: v4(`10.1.${i >> 8}.${i & 255}`) });
    }
    const res = sync(store.announce({ ...announce(ih, 1), numwant: 1000, wantPeerIds: true }));
    assert.equal(res.peers.v4.length, 500 * 6);
    assert.equal(res.peers.ids4?.length, 500 * 20);
    assert.equal(new Set(entries(res.peers.v4, 6)).size, 500);
  });

  test('a stopped peer of an unknown swarm creates nothing; completed from an unknown peer adds a seeder, no download', async () => {
    const store = new NativeStore();
    const ih = id20('ih');
    const res = sync(store.announce({ ...announce(ih, 1), event: 'stopped' }));
    assert.deepEqual([res.complete, res.incomplete, res.downloaded], [0, 0, 0]);
    assert.equal((await store.size()).swarms, 0);
    const done = sync(store.announce({ ...announce(ih, 1), event: 'completed', seeder: true }));
    assert.deepEqual([done.complete, done.incomplete, done.downloaded], [1, 0, 0]);
  });

  test('tables of expired peers give their memory back, and new peers take as much again', async () => {
    let now = 1000;
    const store = new NativeStore({ peerTtl: 100 });
    const announceAt = (hash: number, peer: number) => store.announce(numberedAnnounce(hash, peer, now));
    for (let h = 1; h <= 50; h++) for (let p = 0; p < 40; p++) announceAt(h, p);
    const used = store.tableBytes();
    assert.ok(used >= 2000 * 36, `${used} bytes hold 2,000 peers`);
    now += 1000;
    assert.equal(await store.sweep(now), 2000);
    assert.equal(store.tableBytes(), 0, 'every emptied table gave its memory back');
    assert.equal((await store.size()).swarms, 0, 'and the empty swarms are gone');
    for (let h = 51; h <= 100; h++) for (let p = 0; p < 40; p++) announceAt(h, p);
    assert.equal(store.tableBytes(), used);
    assert.equal((await store.size()).leechers, 2000);
    await store.close();
    assert.deepEqual(await store.size(), { swarms: 0, seeders: 0, leechers: 0 });
    assert.equal(store.tableBytes(), 0);
  });
});

/** A small deterministic generator, so a failing run can be replayed. */
function generator(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

describe('native store against MemoryStore', { skip }, () => {
  for (const seed of [1, 2, 3, 4]) {
    test(`20,000 random announces and sweeps answer alike (seed ${seed})`, async () => {
      const limits = { peerTtl: 100, maxPeersPerSwarm: 4, maxSwarms: 6, maxPeers: 18 };
      const js = new MemoryStore(limits);
      const c = new NativeStore(limits);
      const rand = generator(seed * 7919);
      const hashes = Array.from({ length: 9 }, () => id20('h'));
      const peers = Array.from({ length: 14 }, () => id20('peer'));
      const ips = [v4('10.0.0.1'), v4('10.0.0.2'), v4('10.0.0.3'), v6(1), v6(2)];
      const events: AnnounceEvent[] = ['none', 'started', 'completed', 'stopped'];
      let now = 1_700_000_000;
      for (let step = 0; step < 20_000; step++) {
        now += rand(8);
        if (rand(200) === 0) {
          const [a, b] = [await js.sweep(now), await c.sweep(now)];
          assert.equal(b, a, `step ${step}: sweep removed the same peers`);
          continue;
        }
        const seeder = rand(3) === 0;
        const input: StoreAnnounce = {
          infoHash: hashes[rand(hashes.length)]!,
          peerId: peers[rand(peers.length)]!,
          ip: ips[rand(ips.length)]!,
          port: 1 + rand(4),
          key: rand(3),
          seeder,
          seedersToo: seeder && rand(2) === 0,
          event: events[rand(events.length)]!,
          numwant: rand(10) === 0 ? rand(3) : 200,
          wantPeerIds: rand(2) === 0,
          otherFamily: rand(2) === 0,
          now,
          transient: rand(2) === 0,
        };
        const a = sync(js.announce(input));
        const b = sync(c.announce(input));
        const at = `step ${step}`;
        assert.deepEqual(
          [b.complete, b.incomplete, b.downloaded],
          [a.complete, a.incomplete, a.downloaded],
          at,
        );
        if (input.numwant === 200) {
          if (input.wantPeerIds) {
            assert.deepEqual(withIds(b.peers.v4, b.peers.ids4, 6), withIds(a.peers.v4, a.peers.ids4, 6), at);
            assert.deepEqual(
              withIds(b.peers.v6, b.peers.ids6, 18),
              withIds(a.peers.v6, a.peers.ids6, 18),
              at,
            );
          } else {
            assert.deepEqual(entries(b.peers.v4, 6), entries(a.peers.v4, 6), at);
            assert.deepEqual(entries(b.peers.v6, 18), entries(a.peers.v6, 18), at);
          }
        } else {
          assert.equal(b.peers.v4.length, a.peers.v4.length, at);
          assert.equal(b.peers.v6.length, a.peers.v6.length, at);
        }
        if (step % 97 === 0) {
          assert.deepEqual(await c.size(), await js.size(), at);
          assert.deepEqual(await c.scrape(hashes), await js.scrape(hashes), at);
        }
      }
      assert.deepEqual(await c.size(), await js.size());
    });
  }
});

describe('native store sweeping and memory', { skip }, () => {
  test('a sweep of 60,000 swarms runs in slices that let the event loop turn, one sweep at a time', async () => {
    const store = new NativeStore({ peerTtl: 10 });
    for (let i = 0; i < 60_000; i++) store.announce(announce(id20('s'), 100));
    store.announce(announce(id20('young'), 200));
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const both = await Promise.all([store.sweep(205), store.sweep(205)]);
    clearInterval(timer);
    assert.deepEqual(both, [60_000, 0], 'the second sweep ran after the first');
    assert.ok(turns > 0, 'timers ran during the sweep');
    assert.deepEqual(await store.size(), { swarms: 1, seeders: 0, leechers: 1 });
  });

  test('a peer takes fewer bytes of peer table than in MemoryStore (IPv4 under 62, IPv6 under 80)', async () => {
    for (const family of [4, 6]) {
      const stores = [
        new NativeStore({ maxPeersPerSwarm: 1_000_000 }),
        new MemoryStore({ maxPeersPerSwarm: 1_000_000 }),
      ];
      const peerId = Buffer.alloc(20);
      const ip = family === 4 ? Buffer.alloc(4) : Buffer.alloc(16);
      let peers = 0;
      for (let s = 0; s < 100; s++) {
        const infoHash = Buffer.alloc(20, 0);
        infoHash.writeUInt32BE(s);
        // Swarms of many sizes, so tables are caught at every stage of their doubling.
        const n = 1 + ((s * 7919) % 3000);
        for (let p = 0; p < n; p++) {
          peerId.writeUInt32BE(s, 0);
          peerId.writeUInt32BE(p, 4);
          ip.writeUInt32BE(p, 0);
          const input = { ...announce(infoHash, 1), peerId, ip, seeder: p % 4 === 0, numwant: 0 };
          for (const store of stores) store.announce(input);
          peers++;
        }
      }
      const [native, js] = stores as [NativeStore, MemoryStore];
      const perPeer = native.tableBytes() / peers;
      const jsPerPeer = js.tableBytes() / peers;
      console.log(
        `native store, IPv${family}: ${perPeer.toFixed(1)} bytes per peer in tables ` +
          `(MemoryStore ${jsPerPeer.toFixed(1)}), ${(native.memoryBytes() / peers).toFixed(1)} with the ` +
          `swarms and their index (${peers} peers, 100 swarms)`,
      );
      assert.ok(perPeer < jsPerPeer, `${perPeer} bytes per peer, MemoryStore ${jsPerPeer}`);
      assert.ok(perPeer < (family === 4 ? 62 : 80), `${perPeer} bytes per peer`);
      for (const store of stores) await store.close();
    }
  });

  test('a swarm of 70,000 peers crosses to wide index entries and back, finding every peer', async () => {
    const store = new NativeStore({ maxPeersPerSwarm: 1_000_000 });
    const ih = id20('wide');
    const peerId = Buffer.alloc(20, 1);
    const at = (p: number, event: AnnounceEvent) => {
      peerId.writeUInt32BE(p, 0);
      return sync(store.announce({ ...announce(ih, 1), peerId, event, numwant: 0 }));
    };
    for (let p = 0; p < 70_000; p++) at(p, 'started');
    assert.equal(at(0, 'none').incomplete, 70_000);
    for (let p = 0; p < 70_000; p += 7) at(p, 'none');
    assert.equal(at(1, 'none').incomplete, 70_000, 'announcing again found every peer');
    for (let p = 0; p < 65_000; p++) at(p, 'stopped');
    assert.equal(at(69_999, 'none').incomplete, 5000);
    for (let p = 65_000; p < 70_000; p++) at(p, 'none');
    assert.equal(at(65_000, 'none').incomplete, 5000, 'and after shrinking too');
    // Halved while under a quarter full: 16,384 records of 36 bytes with 16-bit entries.
    assert.equal(store.tableBytes(), 16_384 * 40 + 16, 'narrow entries again');
  });
});

describe('native store binding', { skip }, () => {
  test('bad arguments throw clear errors instead of crashing', () => {
    const store = new NativeStore();
    const base = announce(id20('ih'), 1);
    assert.throws(() => store.announce({ ...base, infoHash: Buffer.alloc(19) }), /infoHash must be 20 bytes/);
    assert.throws(() => store.announce({ ...base, peerId: Buffer.alloc(21) }), /peerId must be 20 bytes/);
    assert.throws(() => store.announce({ ...base, ip: Buffer.alloc(6) }), /ip must be 4 or 16 bytes/);
    assert.throws(() => store.announce({ ...base, port: 70_000 }), /port must be an integer/);
    assert.throws(
      () => store.announce({ ...base, infoHash: 'x' as unknown as Buffer }),
      /infoHash must be a Buffer/,
    );
    assert.throws(() => store.announce({ ...base, now: -1 }), /now must be an integer/);
    const native = createRequire(import.meta.url)('../../../build/Release/tracker_native.node') as {
      storeSize(handle: unknown): unknown;
      storeOpen(options: unknown, counts: unknown, scratch: unknown): unknown;
    };
    assert.throws(() => native.storeSize({}), /not a store handle/);
    assert.throws(() => native.storeSize(undefined), /not a store handle/);
    assert.throws(() => native.storeOpen({}, new Uint8Array(8), new ArrayBuffer(64)), /Uint32Array/);
    assert.throws(
      () => native.storeOpen({ maxSwarms: -1 }, new Uint32Array(8), new ArrayBuffer(64)),
      /maxSwarms/,
    );
    assert.throws(() => new NativeStore({ peerTtl: Number.NaN }), RangeError);
    // The store still works.
    const ok = sync(store.announce(base));
    assert.equal(ok.incomplete, 1);
  });
});
