/** Fixity settings from the environment: defaults, durations and sizes, and refusals of bad values. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.js';
import { FIXITY_DEFAULTS, readFixityConfig } from './config-fixity.js';
import { isSeedcastError } from './errors.js';

test('fixity: on, every 30 days, 8 MiB/s by default; the environment changes each', () => {
  assert.deepEqual(readFixityConfig({}), FIXITY_DEFAULTS);
  assert.deepEqual(readConfig({}, {}).fixity, FIXITY_DEFAULTS);
  assert.deepEqual(
    readFixityConfig({ SEEDCAST_FIXITY: 'off', SEEDCAST_FIXITY_PERIOD: '7d', SEEDCAST_FIXITY_RATE: '50M/s' }),
    { enabled: false, periodMs: 7 * 86_400_000, bytesPerSecond: 50 * 1024 * 1024 },
  );
  assert.equal(readFixityConfig({ SEEDCAST_FIXITY_RATE: '0' }).bytesPerSecond, 0);
});

test('fixity: a bad switch, duration or rate is a usage error', () => {
  for (const env of [
    { SEEDCAST_FIXITY: 'maybe' },
    { SEEDCAST_FIXITY_PERIOD: 'monthly' },
    { SEEDCAST_FIXITY_PERIOD: '30s' },
    { SEEDCAST_FIXITY_RATE: 'fast' },
  ])
    assert.throws(
      () => readFixityConfig(env),
      (err) => isSeedcastError(err, 'USAGE'),
      JSON.stringify(env),
    );
});
