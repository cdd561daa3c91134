/** `seedcast library`: what the aggregator has downloaded. */

import { libraryEntries, loadState, seedcastHome } from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';

export const library: Command = {
  help: `Usage: seedcast library [--json]

Lists what 'seedcast sync' downloaded (and what it is still fetching), feed by feed.

Options:
  --json       print [{ "feed", "title", "path", "complete" }, ...] where "feed" is the feed URL and
               "path" the absolute path of the file (also "feedTitle", "status", "via", "infoHash",
               "published")
  -h, --help   show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, { json: { type: 'boolean' } });
    if (args.positionals.length > 0)
      throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
    const entries = libraryEntries(await loadState(seedcastHome()));
    if (args.values.json === true) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return 0;
    }
    if (entries.length === 0) {
      process.stdout.write('the library is empty\n');
      return 0;
    }
    for (const e of entries) {
      const mark = e.complete ? 'done' : e.status;
      process.stdout.write(`[${mark}] ${e.feedTitle ?? e.feed}: ${e.title}\n  ${e.path ?? '(not yet)'}\n`);
    }
    return 0;
  },
};
