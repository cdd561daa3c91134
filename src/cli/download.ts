/** `seedcast download`: fetch a torrent, magnet link or torrent URL, verify it, then exit (or keep seeding). */

import { resolve } from 'node:path';
import type { TorrentSession } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { magnetTarget } from '../torrent/index.js';
import { intFlag, listFlag, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import {
  DHT_FLAGS,
  DHT_HELP,
  dhtOption,
  listenWithFallback,
  parsePeerFlag,
  waitForSignal,
} from './engine-helpers.js';
import { installLastResort } from './last-resort.js';
import { LSD_OPTION, userEngineOptions } from './lsd-option.js';
import { reportStatus } from './status.js';
import { readTorrentInput } from './torrent-input.js';

export const download: Command = {
  help: `Usage: seedcast download <torrent-file | magnet | http-url-of-torrent> [-o DIR] [--seed] [--port N]
                        [--no-dht] [--dht-bootstrap HOST:PORT]...

Downloads the torrent's content into DIR (default: the current folder), verifying every piece, from
peers (trackers, the DHT, peer exchange) and web seeds; a magnet link without a tracker finds its
peers through the DHT. What is already there is re-verified and kept, so an
interrupted download resumes. Exits 0 once complete, or keeps seeding with --seed until interrupted.

Options:
  -o, --output DIR   folder to download into (a multi-file torrent makes its own folder inside)
  --seed             keep seeding after the download completes
  --port N           TCP port for incoming peers (default 6881, or any free port if taken)
  --peer HOST:PORT   also connect to this peer (repeatable)
${DHT_HELP}
  --no-lsd           do not look for peers on the local network (BEP 14 multicast; on by default)
  -q, --quiet        no progress output
  -h, --help         show this help

Progress: a live line on a terminal; one line a second on stderr when not a terminal.`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      output: { type: 'string', short: 'o' },
      seed: { type: 'boolean' },
      port: { type: 'string' },
      peer: { type: 'string', multiple: true },
      quiet: { type: 'boolean', short: 'q' },
      ...DHT_FLAGS,
      ...LSD_OPTION,
    });
    const [input, ...extra] = args.positionals;
    if (input === undefined)
      throw new SeedcastError('USAGE', 'give a .torrent file, a magnet link or a torrent URL');
    if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
    const peers = listFlag(args, 'peer').map(parsePeerFlag);
    const out = resolve(typeof args.values.output === 'string' ? args.values.output : '.');
    const dht = dhtOption(args); // bad DHT flags are usage errors before any work
    const source = await readTorrentInput(input);

    installLastResort({ name: 'download' });
    // Loaded here, not at the top: `download --help` and usage errors need no engine.
    const { Engine } = await import('../engine/index.js');
    const engine = new Engine({ ...userEngineOptions(args), dht });
    const port = await listenWithFallback(engine, intFlag(args, 'port'));
    let session: TorrentSession;
    if (source.kind === 'torrent') {
      // The engine refuses some torrents it was given (a piece layer that is not its file's): close
      // it, so the error ends the process rather than a listening socket keeping it alive.
      session = await engine.add({ meta: source.meta }, { path: out, peers }).catch(async (err: unknown) => {
        await engine.close();
        throw err;
      });
    } else {
      const { link } = source;
      session = await engine.add(magnetTarget(link), {
        path: out,
        trackers: link.trackers.map((t) => [t]),
        webSeeds: link.webSeeds,
        peers: [...peers, ...link.peers.map(parsePeerFlag)],
        torrentUrls: link.sources ?? [],
      });
    }
    const quiet = args.values.quiet === true;
    session.on('warning', (w) => {
      if (!quiet && process.env.SEEDCAST_DEBUG) process.stderr.write(`warning: ${w}\n`);
    });
    const status = reportStatus(() => session.stats(), { quiet });
    const interrupted = waitForSignal();
    const finished = new Promise<void>((done, fail) => {
      if (session.complete) done();
      else session.once('complete', () => done());
      session.once('failed', fail); // a disk error (ENOSPC, EIO): exit 1 with the reason
    });
    const outcome = await Promise.race([finished.then(() => 'complete' as const), interrupted]).catch(
      async (err: unknown) => {
        status.stop();
        await engine.close();
        throw err;
      },
    );
    if (outcome === 'complete') {
      status.stop();
      const name = session.meta?.name ?? '';
      process.stdout.write(`complete: ${resolve(out, name)} (${session.meta?.infoHash})\n`);
      if (args.values.seed === true) {
        process.stdout.write(`seeding on port ${port}; press Ctrl-C to stop\n`);
        const again = reportStatus(() => session.stats(), { quiet });
        await waitForSignal();
        again.stop();
      }
      await engine.close();
      return 0;
    }
    status.stop();
    await engine.close();
    process.stderr.write('seedcast download: interrupted; run the same command again to resume\n');
    return 1;
  },
};
