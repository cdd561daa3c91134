import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trustedProxies } from './server-guards.js';

test('the connection cap skips trusted proxies only', () => {
  const off = trustedProxies(false);
  assert.equal(off('127.0.0.1'), false, 'no proxy trusted: loopback is capped like anyone');
  const hops = trustedProxies(1);
  assert.equal(hops('127.0.0.1'), true);
  assert.equal(hops('::1'), true);
  assert.equal(hops('::ffff:127.0.0.1'), true);
  assert.equal(hops('203.0.113.4'), false);
  const listed = trustedProxies(['10.1.0.0/16', '192.0.2.7', 'fd00::/8']);
  assert.equal(listed('10.1.200.3'), true);
  assert.equal(listed('10.2.0.1'), false);
  assert.equal(listed('192.0.2.7'), true);
  assert.equal(listed('fd12::1'), true);
  assert.equal(trustedProxies('192.0.2.7, 198.51.100.0/24')('198.51.100.9'), true);
});
