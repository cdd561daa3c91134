import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runInMemoryContract } from './memory-contract.js';
import { MemoryStore } from './memory-store.js';
import { PeerTable } from './peer-table.js';
import { id20, numberedAnnounce, runStoreContract, v4 } from './store-contract.js';

runStoreContract('memory', { make: async (limits) => new MemoryStore(limits) });

runInMemoryContract('memory', (options) => new MemoryStore(options));

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
    const announceAt = (hash: number, peer: number) => store.announce(numberedAnnounce(hash, peer, now));
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
