/** `seedcast feeds`: list the subscriptions (or export them as OPML). */

import { exportOpml, type FeedState, loadState, seedcastHome } from '../aggregator/index.js';
import { SeedcastError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';

export const feeds: Command = {
  help: `Usage: seedcast feeds [--opml | --json]

Lists the feeds you follow: title, URL, options, when each was last polled and the last error.

Options:
  --opml       print the subscriptions as an OPML 2.0 document (import it with 'subscribe --opml')
  --json       print [{ "url", "title", "options", "lastPolledAt", "nextPollAt", "lastError" }]
  -h, --help   show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, { opml: { type: 'boolean' }, json: { type: 'boolean' } });
    if (args.positionals.length > 0)
      throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
    const state = await loadState(seedcastHome());
    if (args.values.opml === true) {
      process.stdout.write(exportOpml(state, { date: new Date() }));
      return 0;
    }
    if (args.values.json === true) {
      const list = state.feeds.map((f) => ({
        url: f.url,
        title: f.title ?? null,
        options: f.options,
        lastPolledAt: f.lastPolledAt ?? null,
        nextPollAt: f.nextPollAt ?? null,
        lastError: f.lastError ?? null,
      }));
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (state.feeds.length === 0) {
      process.stdout.write("no subscriptions (add one with 'seedcast subscribe <feed-url>')\n");
      return 0;
    }
    for (const f of state.feeds) process.stdout.write(describe(f));
    return 0;
  },
};

function describe(f: FeedState): string {
  const opts = [
    f.options.autoDownload ? 'auto-download' : 'no download',
    `recent ${f.options.recent}`,
    f.options.keepLast > 0 ? `keep ${f.options.keepLast}` : 'keep all',
  ].join(', ');
  const polled = f.lastPolledAt ? `polled ${f.lastPolledAt}` : 'not polled yet';
  const error = f.lastError ? `\n  error: ${f.lastError}` : '';
  return `${f.title ?? '(untitled)'}\n  ${f.url}\n  ${opts}; ${polled}${error}\n`;
}
