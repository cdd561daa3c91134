/**
 * What a two-node scenario shares (issue 22): a PostgreSQL database, an S3 store (s3rver) and a
 * redis-server, each on loopback and stopped after the test, with the environment that points a
 * `seedcast serve` node at them, and a web port and a peer port for each of nodes A and B.
 */

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startPostgres } from './postgres.js';
import { startRedis } from './redis.js';
import { startS3 } from './s3.js';
import { freePort } from './tools.js';

export interface ClusterBackends {
  /** SEEDCAST_DATABASE_URL, _STORAGE_URL, _REDIS_URL, and a short node TTL. */
  env: Record<string, string>;
  portA: number;
  portB: number;
  peerA: number;
  peerB: number;
}

/** Start the shared stores (the caller checks `postgresAvailable` and `redisAvailable` first). */
export async function startClusterBackends(t: TestContext): Promise<ClusterBackends> {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  const redis = await startRedis();
  t.after(() => redis.stop());
  const s3 = await startS3();
  t.after(() => s3.stop());
  const env = {
    SEEDCAST_DATABASE_URL: await pg.createDatabase(),
    SEEDCAST_STORAGE_URL: s3.url(),
    SEEDCAST_REDIS_URL: redis.url,
    SEEDCAST_NODE_TTL: '6s',
  };
  const [portA, portB, peerA, peerB] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  return { env, portA, portB, peerA, peerB };
}

/** A JSON call to a node: POST when it carries `json` or a form; fails the test on an error status. */
export async function call(
  base: string,
  path: string,
  init: { json?: unknown; headers?: Record<string, string>; body?: FormData } = {},
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the assertions
): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    ...(init.json !== undefined || init.body ? { method: 'POST' } : {}),
    headers: { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  assert.ok(res.ok, `${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}
