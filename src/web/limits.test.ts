import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { parseDuration, parseLimits, siteLimits } from './limits.js';

test('a limits spec sets rates, timeouts and caps; names may be singular', () => {
  const spec = parseLimits([
    'comments=30/1h, upload=5/10m,reports=off',
    'failures=3/30s,login-lockout=5/20m,body-timeout=2s,request-timeout=0,connections-per-address=8',
  ]);
  assert.deepEqual(spec.actions, {
    comments: { max: 30, timeWindow: 3_600_000 },
    uploads: { max: 5, timeWindow: 600_000 },
    reports: null,
  });
  assert.deepEqual(spec.failures, { max: 3, timeWindow: 30_000 });
  assert.deepEqual(spec.loginLockout, { max: 5, timeWindow: 1_200_000 });
  assert.deepEqual(spec.timeouts, { body: 2000, request: 0 });
  assert.equal(spec.connectionsPerAddress, 8);
  const limits = siteLimits(spec);
  assert.equal(limits.actions.favourites?.max, 200, 'the other actions keep their defaults');
  assert.equal(limits.timeouts.headers, 30_000);
  assert.deepEqual(parseLimits(['comments=10/h']).actions, { comments: { max: 10, timeWindow: 3_600_000 } });
});

test('a bad limits spec is a usage error naming the limit', () => {
  for (const bad of [
    'comments',
    'comments=lots',
    'comments=0/1h',
    'speed=1/1s',
    'body-timeout=5',
    'headers-timeout=0',
  ]) {
    assert.throws(
      () => parseLimits([bad]),
      (err: unknown) => isSeedcastError(err, 'USAGE'),
      bad,
    );
  }
  assert.equal(parseDuration('90s', 'x'), 90_000);
  assert.equal(parseDuration('0', 'x'), 0);
});
