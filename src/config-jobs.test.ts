/**
 * The job queue's settings: one in-process worker on the embedded queue by default, `--jobs` over
 * `SEEDCAST_JOBS`, `SEEDCAST_QUEUE` and `SEEDCAST_JOB_LEASE`, refused when malformed.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig, readJobsConfig } from './config.js';
import { isSeedcastError } from './errors.js';

test('one in-process worker on the embedded queue with a 30 s lease unless configured', () => {
  assert.deepEqual(readJobsConfig({}, {}), { queue: 'embedded', workers: 1, leaseMs: 30_000 });
  assert.deepEqual(readConfig({}, {}).jobs, { queue: 'embedded', workers: 1, leaseMs: 30_000 });
  assert.equal(readJobsConfig({}, { SEEDCAST_JOBS: '4' }).workers, 4);
  assert.equal(readJobsConfig({ jobs: '0' }, { SEEDCAST_JOBS: '4' }).workers, 0);
  assert.equal(readConfig({ jobs: '3' }, {}).jobs.workers, 3);
  assert.equal(readJobsConfig({}, { SEEDCAST_QUEUE: 'BullMQ' }).queue, 'bullmq');
  assert.equal(readJobsConfig({}, { SEEDCAST_JOB_LEASE: '5s' }).leaseMs, 5000);
});

test('bad job settings are usage errors naming the setting', () => {
  const bad: [Parameters<typeof readJobsConfig>[0], Record<string, string>, RegExp][] = [
    [{ jobs: '-1' }, {}, /--jobs/],
    [{ jobs: 'two' }, {}, /--jobs/],
    [{}, { SEEDCAST_JOBS: '65' }, /SEEDCAST_JOBS/],
    [{}, { SEEDCAST_QUEUE: 'pg-boss' }, /SEEDCAST_QUEUE/],
    [{}, { SEEDCAST_JOB_LEASE: 'soon' }, /SEEDCAST_JOB_LEASE/],
    [{}, { SEEDCAST_JOB_LEASE: '200ms' }, /SEEDCAST_JOB_LEASE/],
  ];
  for (const [flags, env, message] of bad)
    assert.throws(
      () => readJobsConfig(flags, env),
      (e) => isSeedcastError(e, 'USAGE') && message.test(e.message),
    );
});
