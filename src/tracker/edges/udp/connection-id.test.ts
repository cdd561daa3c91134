import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionIds } from './connection-id.js';

const A = Buffer.from([10, 0, 0, 1]);
const B = Buffer.from([10, 0, 0, 2]);

test('a connection id is accepted from the same address and port for two to three minutes', () => {
  let now = 1_700_000_000_000;
  const ids = new ConnectionIds({ clock: () => now });
  const id = ids.issue(A, 6881);
  assert.equal(id.length, 8);
  assert.equal(ids.verify(id, A, 6881), true);
  now += 119_000;
  assert.equal(ids.verify(id, A, 6881), true, 'still valid after almost two minutes');
  now += 61_000 + 60_000;
  assert.equal(ids.verify(id, A, 6881), false, 'expired after three minutes');
});

test('a connection id cannot be used from another address or port, or forged without the key', () => {
  const ids = new ConnectionIds();
  const id = ids.issue(A, 6881);
  assert.equal(ids.verify(id, B, 6881), false);
  assert.equal(ids.verify(id, A, 6882), false);
  assert.equal(new ConnectionIds().verify(id, A, 6881), false, 'another key, another id');
  assert.equal(ids.verify(Buffer.alloc(8), A, 6881), false);
  const v6 = Buffer.alloc(16, 7);
  assert.equal(ids.verify(ids.issue(v6, 1), v6, 1), true);
});
