/** `seedcast tracker`: a stand-alone HTTP + UDP + WebSocket BitTorrent tracker, until interrupted. */

import { setFlagsFromString } from 'node:v8';
import { SeedcastError } from '../errors.js';
import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';

export const tracker: Command = {
  help: `Usage: seedcast tracker [--host H] [--port P] [--http-only | --udp-only] [--no-ws] [--ws-rate N] [--allow FILE [--grace S]] [--redis URL]

Runs a BitTorrent tracker: HTTP announce and scrape at /announce and /scrape (BEP 3, 7, 23, 48),
Prometheus metrics at /metrics, UDP (BEP 15, 41) on the same port number, and the WebTorrent
WebSocket tracker at ws://H:P/announce (browser peers; kept in this process's memory).
Prints "listening on http://H:P" once ready, then the UDP and WebSocket lines.

Options:
  --host H         address to listen on (SEEDCAST_HOST, default 127.0.0.1; :: for IPv6 and IPv4)
  --port P         port for HTTP and UDP (default 6969)
  --http-only      serve HTTP only
  --udp-only       serve UDP only
  --no-ws          no WebSocket tracker
  --ws-rate N      messages a second one WebSocket may send on average (default 20, bursts
                   of 3x; 0: no limit, for benchmarks)
  --allow FILE     track only the info hashes in FILE (40 hex digits a line; # comments);
                   the file is read again on SIGHUP
  --grace S        with --allow: track an info hash not in FILE for S (e.g. 600, 10m) after its
                   last announce, giving it no peers, so clients that announce before their hash
                   is listed are already tracked once it is (default 0: refuse them at once)
  --redis URL      keep swarms in Redis, shared by several trackers (SEEDCAST_REDIS_URL)
  --interval S     seconds between announces asked of clients (default 1800)
  -h, --help       show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'http-only': { type: 'boolean' },
      'udp-only': { type: 'boolean' },
      'no-ws': { type: 'boolean' },
      'ws-rate': { type: 'string' },
      allow: { type: 'string' },
      redis: { type: 'string' },
      interval: { type: 'string' },
      grace: { type: 'string' },
    });
    if (args.positionals.length > 0)
      throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
    const httpOnly = args.values['http-only'] === true;
    const udpOnly = args.values['udp-only'] === true;
    if (httpOnly && udpOnly)
      throw new SeedcastError('USAGE', '--http-only and --udp-only exclude each other');
    const port = intFlag(args, 'port') ?? 6969;
    if (port > 65535) throw new SeedcastError('USAGE', '--port must be at most 65535');
    const wsRate = intFlag(args, 'ws-rate');
    const interval = intFlag(args, 'interval');
    if (interval !== undefined && interval < 1)
      throw new SeedcastError('USAGE', '--interval must be at least 1');
    const host = stringFlag(args, 'host') ?? process.env.SEEDCAST_HOST ?? '127.0.0.1';
    const redisUrl = stringFlag(args, 'redis') ?? process.env.SEEDCAST_REDIS_URL;
    const allowFile = stringFlag(args, 'allow');
    const graceFlag = stringFlag(args, 'grace');
    if (graceFlag !== undefined && !allowFile) throw new SeedcastError('USAGE', '--grace needs --allow');
    const { parseDuration } = await import('../config.js');
    const grace =
      graceFlag === undefined || graceFlag.trim() === '0' ? 0 : parseDuration('--grace', graceFlag);

    // A stand-alone tracker makes a little garbage per announce and must answer within a fraction
    // of a millisecond. V8 grows the young generation from 1 MiB to 16 MiB semi-spaces under steady
    // allocation; then each scavenge stops the tracker for 2-5 ms every few seconds, and that is
    // most of the UDP p99 at light load (bench/tracker.ts). Kept at 1 MiB, a scavenge comes every
    // ~0.1 s at 10,000 announces/s and takes a fraction of a millisecond. V8 reads this flag at each
    // scavenge, so it takes effect when set here.
    setFlagsFromString('--semi-space-growth-factor=1');
    const t = await import('../tracker/index.js');
    const allow = allowFile ? t.allowSet(await t.loadAllowList(allowFile)) : undefined;
    const log = t.streamLog((line) => process.stderr.write(line));
    const running = await t.startTracker({
      host,
      port,
      http: !udpOnly,
      udp: !httpOnly,
      ws:
        args.values['no-ws'] === true
          ? false
          : wsRate === undefined
            ? true
            : {
                limits:
                  wsRate === 0
                    ? { messagesPerSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY }
                    : { messagesPerSecond: wsRate, burst: 3 * wsRate },
              },
      allow,
      ...(grace > 0 ? { grace: { ttl: Math.max(1, Math.round(grace / 1000)) } } : {}),
      redisUrl,
      interval,
      log,
    });
    process.stdout.write(`listening on ${running.httpUrl ?? running.udpUrl}\n`);
    if (running.httpUrl && running.udpUrl) process.stdout.write(`listening on ${running.udpUrl}\n`);
    if (running.wsUrl) process.stdout.write(`listening on ${running.wsUrl}\n`);
    const reload = () => {
      if (!allow || !allowFile) return;
      t.loadAllowList(allowFile).then(
        (set) => {
          allow.update(set);
          process.stderr.write(`allow list reloaded: ${set.size} info hashes\n`);
        },
        (err: Error) => process.stderr.write(`allow list not reloaded: ${err.message}\n`),
      );
    };
    process.on('SIGHUP', reload);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    process.off('SIGHUP', reload);
    await running.close();
    return 0;
  },
};
