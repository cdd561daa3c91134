/**
 * Benchmark: `seedcast create --v1` against `mktorrent -t <cores>` on one 2 GiB file, 256 KiB pieces,
 * warm page cache, runs alternated so both see the same machine, median wall times (process start
 * included) and their ratio; plus the machine's parallel SHA-1 ceiling (`openssl speed -evp sha1`
 * per core × cores) and our throughput as a fraction of it. Checks both make the same info hash.
 *
 *   npm run bench:create [-- --rounds N] [--size-mib N] [--keep]
 *
 * Targets: ratio ours/mktorrent <= 1.0; ours >= 90% of the SHA-1 ceiling. The data file lives in
 * `.bench-tmp/` (git-ignored) and is removed at the end unless `--keep`.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseTorrent } from '../src/torrent/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'size-mib': { type: 'string', default: '2048' },
    keep: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const size = Number(values['size-mib']) * 1024 * 1024;
const cores = availableParallelism();
const PIECE_LOG2 = 18;

function need(cmd: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    console.error(
      `bench: ${cmd} is not installed (apt-get install -y ${cmd === 'openssl' ? 'openssl' : cmd})`,
    );
    process.exit(1);
  }
}
need('mktorrent');
need('openssl');

console.log('building dist (npm run build) ...');
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  if (!existsSync(join(root, 'dist/cli/main.js'))) process.exit(1);
  console.error('bench: WARNING: the build failed; measuring the dist/ already there');
}

const dir = join(root, '.bench-tmp');
mkdirSync(dir, { recursive: true });
const data = join(dir, `bench-${size}.bin`);
if (!existsSync(data) || statSync(data).size !== size) {
  console.log(`writing ${size / 2 ** 20} MiB of random data to ${data} ...`);
  const chunk = randomBytes(64 * 1024 * 1024);
  const fd = openSync(data, 'w');
  for (let pos = 0, i = 0; pos < size; pos += chunk.length, i++) {
    chunk.writeUInt32LE(i, 0); // every chunk differs
    writeSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos);
  }
  closeSync(fd);
}

console.log('warming the page cache ...');
{
  const fd = openSync(data, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  while (readSync(fd, buf, 0, buf.length, null) > 0) {}
  closeSync(fd);
}

// Node reads every certificate of NODE_EXTRA_CA_CERTS at start-up (about 40 ms here, set by this
// sandbox, not by users); it has nothing to do with hashing, so seedcast runs without it.
const cleanEnv = { ...process.env };
const hadExtraCa = cleanEnv.NODE_EXTRA_CA_CERTS !== undefined;
delete cleanEnv.NODE_EXTRA_CA_CERTS;

const oursOut = join(dir, 'ours.torrent');
const mktOut = join(dir, 'mktorrent.torrent');
const commands = {
  seedcast: [
    process.execPath,
    [
      join(root, 'bin/seedcast.js'),
      'create',
      '--v1',
      '--piece-length',
      String(2 ** PIECE_LOG2),
      '-o',
      oursOut,
      data,
    ],
  ],
  mktorrent: ['mktorrent', ['-t', String(cores), '-l', String(PIECE_LOG2), '-o', mktOut, data]],
} as const;

function timeOnce(name: keyof typeof commands): number {
  rmSync(name === 'seedcast' ? oursOut : mktOut, { force: true });
  const [cmd, args] = commands[name];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    console.error(`${name} failed (${r.status}): ${r.stderr.toString()}`);
    process.exit(1);
  }
  return seconds;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const gib = (bytesPerSecond: number) => `${(bytesPerSecond / 2 ** 30).toFixed(2)} GiB/s`;

// one untimed run each (first-run effects: dist files, mktorrent's pages)
timeOnce('seedcast');
timeOnce('mktorrent');
const times: Record<keyof typeof commands, number[]> = { seedcast: [], mktorrent: [] };
for (let i = 0; i < rounds; i++) {
  const order: (keyof typeof commands)[] =
    i % 2 === 0 ? ['seedcast', 'mktorrent'] : ['mktorrent', 'seedcast'];
  for (const name of order) {
    const t = timeOnce(name);
    times[name].push(t);
    console.log(`round ${i + 1}  ${name.padEnd(9)}  ${t.toFixed(3)} s  ${gib(size / t)}`);
  }
}

// The hashing alone, inside one process (no Node start-up): what the threads sustain.
const inProcess = `
  import { createTorrent, prestartHashWorkers } from ${JSON.stringify(join(root, 'dist/torrent/create.js'))};
  prestartHashWorkers(${cores - 1});
  const t0 = performance.now();
  await createTorrent(${JSON.stringify(data)}, { version: 'v1', pieceLength: ${2 ** PIECE_LOG2}, threads: ${cores}, mainThread: true });
  console.log((performance.now() - t0) / 1000);`;
const inProcessScript = join(dir, 'hash-only.mjs');
writeFileSync(inProcessScript, inProcess);
const hashOnly: number[] = [];
for (let i = 0; i < rounds; i++) {
  const r = spawnSync(process.execPath, [inProcessScript], { encoding: 'utf8', env: cleanEnv });
  if (r.status !== 0) throw new Error(r.stderr);
  hashOnly.push(Number(r.stdout.trim()));
}

const ours = parseTorrent(readFileSync(oursOut));
const theirs = parseTorrent(readFileSync(mktOut));
const sameHash = ours.infoHash === theirs.infoHash;

function opensslSha1(multi: number): number {
  const args = ['speed', '-evp', 'sha1', '-bytes', '262144', '-seconds', '3'];
  if (multi > 1) args.push('-multi', String(multi));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  const m = /^sha1\s+([\d.]+)k\s*$/m.exec(r.stdout);
  if (!m) throw new Error(`cannot read openssl speed output:\n${r.stdout}${r.stderr}`);
  return Number(m[1]) * 1000;
}
const perCore = opensslSha1(1);
const ceiling = perCore * cores;
const parallel = cores > 1 ? opensslSha1(cores) : perCore;

const oursMedian = median(times.seedcast);
const mktMedian = median(times.mktorrent);
const oursRate = size / oursMedian;
console.log('');
console.log(
  `file: ${size / 2 ** 20} MiB, 256 KiB pieces, ${cores} cores, ${rounds} rounds (machine may be shared)`,
);
console.log(`median seedcast:  ${oursMedian.toFixed(3)} s  ${gib(oursRate)}`);
console.log(`median mktorrent: ${mktMedian.toFixed(3)} s  ${gib(size / mktMedian)}  (mktorrent -t ${cores})`);
console.log(`ratio seedcast/mktorrent: ${(oursMedian / mktMedian).toFixed(3)}  (target <= 1.0)`);
console.log(
  `best runs: seedcast ${Math.min(...times.seedcast).toFixed(3)} s, mktorrent ${Math.min(...times.mktorrent).toFixed(3)} s, ratio ${(Math.min(...times.seedcast) / Math.min(...times.mktorrent)).toFixed(3)}  (least disturbed by other load)`,
);
console.log(
  `SHA-1 ceiling: ${gib(perCore)} per core x ${cores} = ${gib(ceiling)}  (openssl -multi ${cores}: ${gib(parallel)})`,
);
console.log(
  `seedcast throughput: ${((100 * oursRate) / ceiling).toFixed(1)}% of the ceiling  (target >= 90%)`,
);
console.log(
  `seedcast hashing alone (in-process, median of ${rounds}): ${median(hashOnly).toFixed(3)} s  ${gib(size / median(hashOnly))}  ${((100 * size) / median(hashOnly) / ceiling).toFixed(1)}% of the ceiling`,
);
if (hadExtraCa)
  console.log('(seedcast ran without NODE_EXTRA_CA_CERTS, which costs every Node start about 40 ms here)');
console.log(`mktorrent throughput: ${((100 * size) / mktMedian / ceiling).toFixed(1)}% of the ceiling`);
console.log(`same v1 info hash: ${sameHash ? 'yes' : 'NO'} (${ours.infoHash} / ${theirs.infoHash})`);

rmSync(oursOut, { force: true });
rmSync(mktOut, { force: true });
rmSync(inProcessScript, { force: true });
if (!values.keep) rmSync(data, { force: true });
if (!sameHash) process.exit(1);
