/**
 * The database contract against a real PostgreSQL that the test starts (see test/helpers/postgres.ts).
 */

import { type PostgresServer, postgresAvailable, startPostgres } from '../../test/helpers/postgres.js';
import { dbContract } from './contract.js';

if (postgresAvailable('the PostgreSQL database contract')) {
  let server: PostgresServer | undefined;
  dbContract('PostgreSQL', {
    kind: 'postgres',
    async setup() {
      server = await startPostgres();
    },
    target: () => server!.createDatabase(),
    async teardown() {
      await server?.stop();
    },
  });
}
