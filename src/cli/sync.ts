/** `seedcast sync`: poll the subscriptions, download what is new, seed it back (or `--once`: fetch and exit). */

import {
  Aggregator,
  formatEvent,
  formatView,
  runSyncLoop,
  SeedingGate,
  type SyncEvent,
  seedcastHome,
} from '../aggregator/index.js';
import { Engine } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { intFlag, type Parsed, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';
import { DHT_FLAGS, DHT_HELP, dhtOption, listenWithFallback, waitForSignal } from './engine-helpers.js';
import { installLastResort } from './last-resort.js';
import { LSD_OPTION, userEngineOptions } from './lsd-option.js';

export const sync: Command = {
  help: `Usage: seedcast sync [--once] [options]

Polls the feeds you subscribed to and downloads their new items into $SEEDCAST_HOME/library
(default ~/.seedcast/library): through BitTorrent when a feed offers a torrent or magnet link (HTTP
is the fallback when no peer or web seed answers in time), over HTTP otherwise, resuming interrupted
downloads and checking each file against what the feed promised. Then keeps running: polls each feed
at the interval it asks for (ttl, sy:updatePeriod; 60 minutes otherwise; backing off on errors) and
seeds what came through the swarm until the ratio or time limit. On a terminal it shows a live view.

Options:
  --once                 poll every feed now, download what is new, exit when done (no seeding after)
  --ui                   run with the web app instead of the terminal view (as \`seedcast app\`, which
                         see; with --ui, --app-port, --no-open and --listen are the app's options)
  --port N               TCP port for BitTorrent peers (default 6881, or any free port if taken)
  --jobs N               downloads at once (default 3)
  --seed-ratio R         stop seeding a torrent once it uploaded R times its size (default 2; 0: never seed)
  --seed-hours H         ... or after seeding H hours in total (default 72)
  --swarm-timeout S      seconds to wait for a peer or web seed before falling back to HTTP (default 60)
  --min-free MIB         keep this many MiB free on the library's disk (default 256)
${DHT_HELP}
  --no-lsd               do not share with machines on the local network (BEP 14 local service
                         discovery: multicast announces on 239.192.152.143:6771; on by default)
  -q, --quiet            print only errors
  -h, --help             show this help

The limits given are saved and used by later runs. Exit code of --once: 0 when every feed and
download succeeded, 1 when something failed (each failure is one line on stderr; the rest is done).`,

  async run(argv) {
    // `--ui`: the same loop with the web app (`seedcast app`).
    if (argv.includes('--ui')) return (await import('./app.js')).app.run(uiArgs(argv));
    const args = parseCommandArgs(argv, {
      once: { type: 'boolean' },
      port: { type: 'string' },
      ...LOOP_FLAGS,
    });
    if (args.positionals.length > 0)
      throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
    const once = args.values.once === true;
    const quiet = args.values.quiet === true;
    const live = !quiet && process.stdout.isTTY === true;
    installLastResort({ name: 'sync' });
    const engine = loopEngine(args);
    const view = createView();
    const aggregator = new Aggregator(seedcastHome(), { engine, onEvent: (e) => view.event(e, quiet) });
    await aggregator.open();
    try {
      applySettingFlags(aggregator, args);
      await listenWithFallback(engine, intFlag(args, 'port'));
      const interrupted = waitForSignal();
      if (once) {
        await aggregator.poll({ force: true });
        const outcome = await Promise.race([aggregator.idle().then(() => 'done' as const), interrupted]);
        if (outcome !== 'done') process.stderr.write('seedcast sync: interrupted; the next sync resumes\n');
        return outcome === 'done' && aggregator.failed === 0 ? 0 : 1;
      }
      const gate = new SeedingGate(aggregator); // no app: seedWhen app-open never seeds
      await gate.check();
      await aggregator.resumeSeeding();
      if (!quiet) process.stdout.write(`seeding on port ${engine.port}; press Ctrl-C to stop\n`);
      await runSyncLoop(aggregator, {
        stopped: interrupted,
        onTick: async () => {
          await gate.check();
          if (live) view.draw(formatView(aggregator.snapshot(), (process.stdout.columns ?? 100) - 1));
        },
      });
      return 0;
    } finally {
      view.clear();
      await aggregator.close();
      await engine.close();
    }
  },
};

/** The limits `sync` and `app` both take (saved in the state for later runs). */
export const SETTINGS_FLAGS = {
  jobs: { type: 'string' },
  'seed-ratio': { type: 'string' },
  'seed-hours': { type: 'string' },
  'swarm-timeout': { type: 'string' },
  'min-free': { type: 'string' },
} as const;

/** The options `sync` and `app` both take: the limits, `--quiet`, the DHT and local discovery. */
export const LOOP_FLAGS = {
  ...SETTINGS_FLAGS,
  quiet: { type: 'boolean', short: 'q' },
  ...DHT_FLAGS,
  ...LSD_OPTION,
} as const;

/** The engine `sync` and `app` run: this machine's options (local discovery) and the DHT flags. */
export function loopEngine(args: Parsed): Engine {
  return new Engine({ ...userEngineOptions(args), dht: dhtOption(args) });
}

/** Errors (a feed's, a download's, a warning) are printed on stderr, and also with `--quiet`. */
export function isErrorEvent(e: SyncEvent): boolean {
  return e.type === 'feed-error' || e.type === 'failed' || e.type === 'warning';
}

/** One line for a sync event, on stderr for an error. */
export function printEvent(e: SyncEvent): void {
  (isErrorEvent(e) ? process.stderr : process.stdout).write(`${formatEvent(e)}\n`);
}

/**
 * `sync --ui ...` as `app ...`: sync's `--port` (BitTorrent) becomes `--bt-port`, `--app-port` the
 * app's `--port`; `--once` has no web app to show.
 */
export function uiArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--ui') continue;
    if (a === '--once' || a.startsWith('--once='))
      throw new SeedcastError(
        'USAGE',
        '--ui keeps running with the web app; it cannot be combined with --once',
      );
    if (a === '--port' || a.startsWith('--port=')) out.push(a.replace('--port', '--bt-port'));
    else if (a === '--app-port' || a.startsWith('--app-port=')) out.push(a.replace('--app-port', '--port'));
    else out.push(a);
  }
  return out;
}

export function applySettingFlags(aggregator: Aggregator, args: Parameters<typeof stringFlag>[0]): void {
  const s = aggregator.state.settings;
  const jobs = intFlag(args, 'jobs');
  if (jobs !== undefined) s.concurrency = Math.max(1, jobs);
  const timeout = intFlag(args, 'swarm-timeout');
  if (timeout !== undefined) s.swarmTimeout = timeout;
  const minFree = intFlag(args, 'min-free');
  if (minFree !== undefined) s.minFreeBytes = minFree * 1024 * 1024;
  for (const [flag, key] of [
    ['seed-ratio', 'seedRatio'],
    ['seed-hours', 'seedHours'],
  ] as const) {
    const v = stringFlag(args, flag);
    if (v === undefined) continue;
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n))
      throw new SeedcastError('USAGE', `--${flag} must be a number, got "${v}"`);
    s[key] = n;
  }
}

/** The live view (a block redrawn in place on a terminal) and event lines. */
function createView() {
  let drawn = 0;
  const clear = () => {
    if (drawn > 0) process.stdout.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  return {
    event(e: SyncEvent, quiet: boolean) {
      if (quiet && !isErrorEvent(e)) return;
      clear();
      printEvent(e);
    },
    draw(lines: string[]) {
      clear();
      process.stdout.write(`${lines.join('\n')}\n`);
      drawn = lines.length;
    },
    clear,
  };
}
