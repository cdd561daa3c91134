/** `seedcast serve`: runs the site until interrupted. */

import { SeedcastError } from '../errors.js';
import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';

export const serve: Command = {
  help: `Usage: seedcast serve [--host H] [--port P] [--data DIR] [--peer-port N] [--public-url URL]
                     [--archive | --no-archive]

Runs the Seedcast site: the API, the tracker (HTTP /announce and UDP on the same port) and a
seeding peer for every item. Prints "listening on http://H:P" once ready.

Options (flags win over the environment):
  --host H           address to listen on (SEEDCAST_HOST, default 127.0.0.1)
  --port P           port for HTTP (SEEDCAST_PORT, default 8080)
  --data DIR         data folder (SEEDCAST_DATA, default ./seedcast-data)
  --peer-port N      port of the seeding BitTorrent peer (SEEDCAST_PEER_PORT, default any free port)
  --public-url URL   the site's public URL, used in torrents and links (SEEDCAST_PUBLIC_URL,
                     default http://H:P)
  --archive          archive torrent-only items: download them through the swarm, keep them in
                     the site's storage and seed them (SEEDCAST_ARCHIVE=1|0, default on)
  --no-archive       only track torrent-only items; their publishers seed them
  -h, --help         show this help

Environment only: SEEDCAST_DATABASE_URL (postgres://...; default SQLite in the data folder),
SEEDCAST_STORAGE_URL (s3://bucket?endpoint=...; default DIR/blobs), SEEDCAST_REDIS_URL (tracker swarms).

Storage limits (environment only; sizes like 64G, durations like 24h):
  SEEDCAST_TORRENT_MAX_BYTES (64G), SEEDCAST_TORRENT_MAX_FILES (10000): torrent-only items
  SEEDCAST_USER_QUOTA (100G, or none): each account's default storage quota (admins: none)
  SEEDCAST_MIN_FREE_BYTES (1G, or e.g. 5%): free space kept on the data folder's disk
  SEEDCAST_ARCHIVE_CONCURRENCY (4), SEEDCAST_ARCHIVE_STALL (24h), SEEDCAST_ARCHIVE_RETRIES (5)`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'peer-port': { type: 'string' },
      'public-url': { type: 'string' },
      archive: { type: 'boolean' },
      'no-archive': { type: 'boolean' },
    });
    if (args.values.archive && args.values['no-archive'])
      throw new SeedcastError('USAGE', 'give --archive or --no-archive, not both');
    const { readConfig } = await import('../config.js');
    const config = readConfig({
      host: stringFlag(args, 'host'),
      port: intFlag(args, 'port'),
      data: stringFlag(args, 'data'),
      peerPort: intFlag(args, 'peer-port'),
      publicUrl: stringFlag(args, 'public-url'),
      archive: args.values['no-archive'] ? false : args.values.archive ? true : undefined,
    });
    const { startServer } = await import('../server.js');
    const server = await startServer(config);
    process.stdout.write(`listening on ${server.url}\n`);
    if (!config.publicUrl && (config.host === '0.0.0.0' || config.host === '::')) {
      process.stderr.write(
        `warning: torrents will name ${server.url} as their tracker and web seed; set --public-url to the address clients use\n`,
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
