import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore } from './memory-store.js';
import { PeerTable } from './peer-table.js';
import { startedAnnounce as announce, entries, id20, runStoreContract, v4, v6 } from './store-contract.js';

runStoreContract('memory', { make: async (limits) => new MemoryStore(limits) });

describe('memory store', () => {
  test('a transient announce answers in reused memory, with the same peers a copied answer has', () => {
    const store = new MemoryStore();
    const ih = id20('swarm');
    for (let i = 0; i < 30; i++) {
      store.announce({ ...announce(ih, 1), peerId: id20('a'), ip: v4(`10.0.1.${i}`), port: 1000 + i });
    }
    for (let i = 0; i < 3; i++) {
      store.announce({ ...announce(ih, 1), peerId: id20('b'), ip: v6(i + 1), port: 2000 + i });
    }
    const asking = { ...announce(ih, 2), peerId: id20('ask'), numwant: 50, otherFamily: true };
    const copied = store.announce(asking);
    assert.ok(!(copied instanceof Promise));
    const kept = Buffer.from(copied.peers.v4);
    const first = store.announce({ ...asking, transient: true });
    const second = store.announce({ ...asking, transient: true });
    assert.ok(!(first instanceof Promise) && !(second instanceof Promise));
    assert.equal(first, second, 'one result object serves every transient announce');
    assert.equal(first.peers.v4.buffer, second.peers.v4.buffer, 'and one address buffer');
    assert.deepEqual(entries(second.peers.v4, 6), entries(kept, 6), 'the same IPv4 peers');
    assert.deepEqual(entries(second.peers.v6, 18), entries(copied.peers.v6, 18), 'the same IPv6 peers');
    assert.equal(second.peers.v4.length, 30 * 6);
    assert.equal(second.peers.v6.length, 3 * 18, "the other family's pick did not overwrite the first");
    assert.deepEqual([second.complete, second.incomplete], [copied.complete, copied.incomplete]);
    assert.deepEqual(copied.peers.v4, kept, 'a copied answer is untouched by later transient ones');
    const withIds = store.announce({ ...asking, transient: true, wantPeerIds: true });
    assert.ok(!(withIds instanceof Promise));
    assert.notEqual(withIds, first, 'peer ids (HTTP) are always answered in fresh memory');
    assert.equal(withIds.peers.ids4?.length, 30 * 20);
  });

  test('a flood of new info hashes evicts itself, not living swarms', async () => {
    const store = new MemoryStore({ maxSwarms: 100 });
    const living = Array.from({ length: 20 }, () => id20('live'));
    for (const ih of living) store.announce(announce(ih, 1));
    for (const ih of living) store.announce(announce(ih, 2));
    for (let i = 0; i < 10_000; i++) store.announce(announce(id20('flood'), 3));
    const size = await store.size();
    assert.ok(size.swarms <= 100, `${size.swarms} swarms kept`);
    assert.ok(size.swarms >= 40, `${size.swarms} swarms kept`);
    const counts = await store.scrape(living);
    assert.ok(
      counts.every((c) => c.incomplete === 2),
      'every living swarm survived the flood',
    );
  });

  test('the peer count never exceeds maxPeers', async () => {
    const store = new MemoryStore({ maxPeers: 10 });
    const ih = id20('ih');
    for (let i = 0; i < 30; i++) store.announce(announce(ih, 1));
    assert.equal((await store.size()).leechers, 10);
  });
});

