/**
 * `npm run bench:transfer`: a 1 GiB transfer over loopback, Seedcast against aria2c and libtorrent
 * in the same run (ENVIRONMENT.md has reference figures).
 *
 *  (a) one libtorrent seeder; time for our client vs aria2c (and libtorrent's own client, for CPU);
 *  (b) our seeder serving aria2c vs a libtorrent seeder serving aria2c;
 *  CPU seconds per GiB of every process involved (clients through `times`, seeders from /proc).
 * It ends with the three ratios against libtorrent (issue 22): download time and download CPU (ours /
 * libtorrent's client, from (a)) and seeding time (aria2c from our seeder / from libtorrent's, (b)).
 *
 * Runs alternate (ours, theirs, ours, ...) so drift in machine load hits both; medians are reported.
 * Options: BENCH_SIZE_MB (default 1024), BENCH_ROUNDS (default 3). Needs `npm run build` (bin).
 */

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve('.bench-tmp/transfer');
const SIZE = Number(process.env.BENCH_SIZE_MB ?? 1024) * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIN = resolve('bin/seedcast.js');
const LT = resolve('test/helpers/lt_tool.py');
const PY = '/usr/bin/python3';
const TICKS = 100; // clock ticks per second in /proc/<pid>/stat

function need(command: string, probe: string[]): void {
  if (spawnSync(command, probe, { stdio: 'ignore' }).status !== 0) {
    console.error(`bench:transfer needs ${command} (see .ci/run)`);
    process.exit(1);
  }
}

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => r(port));
    });
  });
}

async function makeData(path: string): Promise<void> {
  if (existsSync(path) && statSync(path).size === SIZE) return;
  console.log(`writing ${SIZE / 2 ** 20} MiB of random data...`);
  const out = createWriteStream(path);
  const { randomFillSync } = await import('node:crypto');
  const chunk = Buffer.alloc(4 * 2 ** 20);
  for (let done = 0; done < SIZE; done += chunk.length) {
    randomFillSync(chunk);
    if (!out.write(chunk.subarray(0, Math.min(chunk.length, SIZE - done))))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
}

/** Start a long-running process and wait for a line matching `ready`. */
function startProcess(cmd: string, args: string[], ready: RegExp) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const onReady = new Promise<RegExpMatchArray>((resolveReady, reject) => {
    const check = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolveReady(m);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', () => reject(new Error(`${cmd} exited: ${out.slice(-1000)}`)));
  });
  return { child, onReady, stop: () => child.kill('SIGKILL') };
}

