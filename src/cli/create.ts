/** `seedcast create`: hashes a file or folder and writes its `.torrent`, then prints its hashes and magnet link. */

import { statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isSeedcastError, SeedcastError } from '../errors.js';
// Start-up counts here (it is measured against mktorrent): only the worker pool is loaded up front,
// its workers start while the rest of the creator loads, and only the modules the command needs are
// loaded (create.js and magnet.js, not the parser behind torrent/index.js).
import type { CreatedTorrent, CreateOptions } from '../torrent/create.js';
import { prestartHashWorkers } from '../torrent/hash-pool.js';
import type { TorrentVersion } from '../torrent/index.js';
import { intFlag, listFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';
import { createProgressBar, formatBytes } from './progress.js';

export const create: Command = {
  help: `Usage: seedcast create <path> [-o FILE] [-a URL]... [-w URL]... [--piece-length BYTES] [--private]
                      [--v1 | --v2 | --hybrid] [--comment TEXT] [--name NAME] [--no-date] [--json]
                      [--threads N]

Hashes a file or folder and writes its .torrent, then prints the info hash(es) and the magnet link.

Options:
  -o, --output FILE       where to write the .torrent (default: <name>.torrent here; "-" for stdout)
  -a, --announce URL      a tracker; repeat for more, each its own tier, tried in the order given
  -w, --web-seed URL      a web seed (BEP 19); repeat for more
  --piece-length BYTES    bytes per piece, e.g. 262144 or 256K or 1M (default: chosen from the
                          total size for about 1000-2000 pieces, 16 KiB to 16 MiB)
  --private               set the private flag (BEP 27): peers only from the trackers
  --v1                    v1 only (BEP 3) -- the default; the same info hash as mktorrent for the
                          same piece length
  --hybrid                v1 and v2 in one torrent (BEP 52 + BEP 47 padding files), as the
                          Seedcast site makes them
  --v2                    v2 only (BEP 52): SHA-256 merkle trees; only newer clients load it
  --comment TEXT          a comment
  --name NAME             the torrent's name instead of the file's or folder's own
  --no-date               leave out the creation date (the same input gives the same bytes)
  --json                  print the result as one JSON object instead of lines of text
  --threads N             hashing threads (default: one per core)
  -h, --help              show this help

Why v1 by default: every client loads it. Transmission 3 (still what Debian 12 and Ubuntu 22.04
ship) refuses v2 and hybrid torrents outright, even libtorrent's. Choose --hybrid for per-file
SHA-256 verification in v2 clients and the very torrent (same info hashes, same swarm) that the
Seedcast site makes on upload for the same content and piece length.

Symbolic links are followed only to files inside the folder; others are skipped with a warning.`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      output: { type: 'string', short: 'o' },
      announce: { type: 'string', short: 'a', multiple: true },
      'web-seed': { type: 'string', short: 'w', multiple: true },
      'piece-length': { type: 'string' },
      private: { type: 'boolean' },
      v1: { type: 'boolean' },
      v2: { type: 'boolean' },
      hybrid: { type: 'boolean' },
      comment: { type: 'string' },
      name: { type: 'string' },
      'no-date': { type: 'boolean' },
      json: { type: 'boolean' },
      threads: { type: 'string' },
    });
    const threads = intFlag(args, 'threads') ?? availableParallelism();
    if (threads < 1) throw new SeedcastError('USAGE', '--threads must be at least 1');
    if (args.positionals.length !== 1) {
      throw new SeedcastError(
        'USAGE',
        args.positionals.length === 0 ? 'missing <path>' : 'give exactly one <path>',
      );
    }
    const path = args.positionals[0]!;
    // the main thread hashes too; the other cores' workers start now, while the creator loads and
    // the folder is listed (not for a small file, which the main thread hashes alone in no time)
    if (!isSmallFile(path)) prestartHashWorkers(threads - 1);
    const versions = (['v1', 'v2', 'hybrid'] as const).filter((v) => args.values[v] === true);
    if (versions.length > 1) throw new SeedcastError('USAGE', 'choose one of --v1, --v2, --hybrid');
    const [{ createTorrent }, { formatMagnet }] = await Promise.all([
      import('../torrent/create.js'),
      import('../torrent/magnet.js'),
    ]);
    const version: TorrentVersion = versions[0] ?? 'v1';
    const pieceLengthFlag = stringFlag(args, 'piece-length');
    const output = stringFlag(args, 'output');
    const json = args.values.json === true;

    const progress = createProgressBar({ label: 'hashing' });
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    const options: CreateOptions = {
      version,
      pieceLength: pieceLengthFlag === undefined ? undefined : parseSize(pieceLengthFlag),
      announce: listFlag(args, 'announce'),
      urlList: listFlag(args, 'web-seed'),
      private: args.values.private === true,
      comment: stringFlag(args, 'comment'),
      name: stringFlag(args, 'name'),
      creationDate: args.values['no-date'] === true ? null : undefined,
      createdBy: 'seedcast 0.1.0',
      threads,
      mainThread: true,
      onProgress: progress.active ? (done, total) => progress.update(done, total) : undefined,
      signal: abort.signal,
    };
    let result: CreatedTorrent;
    try {
      result = await createTorrent(path, options);
    } catch (err) {
      if (abort.signal.aborted) {
        process.stderr.write('seedcast create: interrupted\n');
        return 1;
      }
      // a bad --piece-length, URL or name is a usage error (exit 2)
      if (isSeedcastError(err, 'CREATE_OPTIONS')) throw new SeedcastError('USAGE', err.message);
      throw err;
    } finally {
      progress.finish();
      process.removeListener('SIGINT', onSignal);
    }

    for (const s of result.skipped) process.stderr.write(`seedcast create: skipped ${s.path}: ${s.reason}\n`);
    const target = output ?? `${result.name}.torrent`;
    if (target === '-') process.stdout.write(result.torrent);
    else await writeAtomically(target, result.torrent);

    const magnet = formatMagnet({
      infoHash: result.infoHash,
      infoHashV2: result.infoHashV2,
      name: result.name,
      length: result.length,
      trackers: result.announce.flat(),
      webSeeds: result.urlList,
      peers: [],
    });
    // with -o -, stdout carries the torrent, so the summary goes to stderr
    const out = target === '-' ? process.stderr : process.stdout;
    if (json) {
      const summary = {
        torrent: target === '-' ? null : target,
        infoHash: result.infoHash,
        infoHashV2: result.infoHashV2,
        magnet,
        name: result.name,
        version: result.version,
        length: result.length,
        pieceLength: result.pieceLength,
        pieces: result.pieceCount,
        files: result.files.length,
      };
      out.write(`${JSON.stringify(summary)}\n`);
    } else {
      const lines = [
        target === '-' ? undefined : `torrent:    ${target}`,
        `content:    ${result.name} (${result.multiFile ? `${result.files.length} files, ` : ''}${formatBytes(result.length)}, ${result.pieceCount} pieces of ${formatBytes(result.pieceLength)}, ${result.version})`,
        result.infoHash ? `infoHash:   ${result.infoHash}` : undefined,
        result.infoHashV2 ? `infoHashV2: ${result.infoHashV2}` : undefined,
        `magnet:     ${magnet}`,
      ];
      out.write(`${lines.filter((l) => l !== undefined).join('\n')}\n`);
    }
    return 0;
  },
};

/** True for a regular file under 16 MiB (false for folders and anything that cannot be read). */
function isSmallFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.size < 16 * 1024 * 1024;
  } catch {
    return false;
  }
}

/** "262144", "256K", "256KiB", "1M" -> bytes. */
function parseSize(text: string): number {
  const m = /^(\d+)\s*(k|kib|m|mib)?$/i.exec(text.trim());
  if (!m)
    throw new SeedcastError(
      'USAGE',
      `--piece-length must be a number of bytes (e.g. 262144 or 256K), got "${text}"`,
    );
  const unit = m[2]?.toLowerCase().startsWith('m') ? 1024 * 1024 : m[2] ? 1024 : 1;
  return Number(m[1]) * unit;
}

/** Write through a temporary file and a rename, so a failed run never leaves half a .torrent. */
async function writeAtomically(target: string, data: Buffer): Promise<void> {
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    const e = err as NodeJS.ErrnoException;
    throw new SeedcastError('CREATE_OUTPUT', `${target}: ${e.code ?? e.message}`, { cause: err });
  }
}
