/**
 * The WebSocket rows of `npm run bench:tracker` (`BENCH_ONLY=ws` runs only these): Seedcast's
 * WebSocket tracker (`seedcast tracker`, the built command) against bittorrent-tracker's WebSocket
 * server (`bittorrent-tracker/server`, the tracker WebTorrent clients use), same load, same run.
 *
 * Load: `WS_CLIENTS` (default 200) WebSocket connections from `WS_GENERATORS` (default 2) generator
 * processes (`tracker-ws-load.ts`), 10 to a swarm, each announcing in a closed loop (the next announce leaves when the answer to the last arrives), 25% of them seeders: once
 * without offers, once with 5 offers of a 1 KiB SDP each (what a WebTorrent client sends; the
 * trackers relay each offer to another peer of the swarm, whose client ignores it). Measured:
 * answers per second, the latency of each announce (p50, p99) and the tracker's CPU use, of the
 * median of BENCH_ROUNDS (default 3) runs each, the two trackers taking turns. Ours runs
 * with `--ws-rate 0` (no per-socket message limit: a closed loop exceeds any sane one), and each
 * socket comes from its own loopback address (ours caps 64 sockets per address).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const CLIENTS = Number(process.env.WS_CLIENTS ?? 200);
/** Load generator processes (`tracker-ws-load.ts`). */
const GENERATORS = Number(process.env.WS_GENERATORS ?? 2);
/** Runs each tracker takes per load (the median is reported). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export interface WsResult {
  rate: number;
  p50: number;
  p99: number;
  cpu: number;
  relayed: number;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** bittorrent-tracker's WebSocket server alone, in a process of its own. */
const BT_SERVER = `
import Server from 'bittorrent-tracker/server';
const server = new Server({ udp: false, http: false, ws: true, stats: false });
server.on('warning', () => {});
server.on('error', (e) => { console.error(e.message); process.exit(1); });
server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));
`;

interface Running {
  child: ChildProcess;
  url: string;
  out: () => string;
}

async function launch(
  cmd: string,
  args: string[],
  url: string,
  ready: string,
  root: string,
): Promise<Running> {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-10_000);
  });
  for (let i = 0; i < 400 && !out.includes(ready); i++) await sleep(50);
  if (!out.includes(ready)) throw new Error(`${cmd} ${args.join(' ')} did not start:\n${out}`);
  return { child, url, out: () => out };
}

async function stop(r: Running): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise((res) => r.child.once('exit', res));
  r.child.kill('SIGTERM');
  await exited;
}

/** The closed-loop load for `seconds` against `url`, from `GENERATORS` processes at once. */
async function load(
  url: string,
  pid: number,
  seconds: number,
  offers: number,
  root: string,
): Promise<WsResult> {
  const per = Math.ceil(CLIENTS / GENERATORS);
  const warmup = 2;
  let c0 = 0;
  // The generators connect, warm up for `warmup` s, then measure: the tracker's CPU is read
  // over the measured part (they connect in well under a second here).
  const cpuStart = sleep(1000 + warmup * 1000).then(() => {
    c0 = cpuSeconds(pid);
  });
  const runs = await Promise.all(
    Array.from({ length: GENERATORS }, (_, g) =>
      run(root, [url, String(seconds), String(offers), String(per), String(g * per), String(warmup)]),
    ),
  );
  await cpuStart;
  const cpu = (cpuSeconds(pid) - c0) / seconds;
  const elapsed = Math.max(...runs.map((r) => r.elapsed));
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const answered = runs.reduce((a, r) => a + r.answered, 0);
  const relayed = runs.reduce((a, r) => a + r.relayed, 0);
  return { rate: answered / elapsed, p50: at(0.5), p99: at(0.99), cpu, relayed: relayed / elapsed };
}

interface LoadRun {
  answered: number;
  relayed: number;
  elapsed: number;
  latencies: number[];
}

function run(root: string, args: string[]): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/tracker-ws-load.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-5000);
    });
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as LoadRun);
      else reject(new Error(`load generator failed (${code}): ${err}`));
    });
  });
}

function row(label: string, ours: WsResult, theirs: WsResult): string {
  const ratio = (ours.rate / theirs.rate).toFixed(2);
  const f = (r: WsResult) =>
    `${Math.round(r.rate).toString().padStart(7)}/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99
      .toFixed(2)
      .padStart(6)} ms  cpu ${(r.cpu * 100).toFixed(0).padStart(3)}%`;
  return `${label.padEnd(26)} ours ${f(ours)}\n${''.padEnd(26)} btt  ${f(theirs)}   ratio ${ratio}x`;
}

/** Runs the WebSocket rows against both trackers; returns the printed lines and the results. */
export async function wsRows(
  root: string,
  seconds: number,
): Promise<{ text: string; results: Record<string, { ours: WsResult; btt: WsResult }> }> {
  const results: Record<string, { ours: WsResult; btt: WsResult }> = {};
  const detail: string[] = [];
  for (const offers of [0, 5]) {
    // Fresh trackers for each load, so both hold the same swarms.
    const ourPort = await freePort();
    const ours = await launch(
      process.execPath,
      // No per-socket rate limit: these closed-loop sockets announce hundreds of times a second.
      ['bin/seedcast.js', 'tracker', '--http-only', '--ws-rate', '0', '--port', String(ourPort)],
      `ws://127.0.0.1:${ourPort}/announce`,
      'listening on ws://',
      root,
    );
    const theirPort = await freePort();
    const btt = await launch(
      process.execPath,
      ['--input-type=module', '-e', BT_SERVER, String(theirPort)],
      `ws://127.0.0.1:${theirPort}`,
      'listening',
      root,
    );
    try {
      // The two take turns, ROUNDS runs each; the median run (by rate) of each is reported, so
      // that a burst of other work on a shared machine does not decide the ratio.
      const runs: { ours: WsResult[]; btt: WsResult[] } = { ours: [], btt: [] };
      for (let r = 0; r < ROUNDS; r++) {
        runs.ours.push(await load(ours.url, ours.child.pid!, seconds, offers, root));
        runs.btt.push(await load(btt.url, btt.child.pid!, seconds, offers, root));
      }
      const median = (x: WsResult[]) => [...x].sort((a, b) => a.rate - b.rate)[Math.floor(x.length / 2)]!;
      const rates = (x: WsResult[]) => x.map((r) => Math.round(r.rate)).join(' ');
      results[offers === 0 ? 'plain' : 'offers'] = { ours: median(runs.ours), btt: median(runs.btt) };
      detail.push(
        `${offers} offers, each run (announces/s): ours ${rates(runs.ours)}; bittorrent-tracker ${rates(runs.btt)}`,
      );
    } finally {
      await stop(ours);
      await stop(btt);
    }
  }
  const p = results.plain!;
  const o = results.offers!;
  const text =
    `${row(`WS announces (${CLIENTS} sockets)`, p.ours, p.btt)}\n` +
    `${row('WS, 5 offers of 1 KiB each', o.ours, o.btt)}\n` +
    `${detail.join('\n')}\n` +
    `offers relayed per second with 5 offers: ours ${Math.round(o.ours.relayed)}, bittorrent-tracker ${Math.round(o.btt.relayed)}\n` +
    `ratios ours/bittorrent-tracker (WebSocket): ${(p.ours.rate / p.btt.rate).toFixed(2)}x without offers, ` +
    `${(o.ours.rate / o.btt.rate).toFixed(2)}x with offers\n`;
  return { text, results };
}
