import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashPassword, verifyPassword } from './passwords.js';

describe('scrypt password hashes', () => {
  test('the default cost is stored with a random salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    assert.notEqual(a, b, 'salted');
    assert.equal(await verifyPassword('correct horse battery staple', a), true);
    assert.equal(await verifyPassword('correct horse battery stapler', a), false);
  });

  test('Unicode is normalised: composed and decomposed forms are the same password', async () => {
    const hash = await hashPassword('caf\u00e9', { N: 1024 });
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
  });

  test('malformed or extravagant stored hashes never verify', async () => {
    const good = await hashPassword('pw', { N: 1024 });
    const parts = good.split('$');
    const variants = [
      '',
      'plain',
      good.replace('scrypt', 'bcrypt'),
      [...parts.slice(0, 5)].join('$'),
      ['scrypt', 2 ** 30, 8, 1, parts[4], parts[5]].join('$'),
      ['scrypt', 1024, 8, 1, parts[4], 'AAAA'].join('$'),
      ['scrypt', 'x', 8, 1, parts[4], parts[5]].join('$'),
    ];
    for (const stored of variants) assert.equal(await verifyPassword('pw', stored), false, stored);
  });
});
