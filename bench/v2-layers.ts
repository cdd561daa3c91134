/**
 * `npm run bench:v2-layers`: a v2 torrent whose `piece layers` were removed, downloaded over loopback
 * from one libtorrent 2.0.8 seeder (which has the full torrent) by `seedcast download` and by
 * libtorrent's own client, in the same run. Both must get every layer from the seeder with BEP 52
 * hash requests (or, for libtorrent, check whole files against their roots). Prints the median wall
 * time of each (process start to exit, files complete) and the ratio seedcast / libtorrent.
 *
 * Runs alternate (ours, theirs, ...) so drift in machine load hits both. Options: BENCH_SIZE_MB
 * (default 256), BENCH_PIECE_KB (default 16: many pieces, so many runs of hashes), BENCH_ROUNDS
 * (default 3). Needs `npm run build` (bin) and python3-libtorrent.
 */

import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BDict, decode, encode } from '../src/bencode/index.js';

const ROOT = resolve('.bench-tmp/v2-layers');
const SIZE = Number(process.env.BENCH_SIZE_MB ?? 256) * 1024 * 1024;
const PIECE = Number(process.env.BENCH_PIECE_KB ?? 16) * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIN = resolve('bin/seedcast.js');
const LT = resolve('test/helpers/lt_tool.py');
const PY = '/usr/bin/python3';

function fail(message: string): never {
  console.error(`bench:v2-layers: ${message}`);
  process.exit(1);
}

function runTimed(cmd: string, args: string[]): Promise<{ seconds: number; out: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SEEDCAST_DHT_BOOTSTRAP: 'none' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolveRun, reject) => {
    child.once('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolveRun({ seconds, out });
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-1000)}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(join(resolve('dist'), 'cli', 'main.js'))) fail('run `npm run build` first');
  if (spawnSync(PY, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status !== 0)
    fail('needs python3-libtorrent');
  const folder = join(ROOT, 'seed', 'Bench');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'video.bin');
  if (!existsSync(file) || statSync(file).size !== SIZE) {
    console.log(`writing ${SIZE / 2 ** 20} MiB of random data...`);
    const data = Buffer.alloc(SIZE);
    randomFillSync(data);
    writeFileSync(file, data);
  }
  // A second, small file: the torrent is a folder (a lone file would be a single-file torrent).
  writeFileSync(join(folder, 'notes.txt'), 'notes\n'.repeat(1000));
  const full = join(ROOT, 'full.torrent');
  const bare = join(ROOT, 'no-layers.torrent');
  await runTimed(process.execPath, [
    BIN,
    'create',
    folder,
    '-o',
    full,
    '--v2',
    '--piece-length',
    String(PIECE),
  ]);
  const top = decode(readFileSync(full)) as BDict;
  top.delete('piece layers');
  writeFileSync(bare, encode(top));

  const seeder = spawn(PY, [LT, 'seed', full, join(ROOT, 'seed')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    seeder.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port": (\d+)/.exec(out);
      if (m) resolvePort(Number(m[1]));
    });
    seeder.once('exit', () => reject(new Error('the libtorrent seeder exited')));
  });
  const peer = `127.0.0.1:${port}`;
  const pieces = Math.ceil(SIZE / PIECE);
  console.log(
    `v2 torrent of ${SIZE / 2 ** 20} MiB in ${pieces} pieces of ${PIECE / 1024} KiB (${Math.ceil(pieces / 512)} runs of hashes), no piece layers; libtorrent 2.0.8 seeds`,
  );
  const times: Record<'seedcast' | 'libtorrent', number[]> = { seedcast: [], libtorrent: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const client of ['seedcast', 'libtorrent'] as const) {
        const out = join(ROOT, `out-${client}`);
        rmSync(out, { recursive: true, force: true });
        const args =
          client === 'seedcast'
            ? [BIN, 'download', bare, '-o', out, '--peer', peer, '-q', '--no-dht', '--no-lsd']
            : [LT, 'download', bare, out, peer];
        const { seconds, out: printed } = await runTimed(client === 'seedcast' ? process.execPath : PY, args);
        if (client === 'libtorrent') {
          const result = JSON.parse(printed.trim().split('\n').pop()!);
          if (result.have !== result.total) fail(`libtorrent did not complete: ${printed}`);
        }
        if (!readFileSync(join(out, 'Bench', 'video.bin')).equals(readFileSync(file)))
          fail(`${client}: not byte-exact`);
        times[client].push(seconds);
        console.log(`  round ${round + 1} ${client.padEnd(10)} ${seconds.toFixed(2)} s`);
      }
    }
  } finally {
    seeder.kill('SIGKILL');
  }
  const ours = median(times.seedcast);
  const theirs = median(times.libtorrent);
  console.log(`median: seedcast ${ours.toFixed(2)} s, libtorrent ${theirs.toFixed(2)} s`);
  console.log(`ratio seedcast / libtorrent: ${(ours / theirs).toFixed(2)} (below 1: seedcast faster)`);
}

main().catch((err: unknown) => fail((err as Error).message));
