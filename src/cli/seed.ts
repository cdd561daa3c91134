/** `seedcast seed`: serve a torrent's content to the swarm until stopped. */

import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Engine } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import type { Metainfo } from '../torrent/index.js';
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

export const seed: Command = {
  help: `Usage: seedcast seed <torrent> <path> [--port N] [--no-dht] [--dht-bootstrap HOST:PORT]...

Seeds the content at <path> until stopped (Ctrl-C): <path> is the file of a single-file torrent, or
the folder that holds a multi-file torrent's top folder (the top folder itself works too). The data
is verified first; pieces that do not match are not offered.

Options:
  --port N           TCP port for peers (default 6881, or any free port if taken)
  --peer HOST:PORT   also connect to this peer (repeatable)
${DHT_HELP}
  --no-lsd           do not look for peers on the local network (BEP 14 multicast; on by default)
  -q, --quiet        no status output
  -h, --help         show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      port: { type: 'string' },
      peer: { type: 'string', multiple: true },
      quiet: { type: 'boolean', short: 'q' },
      ...DHT_FLAGS,
      ...LSD_OPTION,
    });
    const [torrent, path, ...extra] = args.positionals;
    if (torrent === undefined || path === undefined)
      throw new SeedcastError('USAGE', 'give a torrent and the path of its content');
    if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
    const dht = dhtOption(args); // bad DHT flags are usage errors before any work
    const source = await readTorrentInput(torrent);
    if (source.kind !== 'torrent')
      throw new SeedcastError('USAGE', 'seeding needs the .torrent, not a magnet link');
    const { meta, root } = await locateContent(source.meta, resolve(path));

    installLastResort({ name: 'seed' });
    const engine = new Engine({ ...userEngineOptions(args), dht });
    const port = await listenWithFallback(engine, intFlag(args, 'port'));
    const session = await engine.add(
      { meta },
      { path: root, readOnly: true, peers: listFlag(args, 'peer').map(parsePeerFlag) },
    );
    const stats = session.stats();
    process.stdout.write(
      `seeding ${meta.name} (${meta.infoHash}) on port ${port}: ${stats.have}/${stats.pieceCount} pieces verified\n`,
    );
    if (!session.complete)
      process.stderr.write('warning: some pieces are missing or do not match; seeding the rest\n');
    const status = reportStatus(() => session.stats(), { quiet: args.values.quiet === true });
    const failed = new Promise<Error>((resolve) => session.once('failed', resolve));
    const outcome = await Promise.race([waitForSignal(), failed]);
    status.stop();
    await engine.close();
    if (outcome instanceof Error) throw outcome; // a disk error: exit 1 with the reason
    return 0;
  },
};

/** Where the store's root is, and the metainfo adjusted when a single file was given under another name. */
async function locateContent(meta: Metainfo, path: string): Promise<{ meta: Metainfo; root: string }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new SeedcastError('NOT_FOUND', `${path} does not exist`);
  }
  if (info.isFile()) {
    if (meta.multiFile)
      throw new SeedcastError('USAGE', `${meta.name} is a multi-file torrent: give its folder`);
    // Stored under another name than the torrent's: only where it is stored changes (not `path`).
    const renamed =
      basename(path) === meta.files[0]!.storagePath[0]
        ? meta
        : { ...meta, files: [{ ...meta.files[0]!, storagePath: [basename(path)] }] };
    return { meta: renamed, root: dirname(path) };
  }
  if (!meta.multiFile) return { meta, root: path };
  const folder = meta.files[0]!.storagePath[0]!; // the top folder, as stored (sanitised name)
  const inside = await stat(resolve(path, folder)).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return { meta, root: inside || basename(path) !== folder ? path : dirname(path) };
}
