import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisAvailable, startRedis } from '../../test/helpers/redis.js';
import { ConnectionIds } from '../tracker/index.js';
import { NodeRoster, rendezvousOwner } from './node-roster.js';

test('rendezvous ownership: every node computes the same owner, spread evenly', () => {
  const nodes = ['node-a', 'node-b', 'node-c'];
  const counts = new Map<string, number>();
  for (let id = 1; id <= 3000; id++) {
    const owner = rendezvousOwner(nodes, id)!;
    assert.equal(rendezvousOwner([...nodes].reverse(), id), owner, 'the order of the roster does not matter');
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  for (const node of nodes) assert.ok((counts.get(node) ?? 0) > 800, `${node}: ${counts.get(node)} of 3000`);
});

test('rendezvous ownership: when a node leaves only its items move', () => {
  const before = ['node-a', 'node-b', 'node-c'];
  const after = ['node-a', 'node-c'];
  for (let id = 1; id <= 1000; id++) {
    const owner = rendezvousOwner(before, id);
    if (owner !== 'node-b') assert.equal(rendezvousOwner(after, id), owner, `item ${id} stays put`);
  }
  assert.equal(rendezvousOwner([], 1), undefined);
});

test('two nodes share one secret: a UDP connection id issued by one is valid on the other', async (t) => {
  if (!redisAvailable('the roster shared secret')) return t.skip('no redis-server');
  const redis = await startRedis();
  t.after(() => redis.stop());
  const a = await NodeRoster.connect(redis.url, { nodeId: 'a', ttlMs: 6_000 });
  const b = await NodeRoster.connect(redis.url, { nodeId: 'b', ttlMs: 6_000 });
  t.after(async () => {
    await a.close();
    await b.close();
  });
  const [ka, kb] = [await a.sharedSecret('udp-connection-ids'), await b.sharedSecret('udp-connection-ids')];
  assert.equal(ka.length, 32);
  assert.ok(ka.equals(kb), 'one secret');
  assert.ok(!ka.equals(await a.sharedSecret('something-else')), 'one secret per name');
  const ip = Buffer.from([192, 0, 2, 9]);
  const id = new ConnectionIds({ key: ka }).issue(ip, 6881);
  assert.ok(new ConnectionIds({ key: kb }).verify(id, ip, 6881), 'connect on A, announce on B');
  await a.beat();
  assert.deepEqual(a.nodes(), ['a', 'b'], 'A sees B once it beats again');
});
