/**
 * The downloaders of `bench:offload`: each kind of client started as a group that downloads one
 * `.torrent` from the site alone and stays in the swarm (seeding) until the benchmark stops it, as
 * BitTorrent clients normally do, so early finishers keep trading with the others.
 *
 * - `seedcast`: `seedcast download --seed` processes (our engine).
 * - `seedcast-one`: N engines in one Node process (`bench/offload-engines.ts`), to tell the
 *   engine's cost from the cost of N processes.
 * - `libtorrent`: sessions in one /usr/bin/python3 process (`test/helpers/lt_tool.py swarm`).
 * - `libtorrent-procs`: one /usr/bin/python3 process per session (`lt_tool.py swarm ... 1`), the
 *   same split seen from libtorrent's side.
 * - `aria2c`: aria2c 1.36 processes, DHT, LSD off, PEX on, `--seed-ratio=0.0` (seed until stopped),
 *   each on its own listening port; the torrent's web seed (`url-list`) is used as aria2 does by
 *   default (it downloads from web seeds and peers at once).
 *
 * A group resolves `done` with each downloader's completion time (seconds since `started`).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The kinds `mixed` takes in turn. */
export const CLIENT_KINDS = ['seedcast', 'libtorrent', 'aria2c'] as const;
/** Kinds that split one client's cost: the same client in one process or in N. */
export const SPLIT_KINDS = ['seedcast-one', 'libtorrent-procs'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number] | (typeof SPLIT_KINDS)[number];
const ENGINES = resolve('bench/offload-engines.ts');

const BIN = resolve('bin/seedcast.js');
export const PY = '/usr/bin/python3';
const LT = resolve('test/helpers/lt_tool.py');

export interface Proc {
  child: ChildProcess;
  out: () => string;
  waitFor: (re: RegExp, ms?: number) => Promise<RegExpMatchArray>;
  stop: () => Promise<void>;
  /** CPU seconds (user + system) the process has used so far; 0 once it has exited. */
  cpuSeconds: () => number;
}

/** User + system CPU seconds of a running process (/proc/PID/stat, clock ticks of 1/100 s). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export function start(cmd: string, args: string[], timeoutMs: number): Proc {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    out: () => out,
    waitFor: (re, ms = timeoutMs) =>
      new Promise((resolveWait, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${re}: ${out.slice(-2000)}`)),
          ms,
        );
        const check = () => {
          const m = re.exec(out);
          if (m) {
            clearTimeout(timer);
            listeners.delete(check);
            resolveWait(m);
          }
        };
        listeners.add(check);
        child.once('exit', (code) => {
          if (!re.exec(out)) {
            clearTimeout(timer);
            reject(new Error(`${cmd} exited (${code}) before ${re}: ${out.slice(-2000)}`));
          }
        });
        check();
      }),
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface Group {
  kind: ClientKind;
  /** Completion times in seconds since `started`, once all of the group are complete. */
  done: Promise<number[]>;
  /** The downloaded file of each member. */
  copies: string[];
  procs: Proc[];
}

export interface GroupOptions {
  kind: ClientKind;
  count: number;
  torrent: string;
  /** Folder under which each member gets its own download folder. */
  dir: string;
  /** The torrent's file name. */
  fileName: string;
  started: number;
  timeoutMs: number;
}

/** BENCH_CPU_PROF=<dir>: the seedcast-one process, or each `seedcast download`, writes a V8 CPU profile there (`--cpu-prof`). */
function profile(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Starts `count` downloaders of one kind. */
export function startGroup(o: GroupOptions): Group {
  const since = () => (performance.now() - o.started) / 1000;
  const dirs = Array.from({ length: o.count }, (_, i) => join(o.dir, `${o.kind}-${i}`));
  if (o.kind === 'libtorrent' || o.kind === 'seedcast-one') {
    // One process, N peers; each prints {"complete": i, "seconds": s} and {"all": n} at the end.
    const folder = join(o.dir, o.kind);
    const swarm =
      o.kind === 'libtorrent'
        ? start(PY, [LT, 'swarm', o.torrent, folder, String(o.count)], o.timeoutMs)
        : start(
            'node',
            [...profile(), '--import', 'tsx', ENGINES, o.torrent, folder, String(o.count)],
            o.timeoutMs,
          );
    const done = swarm
      .waitFor(new RegExp(`"all": ?${o.count}\\b`))
      .then(() =>
        [...swarm.out().matchAll(/"complete": ?\d+, ?"seconds": ?([\d.]+)/g)].map((m) => Number(m[1])),
      );
    const copies = dirs.map((_, i) => join(folder, String(i), o.fileName));
    return { kind: o.kind, done, copies, procs: [swarm] };
  }
  if (o.kind === 'libtorrent-procs') {
    const procs = dirs.map((dir) => start(PY, [LT, 'swarm', o.torrent, dir, '1'], o.timeoutMs));
    const done = Promise.all(procs.map((p) => p.waitFor(/"all": 1\b/).then(since)));
    return { kind: o.kind, done, copies: dirs.map((d) => join(d, '0', o.fileName)), procs };
  }
  const procs = dirs.map((dir) => {
    mkdirSync(dir, { recursive: true });
    if (o.kind === 'seedcast') {
      return start(
        'node',
        [...profile(), BIN, 'download', o.torrent, '-o', dir, '--seed', '--port', '0', '-q'],
        o.timeoutMs,
      );
    }
    return start(
      'aria2c',
      [
        `--dir=${dir}`,
        '--enable-dht=false',
        '--enable-dht6=false',
        '--bt-enable-lpd=false',
        '--enable-peer-exchange=true',
        '--seed-ratio=0.0',
        '--bt-max-peers=55',
        '--bt-hash-check-seed=false',
        '--file-allocation=none',
        '--console-log-level=notice',
        '--summary-interval=0',
        '--download-result=hide',
        '--listen-port=20000-40000',
        '--no-conf=true',
        o.torrent,
      ],
      o.timeoutMs,
    );
  });
  const complete = o.kind === 'seedcast' ? /complete: / : /SEED\(|Download complete: /;
  const done = Promise.all(procs.map((p) => p.waitFor(complete).then(since)));
  return { kind: o.kind, done, copies: dirs.map((d) => join(d, o.fileName)), procs };
}

/** How many of each kind `client` means (`mixed`: the kinds in turn, about a third each). */
export function mixOf(client: string, peers: number): [ClientKind, number][] {
  const single: readonly string[] = [...CLIENT_KINDS, ...SPLIT_KINDS];
  if (single.includes(client)) return [[client as ClientKind, peers]];
  if (client !== 'mixed') throw new Error(`--client is ${single.join(', ')} or mixed`);
  return CLIENT_KINDS.map(
    (k, i) => [k, Math.floor(peers / 3) + (i < peers % 3 ? 1 : 0)] as [ClientKind, number],
  ).filter(([, n]) => n > 0);
}
