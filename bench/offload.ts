/**
 * `npm run bench:offload`: how much of a popular item the site itself has to send.
 *
 * One `seedcast serve` on loopback publishes a 100 MiB random item; 20 downloaders start together
 * and fetch it from the site alone (its tracker, its seeding peer, its BEP 19 web seed). They stay
 * in the swarm (seeding) until every one has finished, as BitTorrent clients normally do, and are
 * stopped together at the end. (aria2c 1.36 computes a wrong info hash for hybrid torrents: with a
 * site making hybrid torrents it can only use the web seed; see docs/interop.md.)
 *
 * Printed: bytes the site served (its peer's upload counter + the web seed's response bytes, from
 * the item's swarm numbers) divided by the file size, cross-checked by the bytes the `serve`
 * process wrote (`wchar` of /proc/PID/io: every write to a socket or file, headers and protocol
 * included); then the same 20 downloads (curl) from a plain HTTP origin (a small node:http server
 * counting the bytes its sockets wrote), which is 20 by construction. Every copy is checked
 * byte for byte (SHA-256). Target: site bytes / file size <= 1.5.
 *
 * `--client` (or BENCH_CLIENT) chooses the downloaders (`bench/offload-clients.ts`): `seedcast`
 * (default), `libtorrent` (sessions in one /usr/bin/python3 process), `aria2c` (aria2c 1.36
 * processes; it downloads from the web seed and the peers at once), or `mixed` (the three kinds
 * together, about a third each: 7/7/6 of 20).
 *
 * `seedcast-one` (the engines in one Node process) and `libtorrent-procs` (one python process per
 * session) split each client's time into the engine's and that of N processes on few cores.
 *
 * `--compare [KIND,KIND...]` runs one round per kind against the same site (default
 * `seedcast,libtorrent`) and prints when the last downloader of each finished and the ratio to
 * libtorrent's (target: seedcast <= 1.5x libtorrent).
 *
 * Options: `--client KIND`, `--compare [KINDS]`, BENCH_SIZE_MB (default 100), BENCH_PEERS (default
 * 20), BENCH_CLIENT.
 * Needs `npm run build` and curl (python3-libtorrent, aria2 for those clients).
 */

import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type ClientKind,
  cpuSecondsOf,
  type Group,
  mixOf,
  type Proc,
  PY,
  startGroup,
  start as startProc,
} from './offload-clients.js';
import { publishFile } from './site-publish.js';

const SIZE = Number(process.env.BENCH_SIZE_MB ?? 100) * 1024 * 1024;
const PEERS = Number(process.env.BENCH_PEERS ?? 20);
const BIN = resolve('bin/seedcast.js');
const TIMEOUT_MS = 15 * 60_000;
const flag = process.argv.indexOf('--client');
const CLIENT = (flag >= 0 ? process.argv[flag + 1] : undefined) ?? process.env.BENCH_CLIENT ?? 'seedcast';
const compareAt = process.argv.indexOf('--compare');
const compareArg = compareAt >= 0 ? process.argv[compareAt + 1] : undefined;
/** The clients of each round: one, or several in turn with `--compare`. */
const ROUNDS =
  compareAt < 0
    ? [CLIENT]
    : compareArg && !compareArg.startsWith('-')
      ? compareArg.split(',')
      : ['seedcast', 'libtorrent'];
const start = (cmd: string, args: string[]) => startProc(cmd, args, TIMEOUT_MS);

