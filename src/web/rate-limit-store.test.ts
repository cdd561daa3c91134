import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { type RedisServer, redisAvailable, startRedis } from '../../test/helpers/redis.js';
import { ActionLimiter, installActionLimiter, limitAction } from './action-limits.js';
import { installErrorHandlers } from './errors.js';
import { siteLimits } from './limits.js';
import { MemoryRateLimitStore, type RateLimitStore, RedisRateLimitStore } from './rate-limit-store.js';
import { rateLimitStoreContract } from './rate-limit-store-contract.js';

rateLimitStoreContract('memory', async () => {
  const store = new MemoryRateLimitStore();
  return { a: store, b: store, settle: async () => undefined, close: () => store.close() };
});

const available = redisAvailable('the Redis rate-limit store');

describe('the Redis rate-limit store', { skip: !available }, () => {
  let redis: RedisServer;
  let n = 0;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => redis?.stop());
  /** Two nodes' stores on one Redis, under a prefix of their own (each test starts empty). */
  const pair = async () => {
    const prefix = `t${++n}:`;
    const a = await RedisRateLimitStore.connect(redis.url, { prefix });
    const b = await RedisRateLimitStore.connect(redis.url, { prefix });
    return { a, b, prefix };
  };

  rateLimitStoreContract('redis', async () => {
    const { a, b } = await pair();
    return {
      a,
      b,
      settle: async () => {
        await a.settled();
        await b.settled();
      },
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  });

  test('a node that starts late loads the hits other nodes recorded before it', async () => {
    const { a, b, prefix } = await pair();
    const now = Date.now();
    a.add('k', now - 5, 10, 60_000);
    await a.settled();
    const late = await RedisRateLimitStore.connect(redis.url, { prefix });
    late.hits('k', now - 60_000); // the first look starts the load
    for (let i = 0; i < 50 && late.hits('k', now - 60_000).length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([...late.hits('k', now - 60_000)], [now - 5]);
    for (const s of [a, b, late]) await s.close();
  });

  test('an action budget holds across two nodes: what node A allowed counts on node B', async () => {
    const { a, b } = await pair();
    const app = (store: RateLimitStore) => {
      const limits = siteLimits({ actions: { comments: { max: 3, timeWindow: 60_000 } } });
      const f = Fastify();
      installErrorHandlers(f);
      installActionLimiter(f, new ActionLimiter(limits, Date.now, store));
      f.post('/act', async (_request, reply) => {
        limitAction(reply, { action: 'comments' });
        return { ok: true };
      });
      return f;
    };
    const [nodeA, nodeB] = [app(a), app(b)];
    const act = (f: ReturnType<typeof app>) =>
      f.inject({ method: 'POST', url: '/act', remoteAddress: '192.0.2.7' }).then((r) => r.statusCode);
    assert.equal(await act(nodeA), 200);
    assert.equal(await act(nodeA), 200);
    await a.settled();
    await b.settled();
    assert.equal(await act(nodeB), 200, 'the third, on B');
    await b.settled();
    await a.settled();
    assert.equal(await act(nodeA), 429, 'A knows of B`s');
    assert.equal(await act(nodeB), 429, 'B knows of A`s');
    assert.equal(
      (await nodeB.inject({ method: 'POST', url: '/act', remoteAddress: '192.0.2.8' })).statusCode,
      200,
      'another address has its own budget',
    );
    await nodeA.close();
    await nodeB.close();
    await a.close();
    await b.close();
  });
});
