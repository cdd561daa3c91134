/**
 * `npm run bench:tracker`: Seedcast's tracker against Debian's opentracker, same load, same run.
 *
 * Both trackers run in allow-list mode with the same 10,000 random info hashes (Debian builds
 * opentracker with a whitelist; it chroots into its rootdir and reads the list there).
 * - HTTP: wrk -t2 -c64 with `tracker-announce.lua` (varied announces: 10% started, 5% stopped,
 *   25% seeders, compact, numwant 50), after a warm-up run. opentracker closes each connection
 *   after one answer; we keep connections alive, as clients may. Ours is also measured with
 *   `Connection: close` for a like-for-like line.
 * - UDP: `tracker-udp-load.c` (our own BEP 15 generator, built here with gcc): 4 sockets with many
 *   announces in flight measure throughput; a run with 4x more in flight checks the tracker is
 *   saturated (its one thread is >= 90% busy and throughput does not grow); open-loop runs
 *   at 10,000 announces/s on both trackers started afresh (so both hold the same peers) and warmed
 *   up alike, the two taking turns (BENCH_ROUNDS, default 5), measure latency
 *   (the median run of each): paced (one announce every 100 us, as many independent clients send
 *   them), and in bursts (the announces due leave together once a millisecond, which measures how
 *   long a tracker takes to work through a dozen at once); a run with a busy-polling generator (no wake-ups, which
 *   cost the sender much on a VM) needs a core for the generator; a bare Node echo server shows the
 *   ceiling of Node's UDP layer on this machine.
 * - Memory per peer: `tracker-memory.ts` (1M peers in 10,000 swarms, heap growth after GC), plus
 *   both trackers' resident memory after the load.
 * - WebSocket (the WebTorrent tracker protocol): against bittorrent-tracker's WebSocket server,
 *   the only other tracker that speaks it (opentracker does not): `tracker-ws.ts`.
 * Prints a table, ours/opentracker ratios and p99 latencies. BENCH_SECONDS (default 10) sets the
 * length of each measured run; BENCH_ONLY=udp runs only the UDP part, BENCH_ONLY=ws only the
 * WebSocket rows. The machine should be otherwise idle: the numbers are relative.
 */

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { wsRows } from './tracker-ws.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const HASHES = 10_000;
/** `udp` runs only the UDP part (the HTTP runs take a minute). */
const ONLY = process.env.BENCH_ONLY;
/** Turns each tracker takes at the light (latency) load. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Proc {
  child: ChildProcess;
  out: () => string;
}

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-10_000);
  });
  return { child, out: () => out };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function need(tool: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    process.stderr.write(
      `bench:tracker needs ${tool} (apt-get install ${tool === 'gcc' ? 'gcc libc6-dev' : tool})\n`,
    );
    process.exit(1);
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

interface Tracker {
  name: string;
  port: number;
  pid: number;
}

interface Result {
  rate: number;
  p50: number;
  p90?: number;
  p99: number;
  p999?: number;
  cpu: number;
  errors: number;
}

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)\b/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function measure<T>(t: Tracker, run: () => Promise<T> | T): Promise<{ value: T; cpu: number }> {
  const c0 = cpuSeconds(t.pid);
  const w0 = Date.now();
  const value = await run();
  const cpu = (cpuSeconds(t.pid) - c0) / ((Date.now() - w0) / 1000);
  return { value, cpu };
}

async function wrk(t: Tracker, hashesTxt: string, seconds: number, extra: string[] = []): Promise<Result> {
  const args = ['-t2', '-c64', `-d${seconds}s`, '--latency', ...extra, '-s', 'bench/tracker-announce.lua'];
  const { value: out, cpu } = await measure(t, () =>
    execFileSync('wrk', [...args, `http://127.0.0.1:${t.port}`, '--', hashesTxt], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  );
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rate,
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    cpu,
    errors: non2xx,
  };
}

async function udp(
  t: Tracker,
  gen: string,
  hashesBin: string,
  load: { window: number; seconds: number; rate?: number; spin?: boolean; burstMs?: number; genCpu?: number },
): Promise<Result> {
  const args = ['127.0.0.1', String(t.port), String(load.seconds), String(load.window), '4', hashesBin];
  if (load.rate) args.push(String(load.rate));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (load.spin) env.TRACKER_LOAD_SPIN = '1';
  if (load.burstMs) env.TRACKER_LOAD_BURST_MS = String(load.burstMs);
  const run = () =>
    load.genCpu === undefined
      ? execFileSync(gen, args, { encoding: 'utf8', env })
      : execFileSync('taskset', ['-c', String(load.genCpu), gen, ...args], { encoding: 'utf8', env });
  const { value: out, cpu } = await measure(t, run);
  const r = JSON.parse(out) as {
    rate: number;
    p50_us: number;
    p90_us: number;
    p99_us: number;
    p999_us: number;
    errors: number;
    lost: number;
  };
  return {
    rate: r.rate,
    p50: r.p50_us / 1000,
    p90: r.p90_us / 1000,
    p99: r.p99_us / 1000,
    p999: r.p999_us / 1000,
    cpu,
    errors: r.errors + r.lost,
  };
}

async function checkAnswers(t: Tracker, allowed: Buffer): Promise<void> {
  const enc = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
  const url = (h: Buffer) =>
    `http://127.0.0.1:${t.port}/announce?info_hash=${enc(h)}&peer_id=-CHECK-0000000000000&port=999&left=0&compact=1`;
  const ok = Buffer.from(await (await fetch(url(allowed))).arrayBuffer()).toString('latin1');
  const refused = Buffer.from(await (await fetch(url(randomBytes(20)))).arrayBuffer()).toString('latin1');
  if (ok.includes('failure reason') || !refused.includes('failure reason')) {
    throw new Error(`${t.name} does not answer as a whitelisting tracker should:\n${ok}\n${refused}`);
  }
}

function row(label: string, ours: Result, theirs: Result): string {
  const ratio = (ours.rate / theirs.rate).toFixed(2);
  const f = (r: Result) =>
    `${Math.round(r.rate).toString().padStart(7)}/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99
      .toFixed(2)
      .padStart(6)} ms  cpu ${(r.cpu * 100).toFixed(0).padStart(3)}%`;
  return `${label.padEnd(26)} ours ${f(ours)}\n${''.padEnd(26)} ot   ${f(theirs)}   ratio ${ratio}x`;
}

/** A bare Node UDP server answering every datagram like a tracker would (connect or announce). */
const ECHO = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => {
  const b = Buffer.alloc(m.length === 16 ? 16 : 320);
  b.writeUInt32BE(m.length === 16 ? 0 : 1, 0);
  m.copy(b, 4, 12, 16);
  s.send(b, r.port, r.address);
});
s.bind(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
`;

async function main(): Promise<void> {
  if (ONLY === 'ws') {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    process.stdout.write(
      `tracker benchmark, WebSocket only: ${SECONDS} s per run, ${availableParallelism()} cores, ` +
        `load average ${loadavg()[0]!.toFixed(2)} at the start\n\n`,
    );
    process.stdout.write((await wsRows(ROOT, SECONDS)).text);
    return;
  }
  for (const tool of ['opentracker', 'wrk', 'gcc']) need(tool);
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  mkdirSync(join(ROOT, '.bench-tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.bench-tmp', 'tracker-'));
  const procs: Proc[] = [];
  try {
    const hashes = Array.from({ length: HASHES }, () => randomBytes(20));
    const hashesTxt = join(dir, 'hashes.txt');
    const hashesBin = join(dir, 'hashes.bin');
    writeFileSync(hashesTxt, hashes.map((h) => `${h.toString('hex')}\n`).join(''));
    writeFileSync(hashesBin, Buffer.concat(hashes));
    const gen = join(dir, 'udp-load');
    execFileSync('gcc', ['-O2', '-o', gen, join(ROOT, 'bench/tracker-udp-load.c'), '-lm']);

    const otRoot = join(dir, 'ot');
    mkdirSync(otRoot);
    writeFileSync(join(otRoot, 'whitelist.txt'), readFileSync(hashesTxt));
    // Both trackers, started afresh (with new ports) each time this is called.
    const launch = async (): Promise<{ us: Tracker; them: Tracker; ot: Proc; ours: Proc }> => {
      const otPort = await freePort();
      writeFileSync(
        join(otRoot, 'opentracker.conf'),
        `listen.tcp 127.0.0.1:${otPort}\nlisten.udp 127.0.0.1:${otPort}\naccess.whitelist /whitelist.txt\n` +
          `access.stats 127.0.0.1\ntracker.rootdir ${otRoot}\ntracker.user nobody\n`,
      );
      const ot = start('opentracker', ['-f', join(otRoot, 'opentracker.conf')]);
      procs.push(ot);
      const ourPort = await freePort();
      // The built command, as users run it (the build is fresh: see main's first lines).
      const ours = start(process.execPath, [
        'bin/seedcast.js',
        'tracker',
        '--port',
        String(ourPort),
        '--allow',
        hashesTxt,
      ]);
      procs.push(ours);
      for (let i = 0; i < 200 && !ours.out().includes('listening on udp'); i++) await sleep(50);
      await sleep(500);
      const us: Tracker = { name: 'seedcast', port: ourPort, pid: ours.child.pid! };
      const them: Tracker = { name: 'opentracker', port: otPort, pid: ot.child.pid! };
      for (const t of [us, them]) {
        // Give a slow start (a busy machine) a few seconds before concluding anything.
        for (let i = 0; ; i++) {
          try {
            await checkAnswers(t, hashes[0]!);
            break;
          } catch (err) {
            if (i >= 50 || !(err instanceof TypeError)) throw err;
            await sleep(100);
          }
        }
      }
      return { us, them, ot, ours };
    };
    let { us, them, ot, ours } = await launch();
    const rss0 = { us: rssKiB(us.pid), them: rssKiB(them.pid) };
    process.stdout.write(
      `tracker benchmark: ${HASHES} allowed info hashes, ${SECONDS} s per run, ${availableParallelism()} cores, ` +
        `load average ${loadavg()[0]!.toFixed(2)} at the start\n\n`,
    );

    const out: Record<string, { ours: Result; ot: Result }> = {};
    let lightDetail = '';
    if (ONLY !== 'udp') {
      for (const t of [us, them]) await wrk(t, hashesTxt, 3);
      out.http = { ours: await wrk(us, hashesTxt, SECONDS), ot: await wrk(them, hashesTxt, SECONDS) };
      const close = await wrk(us, hashesTxt, SECONDS, ['-H', 'Connection: close']);
      out.httpClose = { ours: close, ot: out.http.ot };
    }

    const both = async (load: {
      window: number;
      seconds: number;
      rate?: number;
      spin?: boolean;
      burstMs?: number;
      genCpu?: number;
    }) => ({
      ours: await udp(us, gen, hashesBin, load),
      ot: await udp(them, gen, hashesBin, load),
    });
    await both({ window: 256, seconds: 2 });
    out.udp = await both({ window: 256, seconds: SECONDS });
    out.udpMore = await both({ window: 1024, seconds: SECONDS });
    out.udpSpin = await both({ window: 256, seconds: SECONDS, spin: true });
    // What the load left in each tracker, before they are started again below.
    // The runs block this process (the generator runs synchronously), so a keep-alive connection
    // the tracker closed meanwhile may still look open here: the first try may fail on it.
    const metricsText = async (): Promise<string> => {
      for (let i = 0; ; i++) {
        try {
          return await (await fetch(`http://127.0.0.1:${us.port}/metrics`)).text();
        } catch (err) {
          if (i >= 2) throw err;
        }
      }
    };
    const peersIn = (text: string) =>
      [...text.matchAll(/seedcast_tracker_peers\{state="\w+"\} (\d+)/g)].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
    const ourPeers = peersIn(await metricsText());
    const otStats = await fetch(`http://127.0.0.1:${them.port}/stats?mode=peer`).then(
      (r) => r.text(),
      () => 'n/a',
    );
    const rss = { us: rssKiB(us.pid), them: rssKiB(them.pid) };
    // Latency at a light load, from trackers in the same state: the runs above leave each holding
    // the peers of every announce it answered, and ours answers 2-3x more, so it would carry 2-3x
    // the peers (8.8M against 3.9M in run I, and more memory to walk per announce). Both are
    // started again and given the same warm-up (4 s at 10,000/s); every run below then gives both
    // the same announces. A p99 from one short run on a shared VM swings 3x either way, so both
    // trackers take turns, ROUNDS runs each, and the median run (by p99) of each is reported.
    const light: { ours: Result[]; ot: Result[] } = { ours: [], ot: [] };
    const bursts: { ours: Result[]; ot: Result[] } = { ours: [], ot: [] };
    const apart: { ours: Result[]; ot: Result[] } = { ours: [], ot: [] };
    const lightSeconds = Math.max(3, Math.round(SECONDS / 2));
    await stop(ours);
    await stop(ot);
    ({ us, them, ot, ours } = await launch());
    await both({ window: 256, seconds: 4, rate: 10_000 });
    // With two cores, the generator shares them with the tracker under test: the scheduler then
    // often lets the generator's wake-up preempt the tracker mid-answer (perf's sched_switch shows it
    // for both trackers), and a p99 measures that interleaving as much as the tracker. A third run
    // per round gives the generator core 0 and both trackers (all their threads) the last core.
    const cores = availableParallelism();
    const pinning = cores >= 2 && spawnSync('sh', ['-c', 'command -v taskset']).status === 0;
    const pin = (pid: number, cpus: string) =>
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    for (let i = 0; i < ROUNDS; i++) {
      const r = await both({ window: 256, seconds: lightSeconds, rate: 10_000 });
      light.ours.push(r.ours);
      light.ot.push(r.ot);
      const b = await both({ window: 256, seconds: lightSeconds, rate: 10_000, burstMs: 1 });
      bursts.ours.push(b.ours);
      bursts.ot.push(b.ot);
      if (pinning) {
        for (const t of [us, them]) pin(t.pid, String(cores - 1));
        const a = await both({ window: 256, seconds: lightSeconds, rate: 10_000, genCpu: 0 });
        for (const t of [us, them]) pin(t.pid, `0-${cores - 1}`);
        apart.ours.push(a.ours);
        apart.ot.push(a.ot);
      }
    }
    const median = (runs: Result[]) => [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)]!;
    out.udpLight = { ours: median(light.ours), ot: median(light.ot) };
    out.udpBursts = { ours: median(bursts.ours), ot: median(bursts.ot) };
    if (pinning) out.udpApart = { ours: median(apart.ours), ot: median(apart.ot) };
    const p99s = (runs: Result[]) => runs.map((r) => r.p99.toFixed(2)).join(' ');
    const tail = (r: Result) =>
      `p90 ${r.p90?.toFixed(2)} p99 ${r.p99.toFixed(2)} p99.9 ${r.p999?.toFixed(2)}`;
    lightDetail =
      `p99 of each run at 10k/s, paced (ms): ours ${p99s(light.ours)}; opentracker ${p99s(light.ot)}\n` +
      `p99 of each run at 10k/s, 1 ms bursts (ms): ours ${p99s(bursts.ours)}; opentracker ${p99s(bursts.ot)}\n` +
      `median runs, paced: ours ${tail(out.udpLight.ours)}; opentracker ${tail(out.udpLight.ot)}\n` +
      `median runs, bursts: ours ${tail(out.udpBursts.ours)}; opentracker ${tail(out.udpBursts.ot)}` +
      (out.udpApart
        ? `\np99 of each run at 10k/s, generator on its own core (ms): ours ${p99s(apart.ours)}; ` +
          `opentracker ${p99s(apart.ot)}\nmedian runs, own core: ours ${tail(out.udpApart.ours)}; ` +
          `opentracker ${tail(out.udpApart.ot)}`
        : '\n(no run with the generator on its own core: it needs 2 cores and taskset)');
    // The ceiling of Node's dgram layer on this machine: a bare echo server, no tracker logic.
    const echoPort = await freePort();
    const echo = start(process.execPath, ['-e', ECHO, String(echoPort)]);
    procs.push(echo);
    for (let i = 0; i < 400 && !echo.out().includes('ready'); i++) await sleep(50);
    const echoT: Tracker = { name: 'node echo', port: echoPort, pid: echo.child.pid! };
    const echoed = await udp(echoT, gen, hashesBin, { window: 256, seconds: SECONDS });
    await stop(echo);

    if (out.http && out.httpClose) {
      process.stdout.write(`${row('HTTP announces (wrk)', out.http.ours, out.http.ot)}\n`);
      process.stdout.write(`${row('HTTP, ours Connection:close', out.httpClose.ours, out.httpClose.ot)}\n`);
    }
    process.stdout.write(`${row('UDP announces (1024 in flight)', out.udp.ours, out.udp.ot)}\n`);
    process.stdout.write(`${row('UDP, 4096 in flight', out.udpMore.ours, out.udpMore.ot)}\n`);
    process.stdout.write(`${row('UDP, generator spinning', out.udpSpin.ours, out.udpSpin.ot)}\n`);
    process.stdout.write(`${row('UDP at 10k/s paced (median)', out.udpLight.ours, out.udpLight.ot)}\n`);
    process.stdout.write(`${row('UDP 10k/s, 1 ms bursts', out.udpBursts.ours, out.udpBursts.ot)}\n`);
    if (out.udpApart)
      process.stdout.write(`${row('UDP 10k/s paced, own cores', out.udpApart.ours, out.udpApart.ot)}\n`);
    process.stdout.write(`${lightDetail}\n`);
    process.stdout.write(
      `Node dgram echo (no tracker) ${Math.round(echoed.rate)}/s: the most any Node UDP server answers here; ` +
        `ours reaches ${((out.udp.ours.rate / echoed.rate) * 100).toFixed(0)}% of it\n`,
    );
    // Both trackers answer UDP on one thread: saturated means that thread is busy, and that 4x
    // more announces in flight do not bring 15% more answers.
    const base = out.udp!;
    const more = out.udpMore!;
    const saturated = (k: 'ours' | 'ot') =>
      Math.max(base[k].cpu, more[k].cpu) >= 0.9 && more[k].rate < 1.15 * base[k].rate;
    const verdict = (k: 'ours' | 'ot') =>
      saturated(k)
        ? 'yes'
        : `NO (cpu ${(base[k].cpu * 100).toFixed(0)}%: the generator or a busy machine limited the load)`;
    process.stdout.write(
      `\nUDP load saturates the tracker: ours ${verdict('ours')}; opentracker ${verdict('ot')}\n` +
        '(saturated: the tracker used >= 90% of a core and 4x more in flight gave < 15% more answers)\n\n',
    );

    // The WebSocket rows, against bittorrent-tracker (opentracker does not speak WebSocket).
    const ws = await wsRows(ROOT, SECONDS);
    process.stdout.write(`${ws.text}\n`);

    type Mem = { peers: number; swarms: number; bytesPerPeer: number; tableBytesPerPeer: number };
    const memOf = (store: 'js' | 'native') =>
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/tracker-memory.ts'], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, STORE: store },
        }),
      ) as Mem;
    // The store `seedcast tracker` runs (native when the addon is built) and the JavaScript one.
    const mem = memOf('native');
    const memJs = memOf('js');
    process.stdout.write(
      `\nmemory per peer (in-process, ${mem.peers} peers in ${mem.swarms} swarms): native store ${mem.bytesPerPeer} ` +
        `bytes of resident memory (${mem.tableBytesPerPeer} in peer tables); ` +
        `MemoryStore ${memJs.bytesPerPeer} bytes of heap (${memJs.tableBytesPerPeer} in peer tables)\n` +
        `resident after the throughput runs: ours ${rss.us} KiB (+${rss.us - rss0.us}) holding ${ourPeers} peers; ` +
        `opentracker ${rss.them} KiB (+${rss.them - rss0.them}), stats: ${otStats.trim().replace(/\s+/g, ' ').slice(0, 80)}\n`,
    );
    process.stdout.write(
      `\nratios ours/opentracker: ${
        out.http ? `HTTP ${(out.http.ours.rate / out.http.ot.rate).toFixed(2)}x (target >= 1.0), ` : ''
      }` +
        `UDP ${(out.udp.ours.rate / out.udp.ot.rate).toFixed(2)}x (target >= 0.5); ` +
        (out.http ? `p99 HTTP ${out.http.ours.p99.toFixed(2)} vs ${out.http.ot.p99.toFixed(2)} ms, ` : '') +
        `UDP at 10k/s ${out.udpLight.ours.p99.toFixed(2)} vs ${out.udpLight.ot.p99.toFixed(2)} ms\n`,
    );
    writeFileSync(
      join(ROOT, '.bench-tmp', 'tracker-results.json'),
      JSON.stringify({ ...out, ws: ws.results, mem, memJs, rss }, null, 2),
    );
  } finally {
    for (const p of procs) await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
