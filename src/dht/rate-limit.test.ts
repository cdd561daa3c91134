import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryRateLimit } from './rate-limit.js';

describe('QueryRateLimit', () => {
  it('lets a burst through, then the average rate, per address', () => {
    let now = 0;
    const limit = new QueryRateLimit({ perSecond: 5, burst: 10, blockAfter: 1000, now: () => now });
    let passed = 0;
    for (let i = 0; i < 100; i++) if (limit.allow('198.51.100.1')) passed++;
    assert.equal(passed, 10);
    assert.equal(limit.allow('198.51.100.2'), true, 'another address has its own bucket');
    now += 1000;
    passed = 0;
    for (let i = 0; i < 100; i++) if (limit.allow('198.51.100.1')) passed++;
    assert.equal(passed, 5);
    assert.equal(limit.dropped, 185);
  });

  it('blocks an address that keeps flooding, for a while', () => {
    let now = 0;
    const limit = new QueryRateLimit({
      perSecond: 1,
      burst: 1,
      blockAfter: 5,
      blockMs: 60_000,
      now: () => now,
    });
    for (let i = 0; i < 10; i++) limit.allow('203.0.113.9');
    now += 5000; // its bucket would be full again...
    assert.equal(limit.allow('203.0.113.9'), false, '...but it is blocked');
    now += 60_000;
    assert.equal(limit.allow('203.0.113.9'), true);
  });

  it('caps the queries of everyone together and the addresses it tracks', () => {
    let now = 0;
    const limit = new QueryRateLimit({ globalPerSecond: 50, maxAddresses: 100, now: () => now });
    let passed = 0;
    for (let i = 0; i < 1000; i++) if (limit.allow(`10.0.${i >> 8}.${i & 255}`)) passed++;
    assert.equal(passed, 50);
    assert.ok(limit.size <= 100);
    now += 60_000; // idle addresses are forgotten when room is needed
    assert.equal(limit.allow('192.0.2.1'), true);
    assert.ok(limit.size <= 100);
  });
});
