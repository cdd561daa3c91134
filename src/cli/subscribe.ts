/** `seedcast subscribe`: follow a feed (or every feed of an OPML file) with the aggregator. */

import { readFile } from 'node:fs/promises';
import { subscribe as addSubscription, importOpml, seedcastHome, updateState } from '../aggregator/index.js';
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
    if (opml !== undefined) {
      let bytes: Buffer;
      try {
        bytes = await readFile(opml);
      } catch (err) {
        throw new SeedcastError('NOT_FOUND', `cannot read ${opml}: ${(err as NodeJS.ErrnoException).code}`);
      }
      const added = await updateState(home, (state) => importOpml(state, bytes, options));
      process.stdout.write(`imported ${added} new subscription(s) from ${opml}\n`);
      return 0;
    }
    // One edit of the state file at a time: a running sync or app may be saving it.
    const { feed, added } = await updateState(home, (state) => addSubscription(state, url!, options));
    process.stdout.write(`${added ? 'subscribed to' : 'updated'} ${feed.url}\n`);
    return 0;
  },
};
