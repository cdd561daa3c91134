/** The job queue contract on the embedded adapter over a real PostgreSQL (`FOR UPDATE SKIP LOCKED`). */

import { type PostgresServer, postgresAvailable, startPostgres } from '../../test/helpers/postgres.js';
import { openDatabase } from '../db/index.js';
import { jobQueueContract } from './contract.js';
import { EmbeddedJobQueue } from './embedded.js';

if (postgresAvailable('the job queue contract on embedded PostgreSQL')) {
  let server: PostgresServer | undefined;
  jobQueueContract('embedded on PostgreSQL', {
    async setup() {
      server = await startPostgres();
    },
    async fresh() {
      const url = await server!.createDatabase();
      return async (timings) =>
        new EmbeddedJobQueue(await openDatabase(url, { poolSize: 4 }), { ...timings, ownsDatabase: true });
    },
    async teardown() {
      await server?.stop();
    },
  });
}
