import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rendezvousOwner } from './node-roster.js';

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
