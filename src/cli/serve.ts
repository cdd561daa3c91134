/** `seedcast serve`: runs the site until interrupted. */

import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';

export const serve: Command = {
  help: `Usage: seedcast serve [--host H] [--port P] [--data DIR] [--peer-port N] [--public-url URL]

Runs the Seedcast site. Prints "listening on http://H:P" once ready.

Options (flags win over the environment):
  --host H           address to listen on (SEEDCAST_HOST, default 127.0.0.1)
  --port P           port for HTTP (SEEDCAST_PORT, default 8080)
  --data DIR         data folder (SEEDCAST_DATA, default ./seedcast-data)
  --peer-port N      port of the seeding BitTorrent peer
  --public-url URL   the site's public URL (SEEDCAST_PUBLIC_URL)
  -h, --help         show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'peer-port': { type: 'string' },
      'public-url': { type: 'string' },
    });
    const host = stringFlag(args, 'host') ?? process.env.SEEDCAST_HOST ?? '127.0.0.1';
    const port = intFlag(args, 'port') ?? Number(process.env.SEEDCAST_PORT ?? 8080);
    const { startServer } = await import('../server.js');
    const server = await startServer({ host, port });
    process.stdout.write(`listening on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
