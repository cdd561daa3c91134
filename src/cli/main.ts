/**
 * The `seedcast` command: dispatches to one module per command, loaded lazily so `seedcast --help`
 * and every command start fast. The only place (with the command modules) that prints for people.
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage; errors are one line on stderr.
 */

import { isSeedcastError } from '../errors.js';
import type { Command } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: {
    summary: 'run the site (HTTP on 127.0.0.1:8080 by default)',
    load: async () => (await import('./serve.js')).serve,
  },
  worker: {
    summary: "run the site's jobs (media processing) from another process or machine",
    load: async () => (await import('./worker.js')).worker,
  },
  create: {
    summary: 'write a .torrent for a file or folder',
    load: async () => (await import('./create.js')).create,
  },
  info: {
    summary: 'describe a .torrent file or magnet link',
    load: async () => (await import('./info.js')).info,
  },
  tracker: {
    summary: 'run a stand-alone HTTP and UDP BitTorrent tracker',
    load: async () => (await import('./tracker.js')).tracker,
  },
  publish: {
    summary: 'publish a file or folder to a Seedcast site',
    load: async () => (await import('./publish.js')).publish,
  },
  channel: {
    summary: 'create or list channels on a site',
    load: async () => (await import('./channel.js')).channel,
  },
  seed: {
    summary: 'seed a file or folder until stopped',
    load: async () => (await import('./seed.js')).seed,
  },
  download: {
    summary: 'download a torrent, magnet link or torrent URL (resumes)',
    load: async () => (await import('./download.js')).download,
  },
  subscribe: {
    summary: 'follow a feed (or import OPML) with the aggregator',
    load: async () => (await import('./subscribe.js')).subscribe,
  },
  unsubscribe: {
    summary: 'stop following a feed',
    load: async () => (await import('./unsubscribe.js')).unsubscribe,
  },
  feeds: {
    summary: 'list subscriptions (--opml to export)',
    load: async () => (await import('./feeds.js')).feeds,
  },
  sync: {
    summary: 'poll feeds, download new items, seed them (--once: fetch and exit)',
    load: async () => (await import('./sync.js')).sync,
  },
  app: {
    summary: 'the aggregator with its web app on http://127.0.0.1:8181 (follow, play, share)',
    load: async () => (await import('./app.js')).app,
  },
  library: {
    summary: 'list what the aggregator downloaded (--json)',
    load: async () => (await import('./library.js')).library,
  },
};

const USAGE = `Usage: seedcast <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

Run 'seedcast <command> --help' for a command's options.`;

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write('seedcast 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`seedcast: unknown command "${name}" (see 'seedcast --help')\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    return reportError(name, err);
  }
}

function reportError(name: string, err: unknown): number {
  if (isSeedcastError(err, 'USAGE')) {
    process.stderr.write(
      `seedcast ${name}: ${err.message.replace(/^bad usage: /, '')} (see 'seedcast ${name} --help')\n`,
    );
    return 2;
  }
  if (isSeedcastError(err)) {
    process.stderr.write(`seedcast ${name}: ${err.message}\n`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    process.stderr.write(`seedcast ${name}: ${e.message}\n`);
    return 1;
  }
  process.stderr.write(`seedcast ${name}: unexpected error: ${String(err)}\n`);
  if (process.env.SEEDCAST_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
