import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { hash20, hashSeed } from './hash20.js';

test('hash20 depends on every byte of the key, and only on the 20 bytes at the offset', () => {
  const key = randomBytes(40);
  const seed = hashSeed();
  const h = hash20(key, 10, seed);
  assert.equal(hash20(Buffer.from(key.subarray(10, 30)), 0, seed), h);
  key[9] = key[9]! ^ 0xff;
  key[30] = key[30]! ^ 0xff;
  assert.equal(hash20(key, 10, seed), h, 'bytes outside the key do not count');
  for (let i = 10; i < 30; i++) {
    for (const bit of [0x01, 0x80]) {
      key[i] = key[i]! ^ bit;
      // Each step is a bijection of the running state, so any changed bit changes the hash.
      assert.notEqual(hash20(key, 10, seed), h, `byte ${i - 10} bit ${bit} changes the hash`);
      key[i] = key[i]! ^ bit;
    }
  }
});

test('keys that share a slot under one seed spread out under another', () => {
  // Keys that all land in slot 0 of a 1,024-slot table under seed 0 (as an attacker could find
  // offline were the hash unseeded) fall into many slots under a random seed.
  const same: Buffer[] = [];
  while (same.length < 64) {
    const k = randomBytes(20);
    if ((hash20(k, 0, 0) & 1023) === 0) same.push(k);
  }
  const seed = hashSeed() | 1;
  const slots = new Set(same.map((k) => hash20(k, 0, seed) & 1023));
  assert.ok(slots.size > 40, `64 keys fell into ${slots.size} slots`);
});
