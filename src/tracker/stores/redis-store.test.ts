import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type RedisServer, redisAvailable, startRedis } from '../../../test/helpers/redis.js';
import { RedisStore } from './redis-store.js';
import type { StoreAnnounce } from './store.js';
import { endpoints4, id20, runStoreContract, v4 } from './store-contract.js';

if (redisAvailable('the Redis swarm store tests')) {
  let server: RedisServer;
  const prefix = () => `test:${randomBytes(4).toString('hex')}:`;

  runStoreContract('redis', {
    setup: async () => {
      server = await startRedis();
    },
    make: async (limits) => RedisStore.connect(server.url, { ...limits, prefix: prefix() }),
    teardown: async () => server.stop(),
  });

  describe('redis store sharing', () => {
    let shared: RedisServer;
    before(async () => {
      shared = await startRedis();
    });
    after(async () => shared.stop());

    test('two tracker nodes on one Redis see the same swarm', async () => {
      const p = prefix();
      const a = await RedisStore.connect(shared.url, { prefix: p });
      const b = await RedisStore.connect(shared.url, { prefix: p });
      try {
        const infoHash = id20('ih');
        const base: Omit<StoreAnnounce, 'peerId' | 'ip'> = {
          infoHash,
          port: 6881,
          key: 0,
          seeder: false,
          event: 'started',
          numwant: 50,
          wantPeerIds: false,
          otherFamily: true,
          now: 1000,
        };
        await a.announce({ ...base, peerId: id20('a'), ip: v4('10.1.1.1'), seeder: true });
        const fromB = await b.announce({ ...base, peerId: id20('b'), ip: v4('10.2.2.2') });
        assert.deepEqual(endpoints4(fromB.peers.v4), ['10.1.1.1:6881']);
        assert.deepEqual([fromB.complete, fromB.incomplete], [1, 1]);
        assert.deepEqual(await a.scrape([infoHash]), [{ complete: 1, incomplete: 1, downloaded: 0 }]);
        assert.deepEqual(await a.size(), { swarms: 1, seeders: 1, leechers: 1 });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
