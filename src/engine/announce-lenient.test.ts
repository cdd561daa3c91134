import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHttpResponse } from './announce.js';

describe('HTTP tracker responses (BEP 3, 23)', () => {
  it('reads a response whose keys are out of order and that ends with a newline, as libtorrent does', () => {
    const peers = Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]);
    const body = Buffer.concat([
      Buffer.from('d8:intervali900e5:peers6:'),
      peers,
      Buffer.from('8:completei1e10:incompletei0ee\n'),
    ]);
    const result = parseHttpResponse(body);
    assert.equal(result.interval, 900);
    assert.equal(result.peers.length, 1);
  });
});
