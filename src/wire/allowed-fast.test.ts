import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedFastSet } from './allowed-fast.js';

// Test vectors from BEP 6: info hash of twenty 0xAA bytes, peer 80.4.4.200, 1313 pieces.
const infoHash = Buffer.alloc(20, 0xaa);

describe('allowed-fast set', () => {
  it('matches the BEP 6 vector for k = 7', () => {
    assert.deepEqual(
      allowedFastSet('80.4.4.200', infoHash, { pieceCount: 1313, count: 7 }),
      [1059, 431, 808, 1217, 287, 376, 1188],
    );
  });

  it('matches the BEP 6 vector for k = 9', () => {
    assert.deepEqual(
      allowedFastSet('80.4.4.200', infoHash, { pieceCount: 1313, count: 9 }),
      [1059, 431, 808, 1217, 287, 376, 1188, 353, 508],
    );
  });

  it('ignores the last octet of the address, as the spec masks it', () => {
    assert.deepEqual(
      allowedFastSet('80.4.4.1', infoHash, { pieceCount: 1313, count: 7 }),
      allowedFastSet('80.4.4.200', infoHash, { pieceCount: 1313, count: 7 }),
    );
  });

  it('stops at the piece count for tiny torrents and is empty for IPv6', () => {
    const all = allowedFastSet('10.0.0.1', infoHash, { pieceCount: 3, count: 10 });
    assert.deepEqual([...all].sort(), [0, 1, 2]);
    assert.deepEqual(allowedFastSet('2001:db8::1', infoHash, { pieceCount: 100 }), []);
  });
});