function need(command: string, probe: string[]): void {
  if (spawnSync(command, probe, { stdio: 'ignore' }).status !== 0) {
    console.error(`bench:offload needs ${command}`);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeData(path: string): Promise<void> {
  const out = createWriteStream(path);
  const chunk = Buffer.alloc(4 * 2 ** 20);
  for (let done = 0; done < SIZE; done += chunk.length) {
    randomFillSync(chunk);
    if (!out.write(Buffer.from(chunk.subarray(0, Math.min(chunk.length, SIZE - done)))))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Bytes `pid` has written with write(2)/writev(2) so far (sockets and files). */
function wcharOf(pid: number): number {
  const m = /^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(m![1]);
}

/** 20 curl downloads from a plain node:http origin; returns the bytes its sockets wrote. */
async function plainOrigin(file: string, dir: string, expected: string): Promise<number> {
  let written = 0;
  const server = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': SIZE });
    const before = req.socket.bytesWritten;
    createReadStream(file).pipe(res);
    res.once('close', () => {
      written += req.socket.bytesWritten - before;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const outs = Array.from({ length: PEERS }, (_, i) => join(dir, `http-${i}.bin`));
  const curls = outs.map((o) =>
    start('curl', ['-sS', '--fail', '-o', o, `http://127.0.0.1:${port}/offload.bin`]),
  );
  await Promise.all(
    curls.map(
      (c) =>
        new Promise<void>((r, reject) =>
          c.child.once('exit', (code) => (code === 0 ? r() : reject(new Error(`curl: ${c.out()}`)))),
        ),
    ),
  );
  await new Promise<void>((r) => server.close(() => r()));
  for (const o of outs) {
    if ((await sha256Of(o)) !== expected) throw new Error(`${o} differs from the original`);
    rmSync(o);
  }
  return written;
}

interface Round {
  client: string;
  mix: [ClientKind, number][];
  times: number[];
  peer: number;
  webSeed: number;
  wchar: number;
  /** CPU seconds (user + system) of the downloaders' processes, and of the site, during the round. */
  clientCpu: number;
  siteCpu: number;
  processes: number;
}

async function main(): Promise<void> {
  need('curl', ['--version']);
  let mixes: [ClientKind, number][][];
  try {
    mixes = ROUNDS.map((c) => mixOf(c, PEERS));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  for (const [kind] of mixes.flat()) {
    if (kind.startsWith('libtorrent')) need(PY, ['-c', 'import libtorrent']);
    if (kind === 'aria2c') need('aria2c', ['--version']);
  }
  if (!existsSync(join('dist', 'cli', 'main.js'))) {
    console.error('run `npm run build` first');
    process.exit(1);
  }
  const root = mkdtempSync(join(tmpdir(), 'seedcast-offload-'));
  const procs: Proc[] = [];
  try {
    const data = join(root, 'offload.bin');
    console.log(`writing ${SIZE / 2 ** 20} MiB of random data...`);
    await makeData(data);
    const expected = await sha256Of(data);

    const port = await freePort();
    const site = start('node', [
      BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--peer-port',
      String(await freePort()),
      '--data',
      join(root, 'site'),
    ]);
    procs.push(site);
    if (process.env.BENCH_SITE_LOG) site.child.stdout!.pipe(createWriteStream(process.env.BENCH_SITE_LOG));
    const [, base] = await site.waitFor(/listening on (http:\/\/\S+)/, 60_000);
    const { item, api } = await publishFile(base!, data, { title: 'Offload benchmark', name: 'offload.bin' });
    const torrent = join(root, 'item.torrent');
    writeFileSync(torrent, Buffer.from(await (await fetch(item.torrentUrl)).arrayBuffer()));
    console.log(`published item ${item.id} (${item.files.length} file)`);

    const pid = site.child.pid!;
    const rounds: Round[] = [];
    for (const [r, mix] of mixes.entries()) {
      const load = loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
      console.log(`round ${r + 1}: ${PEERS} downloaders (${ROUNDS[r]}) start (load average ${load})`);
      const wcharBefore = wcharOf(pid);
      const siteCpuBefore = cpuSecondsOf(pid);
      const before = (await api(`/api/v1/items/${item.id}`)).swarm.served;
      const started = performance.now();
      const groups: Group[] = mix.map(([kind, count]) =>
        startGroup({
          kind,
          count,
          torrent,
          dir: join(root, `dl-${r}`),
          fileName: 'offload.bin',
          started,
          timeoutMs: TIMEOUT_MS,
        }),
      );
      for (const g of groups) procs.push(...g.procs);
      const times = (await Promise.all(groups.map((g) => g.done))).flat();
      await sleep(1000); // responses still closing add their bytes
      const after = (await api(`/api/v1/items/${item.id}`)).swarm.served;
      const wchar = wcharOf(pid) - wcharBefore;
      const siteCpu = cpuSecondsOf(pid) - siteCpuBefore;
      const clientProcs = groups.flatMap((g) => g.procs);
      const clientCpu = clientProcs.reduce((sum, p) => sum + p.cpuSeconds(), 0);
      await Promise.all(groups.flatMap((g) => g.procs.map((p) => p.stop())));
      for (const copy of groups.flatMap((g) => g.copies)) {
        if (statSync(copy).size !== SIZE || (await sha256Of(copy)) !== expected)
          throw new Error(`${copy} differs from the original`);
        rmSync(copy);
      }
      const peer = after.peer - before.peer;
      // Every HTTP byte (web seed, and any request not recognised as one): the ratio counts all the site sent.
      const webSeed = after.total - after.peer - (before.total - before.peer);
      rounds.push({
        client: ROUNDS[r]!,
        mix,
        times,
        peer,
        webSeed,
        wchar,
        clientCpu,
        siteCpu,
        processes: clientProcs.length,
      });
      await sleep(2000); // the stopped downloaders' announces reach the tracker
    }
    await site.stop();

    console.log(`plain HTTP origin: ${PEERS} curl downloads...`);
    const origin = await plainOrigin(data, root, expected);
    report(rounds, origin);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}

function report(rounds: Round[], origin: number): void {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const last = (r: Round) => Math.max(...r.times);
  let met = true;
  for (const r of rounds) {
    const sorted = [...r.times].sort((a, b) => a - b);
    const ratio = (r.peer + r.webSeed) / SIZE;
    met &&= ratio <= 1.5;
    console.log(
      `\nbench:offload — ${SIZE / 2 ** 20} MiB item, ${PEERS} downloaders (${r.mix.map(([k, n]) => `${n} ${k}`).join(' + ')}), loopback, ${availableParallelism()} cores`,
    );
    console.log(
      `  downloads finished after ${sorted[0]!.toFixed(1)} s (first) .. ${sorted[sorted.length - 1]!.toFixed(1)} s (last), all byte-exact`,
    );
    console.log(`  site peer uploaded                 ${mib(r.peer)}`);
    console.log(`  site web seed served               ${mib(r.webSeed)}`);
    console.log(`  site served / file size            ${ratio.toFixed(2)} x   (target <= 1.5)`);
    console.log(
      `  serve process bytes written / size ${(r.wchar / SIZE).toFixed(2)} x   (wchar: all writes, protocol included)`,
    );
    console.log(
      `  CPU: downloaders ${r.clientCpu.toFixed(1)} s in ${r.processes} process(es) (${(r.clientCpu / PEERS).toFixed(2)} s each), site ${r.siteCpu.toFixed(1)} s`,
    );
    console.log(`  client ${r.client}: site served / file size ${ratio.toFixed(2)} x`);
  }
  console.log(`\n  plain HTTP origin / file size      ${(origin / SIZE).toFixed(2)} x`);
  const lt = rounds.find((r) => r.client === 'libtorrent');
  if (rounds.length > 1) {
    console.log('\nlast of the downloaders done:');
    for (const r of rounds) {
      const vs = lt && r !== lt ? `   ${(last(r) / last(lt)).toFixed(2)} x libtorrent's` : '';
      const cpu = `   CPU ${(r.clientCpu / PEERS).toFixed(2)} s per downloader`;
      console.log(`  ${r.client.padEnd(18)} ${last(r).toFixed(1).padStart(6)} s${vs}${cpu}`);
    }
    const ours = rounds.find((r) => r.client === 'seedcast');
    if (ours && lt) {
      const ratio = last(ours) / last(lt);
      met &&= ratio <= 1.5;
      console.log(`  seedcast / libtorrent, last done  ${ratio.toFixed(2)} x   (target <= 1.5)`);
    }
  }
  console.log(met ? 'target met' : 'target NOT met');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