/** CPU seconds used so far by `pid` (user + system). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Run a command to completion: wall seconds and its CPU seconds (children included, via `times`). */
function timed(cmd: string, args: string[]): { seconds: number; cpu: number } {
  const start = performance.now();
  const r = spawnSync(
    'bash',
    ['-c', '"$@" > /dev/null 2>/tmp/seedcast-bench-err; s=$?; times; exit $s', '_', cmd, ...args],
    {
      encoding: 'utf8',
    },
  );
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0)
    throw new Error(`${cmd} failed: ${readFileSync('/tmp/seedcast-bench-err', 'utf8').slice(-1500)}`);
  const lines = r.stdout.trim().split('\n');
  const children = lines[lines.length - 1]!.split(/\s+/).map((x) => {
    const m = /(\d+)m([\d.]+)s/.exec(x)!;
    return Number(m[1]) * 60 + Number(m[2]);
  });
  return { seconds, cpu: children[0]! + children[1]! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function checkSame(a: string, b: string): void {
  if (spawnSync('cmp', ['-s', a, b]).status !== 0) throw new Error(`${b} differs from the original`);
}

async function main(): Promise<void> {
  need('aria2c', ['--version']);
  need(PY, ['-c', 'import libtorrent']);
  if (!existsSync(join('dist', 'cli', 'main.js'))) {
    console.error('run `npm run build` first');
    process.exit(1);
  }
  mkdirSync(join(ROOT, 'seed'), { recursive: true });
  const data = join(ROOT, 'seed', 'big.bin');
  await makeData(data);
  spawnSync('cat', [data], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache

  const trackerPort = await freePort();
  const tracker = startProcess(
    'node',
    [BIN, 'tracker', '--host', '127.0.0.1', '--port', String(trackerPort), '--http-only'],
    /listening on/,
  );
  await tracker.onReady;
  const torrent = join(ROOT, 'big.torrent');
  rmSync(torrent, { force: true });
  const created = spawnSync(
    'node',
    [
      BIN,
      'create',
      data,
      '-o',
      torrent,
      '--v1',
      '--piece-length',
      '262144',
      '-a',
      `http://127.0.0.1:${trackerPort}/announce`,
    ],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(created.stderr);

  const gib = SIZE / 2 ** 30;
  const out = join(ROOT, 'out');
  const fresh = () => rmSync(out, { recursive: true, force: true });
  const aria = async () => [
    '--dir',
    out,
    '--seed-time=0',
    '--enable-dht=false',
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    `--listen-port=${await freePort()}`,
    '--file-allocation=none',
    '--summary-interval=0',
    '--console-log-level=error',
    '--bt-stop-timeout=300',
    torrent,
  ];

  // (a) one libtorrent seeder: our client vs aria2c vs libtorrent's client.
  const ltSeeder = startProcess(PY, [LT, 'seed', torrent, join(ROOT, 'seed')], /"port": (\d+)/);
  const ltPort = Number((await ltSeeder.onReady)[1]);
  await new Promise((r) => setTimeout(r, 1500)); // let it announce
  const a = {
    ours: [] as number[],
    aria2c: [] as number[],
    libtorrent: [] as number[],
    oursCpu: [] as number[],
    ariaCpu: [] as number[],
    ltCpu: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    fresh();
    const ours = timed('node', [
      BIN,
      'download',
      torrent,
      '-o',
      out,
      '--peer',
      `127.0.0.1:${ltPort}`,
      '--port',
      '0',
      '-q',
      // As libtorrent's client here (lt_tool.py: no DHT, no LSD): the same work on both sides.
      '--no-dht',
      '--no-lsd',
    ]);
    checkSame(data, join(out, 'big.bin'));
    fresh();
    const ar = timed('aria2c', await aria());
    checkSame(data, join(out, 'big.bin'));
    fresh();
    const lt = timed(PY, [LT, 'download', torrent, out, `127.0.0.1:${ltPort}`]);
    checkSame(data, join(out, 'big.bin'));
    a.ours.push(ours.seconds);
    a.aria2c.push(ar.seconds);
    a.libtorrent.push(lt.seconds);
    a.oursCpu.push(ours.cpu / gib);
    a.ariaCpu.push(ar.cpu / gib);
    a.ltCpu.push(lt.cpu / gib);
    console.log(
      `(a) round ${round + 1}: ours ${ours.seconds.toFixed(2)} s, aria2c ${ar.seconds.toFixed(2)} s, libtorrent ${lt.seconds.toFixed(2)} s`,
    );
  }
  ltSeeder.stop();

  // (b) aria2c downloading from our seeder vs from a libtorrent seeder (one seeder at a time).
  const b = {
    ours: [] as number[],
    libtorrent: [] as number[],
    oursCpu: [] as number[],
    ltCpu: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const who of ['ours', 'libtorrent'] as const) {
      const seeder =
        who === 'ours'
          ? startProcess(
              'node',
              [BIN, 'seed', torrent, data, '--port', String(await freePort()), '-q'],
              /seeding .* on port (\d+)/,
            )
          : startProcess(PY, [LT, 'seed', torrent, join(ROOT, 'seed')], /"port": (\d+)/);
      await seeder.onReady;
      await new Promise((r) => setTimeout(r, 1500)); // its announce reaches the tracker
      fresh();
      const before = cpuOf(seeder.child.pid!);
      const run = timed('aria2c', await aria());
      const cpu = cpuOf(seeder.child.pid!) - before;
      checkSame(data, join(out, 'big.bin'));
      seeder.stop();
      await new Promise((r) => setTimeout(r, 500));
      b[who].push(run.seconds);
      (who === 'ours' ? b.oursCpu : b.ltCpu).push(cpu / gib);
      console.log(
        `(b) round ${round + 1}: aria2c from ${who} seeder ${run.seconds.toFixed(2)} s, seeder CPU ${cpu.toFixed(2)} s`,
      );
    }
  }
  tracker.stop();
  fresh();

  const row = (label: string, v: number, unit: string) =>
    console.log(`  ${label.padEnd(44)} ${v.toFixed(2)} ${unit}`);
  console.log(
    `\nbench:transfer — ${gib.toFixed(2)} GiB over loopback, ${ROUNDS} rounds, ${availableParallelism()} cores, medians`,
  );
  console.log('(a) from one libtorrent seeder');
  row('seedcast download', median(a.ours), 's');
  row('aria2c', median(a.aria2c), 's');
  row('libtorrent (python3-libtorrent)', median(a.libtorrent), 's');
  row('seedcast client CPU', median(a.oursCpu), 'CPU s/GiB');
  row('aria2c CPU', median(a.ariaCpu), 'CPU s/GiB');
  row('libtorrent client CPU', median(a.ltCpu), 'CPU s/GiB');
  console.log('(b) aria2c downloading from one seeder');
  row('from the seedcast seeder', median(b.ours), 's');
  row('from a libtorrent seeder', median(b.libtorrent), 's');
  row('seedcast seeder CPU', median(b.oursCpu), 'CPU s/GiB');
  row('libtorrent seeder CPU', median(b.ltCpu), 'CPU s/GiB');
  console.log('other ratios');
  row('client time ours/aria2c', median(a.ours) / median(a.aria2c), 'x');
  row('seeder CPU ours/libtorrent', median(b.oursCpu) / median(b.ltCpu), 'x');
  // The three figures issue 22 asks for, each against libtorrent in this run (target <= 1.0).
  console.log('ratios against libtorrent (target <= 1.0)');
  row('download time: ours / libtorrent client', median(a.ours) / median(a.libtorrent), 'x');
  row('download CPU: ours / libtorrent client', median(a.oursCpu) / median(a.ltCpu), 'x');
  row('seeding time: aria2c from ours / from libtorrent', median(b.ours) / median(b.libtorrent), 'x');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
