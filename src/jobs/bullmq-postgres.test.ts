/** The job queue contract on BullMQ over a real PostgreSQL (BullMQ's own schema in the site's database). */

import { type PostgresServer, postgresAvailable, startPostgres } from '../../test/helpers/postgres.js';
import { BullJobQueue } from './bullmq.js';
import { jobQueueContract } from './contract.js';

if (postgresAvailable('the job queue contract on BullMQ over PostgreSQL')) {
  let server: PostgresServer | undefined;
  jobQueueContract('BullMQ on PostgreSQL', {
    async setup() {
      server = await startPostgres();
    },
    async fresh() {
      const url = await server!.createDatabase();
      return (timings) => BullJobQueue.open({ postgres: url }, { ...timings, name: 'contract' });
    },
    async teardown() {
      await server?.stop();
    },
  });
}
