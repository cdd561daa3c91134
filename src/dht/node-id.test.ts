import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, nodeIdFor, nodeIdMatches } from './node-id.js';

// BEP 42's test vectors: IP, rand, and the first three bytes and last byte of a valid node id.
const VECTORS: [string, number, string][] = [
  ['124.31.75.21', 1, '5fbfbf'],
  ['21.75.31.124', 86, '5a3ce9'],
  ['65.23.51.170', 22, 'a5d432'],
  ['84.124.73.14', 65, '1b0321'],
  ['43.213.53.83', 90, 'e56f6c'],
];

describe('node ids (BEP 42)', () => {
  it('crc32c is the Castagnoli checksum', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  });

  it('a node id from an address matches BEP 42 test vectors in its first 21 bits and last byte', () => {
    for (const [ip, rand, prefix] of VECTORS) {
      const id = nodeIdFor(ip, rand);
      assert.equal(id.length, 20);
      assert.equal(id.subarray(0, 2).toString('hex'), prefix.slice(0, 4), ip);
      assert.equal(id[2]! & 0xf8, Number.parseInt(prefix.slice(4), 16) & 0xf8, ip);
      assert.equal(id[19], rand);
      assert.ok(nodeIdMatches(id, ip));
    }
  });

  it('an id made for one address does not match another', () => {
    const id = nodeIdFor('124.31.75.21', 1);
    assert.equal(nodeIdMatches(id, '21.75.31.124'), false);
    assert.equal(nodeIdMatches(Buffer.alloc(20), '124.31.75.21'), false);
  });
});
