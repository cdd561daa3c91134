/**
 * The one contract suite every `SwarmStore` adapter passes (run by `memory-store.test.ts` and
 * `redis-store.test.ts`). It states the store semantics documented in `store.ts` as tests: counts,
 * peer selection, `stopped`, `completed`, expiry, per-swarm caps, key ownership and both address
 * families (compact forms of BEP 23 and BEP 7).
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StoreAnnounce, StoreLimits, SwarmStore } from './store.js';

export interface StoreFactory {
  /** A fresh, empty store with these limits. */
  make(limits: StoreLimits): Promise<SwarmStore>;
  /** Runs once before the suite (e.g. starts a server). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

let counter = 0;

/** A fresh random-looking 20-byte id with a readable prefix. */
export function id20(prefix: string): Buffer {
  const b = Buffer.alloc(20);
  b.write(`${prefix}-${++counter}-${Math.random().toString(36).slice(2)}`, 'latin1');
  return b;
}

export function v4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

export function v6(last: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x20;
  b[1] = 0x01;
  b[2] = 0x0d;
  b[3] = 0xb8;
  b[15] = last;
  return b;
}

const NOW = 1_700_000_000;

function req(over: Partial<StoreAnnounce> & { infoHash: Buffer }): StoreAnnounce {
  return {
    peerId: id20('peer'),
    ip: v4('10.0.0.1'),
    port: 6881,
    key: 0,
    seeder: false,
    event: 'started',
    numwant: 50,
    wantPeerIds: false,
    otherFamily: true,
    now: NOW,
    ...over,
  };
}

/** Splits a compact IPv4 list into "a.b.c.d:port" strings. */
/** A started IPv4 leecher announce of a fresh peer to `infoHash` at `now` (10 peers wanted). */
export function startedAnnounce(infoHash: Buffer, now: number): StoreAnnounce {
  return {
    infoHash,
    peerId: id20('p'),
    ip: v4('10.0.0.1'),
    port: 1,
    key: 0,
    seeder: false,
    event: 'started',
    numwant: 10,
    wantPeerIds: false,
    otherFamily: true,
    now,
  };
}

/** Peer number `peer` (IPv4 10.0.0.1, port 1000 + peer) announcing to the swarm of byte `hash` at `now`. */
export function numberedAnnounce(hash: number, peer: number, now: number): StoreAnnounce {
  return {
    infoHash: Buffer.alloc(20, hash),
    peerId: id20(`p${peer}`),
    ip: v4('10.0.0.1'),
    port: 1000 + peer,
    key: 0,
    seeder: false,
    event: 'started',
    numwant: 0,
    wantPeerIds: false,
    otherFamily: false,
    now,
  };
}

/** The 6- or 18-byte entries of a compact peer list, sorted (picks start at a random peer). */
export function entries(list: Buffer, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.subarray(i, i + size).toString('hex'));
  return out.sort();
}

