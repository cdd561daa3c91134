/**
 * The UDP tracker's datagram parser (BEP 15, with BEP 41 URL data), with and without the reused
 * scratch memory of the fast path. Contract: a request whose fields are in range, or a SeedcastError;
 * with and without scratch the result is the same.
 */

import assert from 'node:assert/strict';
import { decodeUdpRequest, udpScratch } from '../../src/net/udp-tracker-codec.js';
import type { FuzzTarget } from '../engine/target.js';

const IP = Buffer.from([198, 51, 100, 7]);

export const target: FuzzTarget = {
  description: 'BEP 15 datagram decoder (connect, announce with BEP 41 options, scrape)',
  cover: ['/src/net/udp-tracker-codec'],
  maxLen: 1600,
  dictionary: [
    '\x00\x00\x04\x17\x27\x10\x19\x80',
    '\x00\x00\x00\x00',
    '\x00\x00\x00\x01',
    '\x00\x00\x00\x02',
    '\x00\x00\x00\x03',
    '\xff\xff\xff\xff',
    '\x02',
    '\x01',
    '\x00',
    '\x02\x05/ann',
    '\x02\xff',
  ],
  make: () => {
    const scratch = udpScratch();
    return (data) => {
      let plain: ReturnType<typeof decodeUdpRequest> | undefined;
      let plainErr: unknown;
      try {
        plain = decodeUdpRequest(data, IP);
      } catch (err) {
        plainErr = err;
      }
      let fast: ReturnType<typeof decodeUdpRequest> | undefined;
      try {
        fast = decodeUdpRequest(data, IP, scratch);
      } catch (err) {
        if (!plainErr) throw err;
      }
      if (plainErr) {
        assert.equal(fast, undefined, 'the scratch decoder accepts what the plain one refuses');
        throw plainErr;
      }
      assert.deepEqual(
        JSON.parse(JSON.stringify(fast)),
        JSON.parse(JSON.stringify(plain)),
        'scratch differs',
      );
      const r = plain!;
      assert.ok(r.transactionId >= 0 && r.transactionId <= 0xffffffff);
      if (r.action === 'announce') {
        const q = r.request;
        assert.ok(q.port > 0 && q.port < 65536);
        for (const n of [q.uploaded, q.downloaded, q.left])
          assert.ok(Number.isSafeInteger(n) && n >= 0, String(n));
        assert.equal(typeof r.urlData, 'string');
      } else if (r.action === 'scrape') {
        assert.ok(r.infoHashes.length >= 1 && r.infoHashes.length <= 74);
        for (const h of r.infoHashes) assert.equal(h.length, 20);
      }
    };
  },
};
