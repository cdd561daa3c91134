import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.js';
import { isSeedcastError } from './errors.js';

const SHARED = {
  SEEDCAST_DATABASE_URL: 'postgres://db.internal/seedcast',
  SEEDCAST_STORAGE_URL: 's3://media?endpoint=http://s3.internal',
  SEEDCAST_REDIS_URL: 'redis://redis.internal:6379',
};

test('cluster mode: off without a node id, on with --node-id or SEEDCAST_NODE_ID', () => {
  assert.equal(readConfig({}, SHARED).cluster, undefined);
  assert.deepEqual(readConfig({ nodeId: 'web-1' }, SHARED).cluster, { nodeId: 'web-1', ttlMs: 15_000 });
  assert.deepEqual(
    readConfig({}, { ...SHARED, SEEDCAST_NODE_ID: 'web-2', SEEDCAST_NODE_TTL: '30s' }).cluster,
    {
      nodeId: 'web-2',
      ttlMs: 30_000,
    },
  );
});

test('cluster mode needs PostgreSQL, S3 and Redis, a plain node id and a sane TTL', () => {
  const usage = (err: unknown) => isSeedcastError(err) && err.code === 'USAGE';
  assert.throws(
    () => readConfig({ nodeId: 'web-1' }, {}),
    (err: unknown) => usage(err) && /SEEDCAST_REDIS_URL/.test(String(err)),
  );
  assert.throws(() => readConfig({ nodeId: 'web-1' }, { ...SHARED, SEEDCAST_DATABASE_URL: '' }), usage);
  assert.throws(() => readConfig({ nodeId: 'web 1' }, SHARED), usage);
  assert.throws(() => readConfig({ nodeId: 'web-1' }, { ...SHARED, SEEDCAST_NODE_TTL: '1s' }), usage);
});
