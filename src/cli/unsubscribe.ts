/** `seedcast unsubscribe`: stop following a feed (what it brought stays in the library). */

import { unsubscribe as removeSubscription, seedcastHome, updateState } from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';

export const unsubscribe: Command = {
  help: `Usage: seedcast unsubscribe <feed-url>

Stops following a feed: it is no longer polled, its queued downloads are dropped and its torrents
stop seeding. Files already downloaded stay in the library.

Options:
  -h, --help   show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {});
    const [url, ...extra] = args.positionals;
    if (url === undefined) throw new SeedcastError('USAGE', 'give the feed URL');
    if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
    const home = seedcastHome();
    if (!(await updateState(home, (state) => removeSubscription(state, url))))
      throw new SeedcastError('NOT_FOUND', `not subscribed to ${url}`);
    process.stdout.write(`unsubscribed from ${url}\n`);
    return 0;
  },
};
