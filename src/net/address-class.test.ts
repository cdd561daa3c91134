import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressRange, isPublicAddress } from './address-class.js';

test('public unicast addresses of both families are public', () => {
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::6810:85e5', '[2a00:1450:4007:80e::200e]']) {
    assert.equal(isPublicAddress(a), true, a);
  }
});

test('loopback, private, link-local, CGNAT, multicast, broadcast and unspecified are not public', () => {
  const refused = [
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '[::1]',
  ];
  for (const a of refused) assert.equal(isPublicAddress(a), false, a);
});

test('IPv6 forms that carry an IPv4 address are judged by it', () => {
  assert.equal(addressRange('::ffff:127.0.0.1'), 'loopback');
  assert.equal(addressRange('::ffff:7f00:1'), 'loopback');
  assert.equal(addressRange('64:ff9b::10.0.0.1'), 'private');
  assert.equal(addressRange('2002:c0a8:0101::1'), 'private');
  assert.equal(isPublicAddress('::ffff:8.8.8.8'), true);
});

test('odd spellings of IPv4 are not addresses at all', () => {
  for (const a of ['2130706433', '0x7f.1', '017700000001', '127.1', 'localhost', '', 'example.org']) {
    assert.equal(isPublicAddress(a), false, a);
  }
});
