/** `seedcast subscribe`: follow a feed (or every feed of an OPML file) with the aggregator. */

import { readFile } from 'node:fs/promises';
import {
  subscribe as addSubscription,
  importOpml,
  loadState,
  saveState,
  seedcastHome,
} from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';
import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';

export const subscribe: Command = {
  help: `Usage: seedcast subscribe <feed-url> [options]
       seedcast subscribe --opml FILE [options]

Follows a podcast or video feed (RSS 2.0, Atom, JSON Feed). The next 'seedcast sync' fetches its
newest items: over BitTorrent when the feed offers a torrent or magnet link, over HTTP otherwise.
Subscribing again to the same URL changes its options. State lives in $SEEDCAST_HOME (default
~/.seedcast).

Options:
  --opml FILE       import every feed of an OPML file (as exported by podcast apps or 'feeds --opml')
  --recent N        how many of the newest items the first sync fetches (default 3; 0: only new ones)
  --keep N          keep only the newest N downloads of this feed, deleting older ones (default 0: all)
  --no-download     only record new items; do not download them
  -h, --help        show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      opml: { type: 'string' },
      recent: { type: 'string' },
      keep: { type: 'string' },
      'no-download': { type: 'boolean' },
    });
    const opml = stringFlag(args, 'opml');
    const [url, ...extra] = args.positionals;
    if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
    if ((url === undefined) === (opml === undefined))
      throw new SeedcastError('USAGE', 'give one feed URL, or --opml FILE');
    const options = {
      ...(intFlag(args, 'recent') !== undefined ? { recent: intFlag(args, 'recent')! } : {}),
      ...(intFlag(args, 'keep') !== undefined ? { keepLast: intFlag(args, 'keep')! } : {}),
      ...(args.values['no-download'] === true ? { autoDownload: false } : {}),
    };
    const home = seedcastHome();
    const state = await loadState(home);
    if (opml !== undefined) {
      let bytes: Buffer;
      try {
        bytes = await readFile(opml);
      } catch (err) {
        throw new SeedcastError('NOT_FOUND', `cannot read ${opml}: ${(err as NodeJS.ErrnoException).code}`);
      }
      const added = importOpml(state, bytes, options);
      await saveState(home, state);
      process.stdout.write(`imported ${added} new subscription(s) from ${opml}\n`);
      return 0;
    }
    const { feed, added } = addSubscription(state, url!, options);
    await saveState(home, state);
    process.stdout.write(`${added ? 'subscribed to' : 'updated'} ${feed.url}\n`);
    return 0;
  },
};