export function endpoints4(list: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= list.length; i += 6) {
    out.push(`${list[i]}.${list[i + 1]}.${list[i + 2]}.${list[i + 3]}:${list.readUInt16BE(i + 4)}`);
  }
  return out;
}

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`swarm store contract: ${name}`, () => {
    const stores: SwarmStore[] = [];
    async function fresh(limits: StoreLimits = {}): Promise<SwarmStore> {
      const s = await factory.make(limits);
      stores.push(s);
      return s;
    }
    before(async () => factory.setup?.());
    after(async () => {
      for (const s of stores) await s.close();
      await factory.teardown?.();
    });

    test('a first announce counts one leecher and returns no peers', async () => {
      const store = await fresh();
      const ih = id20('ih');
      const res = await store.announce(req({ infoHash: ih }));
      assert.deepEqual([res.complete, res.incomplete, res.downloaded], [0, 1, 0]);
      assert.equal(res.peers.v4.length, 0);
      assert.deepEqual(await store.scrape([ih], NOW), [{ complete: 0, incomplete: 1, downloaded: 0 }]);
    });

    test('a second peer gets the first one as compact IPv4, never itself', async () => {
      const store = await fresh();
      const ih = id20('ih');
      await store.announce(req({ infoHash: ih, ip: v4('10.0.0.1'), port: 1111 }));
      const res = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.2'), port: 2222 }));
      assert.deepEqual(endpoints4(res.peers.v4), ['10.0.0.1:1111']);
      assert.equal(res.incomplete, 2);
    });

    test('announcing again updates the peer instead of adding one', async () => {
      const store = await fresh();
      const ih = id20('ih');
      const peerId = id20('p');
      await store.announce(req({ infoHash: ih, peerId }));
      const res = await store.announce(
        req({ infoHash: ih, peerId, seeder: true, event: 'none', port: 7000 }),
      );
      assert.deepEqual([res.complete, res.incomplete], [1, 0]);
      const other = await store.announce(req({ infoHash: ih }));
      assert.deepEqual(endpoints4(other.peers.v4), ['10.0.0.1:7000']);
    });

    test('seeders are given leechers only', async () => {
      const store = await fresh();
      const ih = id20('ih');
      await store.announce(req({ infoHash: ih, ip: v4('10.0.0.1'), seeder: true }));
      await store.announce(req({ infoHash: ih, ip: v4('10.0.0.2'), seeder: false }));
      const res = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.3'), seeder: true }));
      assert.deepEqual(endpoints4(res.peers.v4), ['10.0.0.2:6881']);
      const leecher = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.4') }));
      assert.equal(endpoints4(leecher.peers.v4).length, 3);
    });

    test('a seeder that asks for seeders too gets seeders and leechers', async () => {
      const store = await fresh();
      const ih = id20('ih');
      await store.announce(req({ infoHash: ih, ip: v4('10.0.0.1'), seeder: true }));
      await store.announce(req({ infoHash: ih, ip: v4('10.0.0.2'), seeder: false }));
      const res = await store.announce(
        req({ infoHash: ih, ip: v4('10.0.0.3'), seeder: true, seedersToo: true }),
      );
      assert.deepEqual(endpoints4(res.peers.v4).sort(), ['10.0.0.1:6881', '10.0.0.2:6881']);
      assert.deepEqual([res.complete, res.incomplete], [2, 1]);
    });

    test('numwant limits the peers returned', async () => {
      const store = await fresh();
      const ih = id20('ih');
      for (let i = 1; i <= 10; i++) await store.announce(req({ infoHash: ih, ip: v4(`10.0.1.${i}`) }));
      const res = await store.announce(req({ infoHash: ih, numwant: 4 }));
      assert.equal(res.peers.v4.length, 4 * 6);
      assert.equal(new Set(endpoints4(res.peers.v4)).size, 4);
      const none = await store.announce(req({ infoHash: ih, numwant: 0 }));
      assert.equal(none.peers.v4.length, 0);
    });

    test('stopped removes the peer and returns no peers', async () => {
      const store = await fresh();
      const ih = id20('ih');
      const peerId = id20('p');
      await store.announce(req({ infoHash: ih, ip: v4('10.0.0.9') }));
      await store.announce(req({ infoHash: ih, peerId }));
      const res = await store.announce(req({ infoHash: ih, peerId, event: 'stopped' }));
      assert.equal(res.peers.v4.length, 0);
      assert.equal(res.incomplete, 1);
      const stoppedUnknown = await store.announce(req({ infoHash: id20('ih'), event: 'stopped' }));
      assert.deepEqual([stoppedUnknown.complete, stoppedUnknown.incomplete], [0, 0]);
    });

    test('completed counts a download once per peer', async () => {
      const store = await fresh();
      const ih = id20('ih');
      const peerId = id20('p');
      await store.announce(req({ infoHash: ih, peerId }));
      await store.announce(req({ infoHash: ih, peerId, event: 'completed', seeder: true }));
      const res = await store.announce(req({ infoHash: ih, peerId, event: 'completed', seeder: true }));
      assert.deepEqual([res.complete, res.incomplete, res.downloaded], [1, 0, 1]);
      // The same client's `completed` and `stopped` through one tracker URL, then its `completed`
      // through another URL of the same tracker: still one download.
      await store.announce(req({ infoHash: ih, peerId, event: 'stopped', seeder: true }));
      const late = await store.announce(req({ infoHash: ih, peerId, event: 'completed', seeder: true }));
      assert.deepEqual([late.complete, late.downloaded], [1, 1]);
    });

    test('peers that stop announcing expire', async () => {
      const store = await fresh({ peerTtl: 100 });
      const ih = id20('ih');
      await store.announce(req({ infoHash: ih, now: NOW }));
      await store.announce(req({ infoHash: ih, now: NOW + 60 }));
      assert.equal((await store.scrape([ih], NOW + 60))[0]!.incomplete, 2);
      const removed = await store.sweep(NOW + 150);
      assert.equal(removed, 1);
      assert.equal((await store.scrape([ih], NOW + 150))[0]!.incomplete, 1);
      const late = await store.announce(req({ infoHash: ih, now: NOW + 300 }));
      assert.equal(late.peers.v4.length, 0, 'an expired peer is never handed out');
    });

    test('before any sweep, a peer past its time is not handed out and a live one is', async () => {
      const store = await fresh({ peerTtl: 100 });
      const ih = id20('ih');
      const ask = id20('ask');
      await store.announce(req({ infoHash: ih, peerId: id20('old'), ip: v4('10.0.3.1'), now: NOW }));
      await store.announce(req({ infoHash: ih, peerId: id20('live'), ip: v4('10.0.3.2'), now: NOW + 80 }));
      const first = await store.announce(
        req({ infoHash: ih, peerId: ask, ip: v4('10.0.3.3'), now: NOW + 90 }),
      );
      assert.deepEqual(endpoints4(first.peers.v4).sort(), ['10.0.3.1:6881', '10.0.3.2:6881']);
      const later = await store.announce(
        req({ infoHash: ih, peerId: ask, ip: v4('10.0.3.3'), now: NOW + 150 }),
      );
      assert.deepEqual(endpoints4(later.peers.v4), ['10.0.3.2:6881']);
    });

    test('a swarm holds at most maxPeersPerSwarm peers, and still answers', async () => {
      const store = await fresh({ maxPeersPerSwarm: 3 });
      const ih = id20('ih');
      for (let i = 1; i <= 5; i++) await store.announce(req({ infoHash: ih, ip: v4(`10.0.2.${i}`) }));
      const res = await store.announce(req({ infoHash: ih }));
      assert.equal(res.incomplete, 3);
      assert.equal(res.peers.v4.length, 3 * 6);
    });

    test('another address cannot stop or move a peer without its key', async () => {
      const store = await fresh();
      const ih = id20('ih');
      const peerId = id20('p');
      await store.announce(req({ infoHash: ih, peerId, ip: v4('10.0.0.1'), key: 1234 }));
      await store.announce(req({ infoHash: ih, peerId, ip: v4('10.6.6.6'), key: 99, event: 'stopped' }));
      await store.announce(req({ infoHash: ih, peerId, ip: v4('10.6.6.6'), key: 0, port: 1 }));
      const seen = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.2') }));
      assert.deepEqual(endpoints4(seen.peers.v4), ['10.0.0.1:6881']);
      await store.announce(req({ infoHash: ih, peerId, ip: v4('10.0.0.7'), key: 1234, port: 7 }));
      const moved = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.3') }));
      assert.ok(endpoints4(moved.peers.v4).includes('10.0.0.7:7'));
    });

    test('IPv6 peers come back as 18-byte entries, and fill in for IPv4 requesters', async () => {
      const store = await fresh();
      const ih = id20('ih');
      await store.announce(req({ infoHash: ih, ip: v6(1), port: 0x1234 }));
      const six = await store.announce(req({ infoHash: ih, ip: v6(2) }));
      assert.equal(six.peers.v6.length, 18);
      assert.deepEqual([...six.peers.v6.subarray(0, 16)], [...v6(1)]);
      assert.equal(six.peers.v6.readUInt16BE(16), 0x1234);
      const four = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.1') }));
      assert.equal(four.peers.v4.length, 0);
      assert.equal(four.peers.v6.length, 36);
      const only = await store.announce(req({ infoHash: ih, ip: v4('10.0.0.2'), otherFamily: false }));
      assert.deepEqual([only.peers.v4.length, only.peers.v6.length], [6, 0]);
      assert.equal(only.incomplete, 4);
    });

    test('peer ids come back aligned with their addresses when asked for', async () => {
      const store = await fresh();
      const ih = id20('ih');
      const a = id20('a');
      await store.announce(req({ infoHash: ih, peerId: a, ip: v4('10.0.0.5'), port: 555 }));
      const res = await store.announce(req({ infoHash: ih, wantPeerIds: true }));
      assert.deepEqual(endpoints4(res.peers.v4), ['10.0.0.5:555']);
      assert.deepEqual(res.peers.ids4, a);
    });

    test('swarms are separate, scrape answers in order, unknown swarms are zero', async () => {
      const store = await fresh();
      const [x, y, z] = [id20('x'), id20('y'), id20('z')];
      await store.announce(req({ infoHash: x, seeder: true }));
      await store.announce(req({ infoHash: y }));
      await store.announce(req({ infoHash: y }));
      const counts = await store.scrape([y, z, x], NOW);
      assert.deepEqual(
        counts.map((c) => [c.complete, c.incomplete]),
        [
          [0, 2],
          [0, 0],
          [1, 0],
        ],
      );
      const size = await store.size();
      assert.deepEqual(size, { swarms: 2, seeders: 1, leechers: 2 });
    });
  });
}
