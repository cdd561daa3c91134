import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_QUOTAS, parseBytes, parseDuration, readConfig } from './config.js';
import { isSeedcastError } from './errors.js';

test('storage limits default to 64 GiB / 10,000 files, 100 GiB quotas, 1 GiB free, 4 archives, 24 h stall', () => {
  assert.deepEqual(readConfig({}, {}).quotas, DEFAULT_QUOTAS);
  assert.equal(DEFAULT_QUOTAS.torrentMaxBytes, 64 * 1024 ** 3);
  assert.equal(DEFAULT_QUOTAS.archiveStallMs, 86_400_000);
});

test('storage limits are read from SEEDCAST_* variables, with units', () => {
  const q = readConfig(
    {},
    {
      SEEDCAST_TORRENT_MAX_BYTES: '2G',
      SEEDCAST_TORRENT_MAX_FILES: '50',
      SEEDCAST_USER_QUOTA: 'none',
      SEEDCAST_MIN_FREE_BYTES: '5%',
      SEEDCAST_ARCHIVE_CONCURRENCY: '2',
      SEEDCAST_ARCHIVE_STALL: '90s',
      SEEDCAST_ARCHIVE_RETRIES: '0',
    },
  ).quotas;
  assert.deepEqual(q, {
    torrentMaxBytes: 2 * 1024 ** 3,
    torrentMaxFiles: 50,
    userQuota: null,
    minFreeBytes: 0,
    minFreeRatio: 0.05,
    archiveConcurrency: 2,
    archiveStallMs: 90_000,
    archiveRetries: 0,
  });
  assert.equal(parseBytes('x', '1.5 MiB'), 1.5 * 1024 ** 2);
  assert.equal(parseBytes('x', '1073741824'), 1024 ** 3);
  assert.equal(parseDuration('x', '1500ms'), 1500);
  assert.equal(parseDuration('x', '3600'), 3_600_000);
});

test('a bad storage limit is a USAGE error naming the variable', () => {
  for (const [name, value] of [
    ['SEEDCAST_USER_QUOTA', 'lots'],
    ['SEEDCAST_TORRENT_MAX_BYTES', '-1'],
    ['SEEDCAST_MIN_FREE_BYTES', '150%'],
    ['SEEDCAST_ARCHIVE_CONCURRENCY', '0'],
    ['SEEDCAST_ARCHIVE_STALL', 'soon'],
  ]) {
    assert.throws(
      () => readConfig({}, { [name!]: value }),
      (err) => isSeedcastError(err, 'USAGE') && err.message.includes(name!),
      `${name}=${value}`,
    );
  }
});
