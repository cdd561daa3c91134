import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { bytesToIp, encodeCompactPeers, ipToBytes, parseCompactPeers } from './address.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

describe('compact addresses', () => {
  it('round-trips IPv6 addresses to the form URL parsing normalises them to', () => {
    for (const host of [
      '::1',
      '::',
      '2001:db8::1',
      'fe80::1:2:3:4',
      '1:2:3:4:5:6:7:8',
      '1:0:0:2:0:0:0:3',
      '::ffff:1.2.3.4',
    ]) {
      const bytes = ipToBytes(host);
      assert.equal(bytes.length, 16);
      const normal = new URL(`http://[${host}]/`).hostname.slice(1, -1);
      assert.equal(bytesToIp(bytes), normal.includes('.') ? bytesToIp(ipToBytes(normal)) : normal, host);
      assert.deepEqual(ipToBytes(normal), bytes, host);
    }
    assert.equal(bytesToIp(ipToBytes('127.0.0.1')), '127.0.0.1');
    assert.throws(() => ipToBytes('example.com'), code('WIRE_MALFORMED'));
  });

  it('encodes and decodes compact peers of each family', () => {
    const v4 = encodeCompactPeers([{ host: '1.2.3.4', port: 0x1ae1 }], 6);
    assert.deepEqual([...v4], [1, 2, 3, 4, 0x1a, 0xe1]);
    assert.deepEqual(parseCompactPeers(v4, 6), [{ host: '1.2.3.4', port: 6881 }]);
    const v6 = encodeCompactPeers([{ host: '::1', port: 1 }], 18);
    assert.deepEqual(parseCompactPeers(v6, 18), [{ host: '::1', port: 1 }]);
    assert.throws(() => encodeCompactPeers([{ host: '::1', port: 1 }], 6), code('WIRE_MALFORMED'));
    assert.throws(() => parseCompactPeers(Buffer.alloc(7), 6), code('WIRE_MALFORMED'));
  });
});
