import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashLeaves, nextPowerOfTwo, padHash, reduceInPlace, rootFromPieceLayer } from './merkle.js';

const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const Z = Buffer.alloc(32);

describe('merkle trees (BEP 52)', () => {
  it('pads with zero leaves and the roots of all-zero subtrees', () => {
    assert.deepEqual(padHash(0), Z);
    assert.deepEqual(padHash(1), h(Z, Z));
    assert.deepEqual(padHash(2), h(h(Z, Z), h(Z, Z)));
  });

  it('reduces three leaves in a four-wide layer with one zero leaf', () => {
    const [a, b, c] = [h(Buffer.from('a')), h(Buffer.from('b')), h(Buffer.from('c'))];
    const nodes = Buffer.concat([a, b, c, Buffer.alloc(32 * 5, 0xee)]);
    assert.deepEqual(Buffer.from(reduceInPlace(nodes, 3, 4)), h(h(a, b), h(c, Z)));
  });

  it('pads above a layer with the given subtree level', () => {
    const [a, b, c] = [h(Buffer.from('a')), h(Buffer.from('b')), h(Buffer.from('c'))];
    const nodes = Buffer.concat([a, b, c]);
    const expected = h(h(a, b), h(c, padHash(3)));
    assert.deepEqual(Buffer.from(reduceInPlace(Buffer.from(nodes), 3, 4, 3)), expected);
    assert.deepEqual(rootFromPieceLayer(nodes, 3, 8), expected);
  });

  it('a one-node layer is its own root; an empty layer is the pad root', () => {
    const a = h(Buffer.from('a'));
    assert.deepEqual(Buffer.from(reduceInPlace(Buffer.from(a), 1, 1)), a);
    assert.deepEqual(reduceInPlace(Buffer.alloc(0), 0, 4), padHash(2));
  });

  it('hashes 16 KiB leaves, the last one short', () => {
    const data = Buffer.alloc(16384 + 10, 7);
    const leaves = Buffer.alloc(64);
    assert.equal(hashLeaves(data, leaves), 2);
    assert.deepEqual(leaves.subarray(0, 32), h(data.subarray(0, 16384)));
    assert.deepEqual(leaves.subarray(32), h(data.subarray(16384)));
  });

  it('rounds up to powers of two', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 1000].map(nextPowerOfTwo), [1, 1, 2, 4, 4, 8, 1024]);
  });
});
