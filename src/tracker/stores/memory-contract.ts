/**
 * What both in-memory stores (`MemoryStore`, `NativeStore`) keep beyond the store contract
 * (`store-contract.ts`), run against each by its own test file: transient answers in reused memory,
 * a flood of new info hashes that evicts only itself, and the global peer cap.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MemoryStoreOptions } from './memory-store.js';
import type { StoreAnnounceResult, SwarmStore } from './store.js';
import { startedAnnounce as announce, entries, id20, v4, v6 } from './store-contract.js';

function sync(r: ReturnType<SwarmStore['announce']>): StoreAnnounceResult {
  assert.ok(!(r instanceof Promise), 'an in-memory store answers at once');
  return r;
}

export function runInMemoryContract(
  name: string,
  make: (options?: MemoryStoreOptions) => SwarmStore,
  options: { skip?: string | false } = {},
): void {
  describe(`${name} store, in memory`, { skip: options.skip }, () => {
    test('a transient announce answers in reused memory, with the same peers a copied answer has', () => {
      const store = make();
      const ih = id20('swarm');
      for (let i = 0; i < 30; i++) {
        store.announce({ ...announce(ih, 1), peerId: id20('a'), ip: v4(`10.0.1.${i}`), port: 1000 + i });
      }
      for (let i = 0; i < 3; i++) {
        store.announce({ ...announce(ih, 1), peerId: id20('b'), ip: v6(i + 1), port: 2000 + i });
      }
      const asking = { ...announce(ih, 2), peerId: id20('ask'), numwant: 50, otherFamily: true };
      const copied = sync(store.announce(asking));
      const kept = Buffer.from(copied.peers.v4);
      const first = sync(store.announce({ ...asking, transient: true }));
      const second = sync(store.announce({ ...asking, transient: true }));
      assert.equal(first, second, 'one result object serves every transient announce');
      assert.equal(first.peers.v4.buffer, second.peers.v4.buffer, 'and one address buffer');
      assert.deepEqual(entries(second.peers.v4, 6), entries(kept, 6), 'the same IPv4 peers');
      assert.deepEqual(entries(second.peers.v6, 18), entries(copied.peers.v6, 18), 'the same IPv6 peers');
      assert.equal(second.peers.v4.length, 30 * 6);
      assert.equal(second.peers.v6.length, 3 * 18, "the other family's pick did not overwrite the first");
      assert.deepEqual([second.complete, second.incomplete], [copied.complete, copied.incomplete]);
      assert.deepEqual(copied.peers.v4, kept, 'a copied answer is untouched by later transient ones');
      const withIds = sync(store.announce({ ...asking, transient: true, wantPeerIds: true }));
      assert.notEqual(withIds, first, 'peer ids (HTTP) are always answered in fresh memory');
      assert.equal(withIds.peers.ids4?.length, 30 * 20);
      assert.equal(withIds.peers.ids6?.length, 3 * 20);
    });

    test('a flood of new info hashes evicts itself, not living swarms', async () => {
      const store = make({ maxSwarms: 100 });
      const living = Array.from({ length: 20 }, () => id20('live'));
      for (const ih of living) store.announce(announce(ih, 1));
      for (const ih of living) store.announce(announce(ih, 2));
      for (let i = 0; i < 10_000; i++) store.announce(announce(id20('flood'), 3));
      const size = await store.size();
      assert.ok(size.swarms <= 100, `${size.swarms} swarms kept`);
      assert.ok(size.swarms >= 40, `${size.swarms} swarms kept`);
      const counts = await store.scrape(living, 3);
      assert.ok(
        counts.every((c) => c.incomplete === 2),
        'every living swarm survived the flood',
      );
    });

    test('the peer count never exceeds maxPeers', async () => {
      const store = make({ maxPeers: 10 });
      const ih = id20('ih');
      for (let i = 0; i < 30; i++) store.announce(announce(ih, 1));
      assert.equal((await store.size()).leechers, 10);
    });
  });
}
