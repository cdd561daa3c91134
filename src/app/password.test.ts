import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAppPassword, hashAppPassword } from './password.js';

describe('the app password', () => {
  it('is kept as a salted scrypt hash and checked', async () => {
    const hash = await hashAppPassword('correct horse');
    assert.match(hash, /^scrypt\$[\w-]{22}\$[\w-]{43}$/);
    assert.ok(!hash.includes('correct'));
    assert.notEqual(await hashAppPassword('correct horse'), hash, 'a new salt each time');
    assert.equal(await checkAppPassword('correct horse', hash), true);
    assert.equal(await checkAppPassword('correct horsE', hash), false);
    assert.equal(await checkAppPassword('', hash), false);
    assert.equal(await checkAppPassword('correct horse', 'plain$x$y'), false);
    assert.equal(await checkAppPassword('correct horse', 'garbage'), false);
  });
});
