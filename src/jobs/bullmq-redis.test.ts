/** The job queue contract on BullMQ over a real Redis (a queue of its own for each test). */

import { randomBytes } from 'node:crypto';
import { type RedisServer, redisAvailable, startRedis } from '../../test/helpers/redis.js';
import { BullJobQueue } from './bullmq.js';
import { jobQueueContract } from './contract.js';

if (redisAvailable('the job queue contract on BullMQ over Redis')) {
  let server: RedisServer | undefined;
  jobQueueContract('BullMQ on Redis', {
    async setup() {
      server = await startRedis();
    },
    async fresh() {
      const name = `contract-${randomBytes(4).toString('hex')}`;
      return (timings) => BullJobQueue.open({ redis: server!.url }, { ...timings, name });
    },
    async teardown() {
      await server?.stop();
    },
  });
}