describe('peer table', () => {
  test('agrees with a Map under thousands of random inserts, updates and removals', () => {
    const table = new PeerTable(4);
    const model = new Map<string, { port: number; seeder: boolean }>();
    const ids: Buffer[] = [];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const op = rand(10);
      if (op < 5 || ids.length === 0) {
        const id = id20('t');
        // some ids share their first 19 bytes, so the index sees collisions
        if (ids.length > 0 && rand(4) === 0) id[19] = (ids[ids.length - 1]![19]! + 1) & 0xff;
        if (table.find(id) >= 0) continue;
        const port = rand(65535) + 1;
        const seeder = rand(2) === 0;
        table.insert(id, v4('1.2.3.4'), port, seeder, 0, step);
        model.set(id.toString('latin1'), { port, seeder });
        ids.push(id);
      } else {
        const i = rand(ids.length);
        const id = ids[i]!;
        const r = table.find(id);
        assert.ok(r >= 0);
        if (op < 8) {
          table.remove(r);
          model.delete(id.toString('latin1'));
          ids.splice(i, 1);
        } else {
          const port = rand(65535) + 1;
          table.update(r, v4('1.2.3.4'), port, true, 0, step);
          model.set(id.toString('latin1'), { port, seeder: true });
        }
      }
      assert.equal(table.count, model.size);
    }
    let seeders = 0;
    for (const [key, value] of model) {
      const r = table.find(Buffer.from(key, 'latin1'));
      assert.ok(r >= 0, 'every live id is found');
      assert.equal(table.isSeeder(r), value.seeder);
      if (value.seeder) seeders++;
    }
    assert.equal(table.seeders, seeders);
    const out = Buffer.alloc(model.size * 6);
    assert.equal(table.pick(out, 0, { max: model.size, exclude: -1, skipSeeders: false }), model.size);
    const ports = new Set<number>();
    for (let i = 0; i < out.length; i += 6) ports.add(out.readUInt16BE(i + 4));
    assert.deepEqual(ports, new Set([...model.values()].map((v) => v.port)));
  });
});

describe('peer table expiry', () => {
  const id = (n: number) => Buffer.from(`-XX0001-${String(n).padStart(12, '0')}`, 'latin1');
  const ip = Buffer.from([10, 0, 0, 1]);

  test('expire removes exactly the peers seen before the cutoff, however the oldest moved', () => {
    const table = new PeerTable(4);
    table.insert(id(1), ip, 1001, false, 0, 100);
    table.insert(id(2), ip, 1002, false, 0, 200);
    assert.equal(table.expire(50), 0, 'nothing older than 50');
    assert.equal(table.expire(150), 1);
    assert.equal(table.find(id(1)), -1);
    assert.notEqual(table.find(id(2)), -1);
    // A peer written with an older time than any kept one must still expire on time.
    table.insert(id(3), ip, 1003, false, 0, 120);
    assert.equal(table.expire(150), 1);
    assert.equal(table.find(id(3)), -1);
    // An update makes a peer young again: the next sweep keeps it.
    table.update(table.find(id(2)), ip, 1002, true, 0, 400);
    assert.equal(table.expire(300), 0);
    assert.equal(table.count, 1);
    assert.equal(table.expire(500), 1);
    assert.equal(table.count, 0);
    table.insert(id(4), ip, 1004, false, 0, 10);
    assert.equal(table.expire(11), 1, 'an emptied table starts over');
  });
});

describe('memory store memory', () => {
  test('tables of expired peers give their memory back, and new peers reuse it', async () => {
    let now = 1000;
    const store = new MemoryStore({ peerTtl: 100 });
    const announceAt = (hash: number, peer: number) =>
      store.announce({
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
      });
    for (let h = 1; h <= 50; h++) for (let p = 0; p < 40; p++) announceAt(h, p);
    const slab = (store as unknown as { slab: { chunkBytes: number; usedBytes(): number } }).slab;
    const chunks = slab.chunkBytes;
    const used = slab.usedBytes();
    assert.ok(used >= 2000 * 36, `${used} bytes hold 2,000 peers`);
    now += 1000;
    assert.equal(await store.sweep(now), 2000);
    assert.equal(slab.usedBytes(), 0, 'every emptied table gave its memory back');
    for (let h = 51; h <= 100; h++) for (let p = 0; p < 40; p++) announceAt(h, p);
    assert.equal(slab.chunkBytes, chunks, 'the new swarms live in the memory the old ones left');
    assert.equal(slab.usedBytes(), used);
    assert.equal((await store.size()).leechers, 2000);
  });
});
