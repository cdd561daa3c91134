/**
 * Every BitTorrent client of the interop tests behind one interface (aria2c 1.36, Transmission 3.00's
 * transmission-cli, libtorrent 2.0.8 through `lt_tool.py`, and `seedcast seed` / `seedcast download`):
 * `loadTorrent` (does it open the torrent, which v1 info hash does it compute), `seedWith` (seed a
 * local copy) and `downloadWith` (download until complete or a deadline).
 *
 * Transmission 3 ignores peers at 127.x that trackers hand out, so `makeNetns` builds a network
 * namespace joined to this one by a veth pair with addresses of its own (10.x.y.1 here, 10.x.y.2
 * inside; root and iproute2 needed): Transmission runs inside it (`ns`), everything else listens on
 * all addresses here and announces to a tracker at the host side's address. Transmission 3 keeps one
 * peer per IP address (a second peer at an address it knows is never tried), so a client that must
 * be told apart from the site's peer binds to the host side's second address (`bind`, aria2c and
 * libtorrent only). Used by the CI tests and
 * by `scripts/interop-matrix.ts`, so a cleanup registry is all it asks of its caller (a TestContext
 * is one).
 */

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { cliArgv } from './cli-entry.js';
import { freePort, LIBTORRENT_PYTHON } from './tools.js';

export type ClientName = 'aria2c' | 'transmission' | 'libtorrent' | 'seedcast';
export const CLIENTS: readonly ClientName[] = ['aria2c', 'transmission', 'libtorrent', 'seedcast'];

/** Anything that runs functions when the work ends (`TestContext.after`, or the script's own). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

const LT_TOOL = new URL('./lt_tool.py', import.meta.url).pathname;

/** A network namespace joined to this one by a veth pair. */
export interface Netns {
  name: string;
  /** This side's address (listen and announce here). */
  hostIp: string;
  /** A second address on this side (for a peer Transmission must not take for the first). */
  hostIp2: string;
  /** The address inside the namespace. */
  nsIp: string;
}

/** True when this process can make network namespaces (root, `ip`). */
export function canMakeNetns(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** A fresh namespace with a veth pair on a random 10.x.y.0/29; removed (with its pair) at cleanup. */
export function makeNetns(c: Cleanup): Netns {
  const id = randomBytes(3);
  const tag = id.toString('hex');
  const name = `sc-${tag}`;
  const [a, b] = [`vsh${tag}`, `vsn${tag}`];
  const net = `10.${200 + (id[0]! % 50)}.${id[1]}`;
  const low = (id[2]! % 32) * 8; // the /29's first address
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  ip('netns', 'add', name);
  c.after(() => spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' }));
  ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  c.after(() => spawnSync('ip', ['link', 'del', a], { stdio: 'ignore' }));
  ip('link', 'set', b, 'netns', name);
  ip('addr', 'add', `${net}.${low + 1}/29`, 'dev', a);
  ip('addr', 'add', `${net}.${low + 3}/29`, 'dev', a);
  ip('link', 'set', a, 'up');
  ip('netns', 'exec', name, 'ip', 'addr', 'add', `${net}.${low + 2}/29`, 'dev', b);
  ip('netns', 'exec', name, 'ip', 'link', 'set', b, 'up');
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  return { name, hostIp: `${net}.${low + 1}`, hostIp2: `${net}.${low + 3}`, nsIp: `${net}.${low + 2}` };
}

/** A child process whose output is kept, killed at cleanup. */
export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match in the output; null when the process exits or the time is up. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray | null>;
  exited: Promise<number | null>;
  stop(): Promise<string>;
}

export function proc(
  c: Cleanup,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  ns?: Netns,
): Proc {
  const [cmd, argv] = ns ? ['ip', ['netns', 'exec', ns.name, command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-200_000);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let closed = false;
  exited.then(() => {
    closed = true;
    for (const l of listeners) l();
  });
  c.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, ms) {
      return new Promise((resolve) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m || closed) finish(m);
        };
        const timer = setTimeout(() => finish(null), ms);
        const finish = (m: RegExpMatchArray | null) => {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(m);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return out;
    },
  };
}

/** `seedcast` as a user runs it (the built CLI; from source when dist/ is stale: ./cli-entry.ts). */
const seedcastArgs = cliArgv;

/** Transmission's config folder: no DHT, LPD, uTP, PEX or port mapping (only the torrent's swarm). */
function transmissionConfig(dir: string): string {
  const config = join(dir, `tr-config-${randomBytes(3).toString('hex')}`);
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({
      'dht-enabled': false,
      'lpd-enabled': false,
      'utp-enabled': false,
      'pex-enabled': false,
      'port-forwarding-enabled': false,
      'message-level': 2,
    }),
  );
  return config;
}

export interface Loaded {
  ok: boolean;
  /** The v1 info hash the client computes (hex), when it tells. */
  infoHash?: string;
  message: string;
}

/** Does `client` open `torrent`, and which v1 info hash does it compute? */
export function loadTorrent(client: ClientName, torrent: string): Loaded {
  const runIt = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
    return { ok: r.status === 0, text: `${r.stdout}${r.stderr}` };
  };
  const firstLine = (text: string) => text.trim().split('\n').slice(-1)[0]?.slice(0, 160) ?? '';
  if (client === 'aria2c') {
    const r = runIt('aria2c', ['-S', torrent]);
    const hash = /Info Hash: ([0-9a-f]{40})/i.exec(r.text)?.[1];
    // aria2c -S exits 0 even when it cannot read the torrent: its "Exception: ..." line says so
    const why = /Exception: (?:\[[^\]]*\] )?(.*)/.exec(r.text)?.[1] ?? firstLine(r.text);
    return { ok: r.ok && !!hash, infoHash: hash, message: r.ok && hash ? 'loaded' : why };
  }
  if (client === 'transmission') {
    const r = runIt('transmission-show', [torrent]);
    const hash = /Hash: ([0-9a-f]{40})/i.exec(r.text)?.[1];
    return { ok: r.ok && !!hash, infoHash: hash, message: r.ok && hash ? 'loaded' : firstLine(r.text) };
  }
  if (client === 'libtorrent') {
    const r = runIt(LIBTORRENT_PYTHON, [LT_TOOL, 'info', torrent]);
    if (!r.ok) return { ok: false, message: firstLine(r.text) };
    const info = JSON.parse(r.text.trim().split('\n').pop()!) as { v1: string | null };
    return { ok: true, ...(info.v1 ? { infoHash: info.v1 } : {}), message: 'loaded' };
  }
  const r = runIt(process.execPath, seedcastArgs(['info', torrent]));
  const hash = /Info hash:\s+([0-9a-f]{40})\b/i.exec(r.text)?.[1];
  return { ok: r.ok, ...(hash ? { infoHash: hash } : {}), message: r.ok ? 'loaded' : firstLine(r.text) };
}

/** A client seeding a local copy. */
export interface Seeder {
  client: ClientName;
  port: number;
  proc: Proc;
}

async function listening(port: number, host: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host, () => {
        s.destroy();
        resolve(true);
      }).once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * Seeds the copy under `data` (the folder holding the torrent's file or top folder) with `client`;
 * resolves once it is ready to serve (throws with its output when it does not get there).
 */
export async function seedWith(
  c: Cleanup,
  client: ClientName,
  options: { torrent: string; data: string; ns?: Netns; dir: string; bind?: string },
): Promise<Seeder> {
  const { torrent, data, ns, bind } = options;
  const port = await freePort();
  let p: Proc;
  let ready: Promise<unknown>;
  if (client === 'aria2c') {
    p = proc(c, 'aria2c', [
      `--dir=${data}`,
      '--check-integrity=true',
      '--seed-ratio=0.0',
      `--listen-port=${port}`,
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--file-allocation=none',
      '--summary-interval=1',
      '--bt-tracker-interval=5',
      ...(bind ? [`--interface=${bind}`] : []),
      torrent,
    ]);
    ready = p.waitFor(/SEED\(/, 60_000);
  } else if (client === 'libtorrent') {
    const env = bind ? { LT_LISTEN: `${bind}:${port}`, LT_OUTGOING: bind } : { LT_LISTEN: `0.0.0.0:${port}` };
    p = proc(c, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', torrent, data], env, ns);
    ready = p.waitFor(/"port"/, 60_000);
  } else if (client === 'seedcast') {
    p = proc(c, process.execPath, seedcastArgs(['seed', torrent, data, '--port', String(port)]), {}, ns);
    ready = listening(port, ns ? ns.nsIp : '127.0.0.1', 60_000);
  } else {
    const config = transmissionConfig(options.dir);
    p = proc(c, 'transmission-cli', ['-g', config, '-w', data, '-p', String(port), torrent], {}, ns);
    ready = p.waitFor(/Seeding/, 60_000);
  }
  if (!(await ready)) throw new Error(`${client} did not start seeding:\n${p.output().slice(-2000)}`);
  return { client, port, proc: p };
}

export interface Downloaded {
  ok: boolean;
  seconds: number;
  log: string;
  /** libtorrent only: bytes received from each peer. */
  peers?: { ip: string; client: string; received: number }[];
}

/** Downloads `torrent` into `out` with `client`; gives up after `ms`. */
export async function downloadWith(
  c: Cleanup,
  client: ClientName,
  options: { torrent: string; out: string; ns?: Netns; dir: string; ms: number; bind?: string },
): Promise<Downloaded> {
  const { torrent, out, ns, ms, bind } = options;
  mkdirSync(out, { recursive: true });
  const start = Date.now();
  const seconds = () => (Date.now() - start) / 1000;
  const port = await freePort();
  if (client === 'transmission') {
    const config = transmissionConfig(options.dir);
    const p = proc(c, 'transmission-cli', ['-g', config, '-w', out, '-p', String(port), torrent], {}, ns);
    const done = await p.waitFor(/Seeding/, ms);
    const log = await p.stop(); // a clean stop writes out its cache
    return { ok: !!done, seconds: seconds(), log: log.slice(-3000) };
  }
  let p: Proc;
  if (client === 'aria2c') {
    p = proc(
      c,
      'aria2c',
      [
        `--dir=${out}`,
        `--listen-port=${port}`,
        '--enable-dht=false',
        '--enable-dht6=false',
        '--bt-enable-lpd=false',
        '--enable-peer-exchange=false',
        '--seed-time=0',
        '--bt-save-metadata=false',
        '--file-allocation=none',
        '--summary-interval=0',
        '--console-log-level=warn',
        '--bt-tracker-interval=5',
        ...(bind ? [`--interface=${bind}`] : []),
        torrent,
      ],
      {},
      ns,
    );
  } else if (client === 'libtorrent') {
    const env = {
      LT_LISTEN: `${bind ?? '0.0.0.0'}:${port}`,
      LT_TIMEOUT: String(ms / 1000),
      ...(bind ? { LT_OUTGOING: bind } : {}),
    };
    p = proc(c, LIBTORRENT_PYTHON, [LT_TOOL, 'download', torrent, out], env, ns);
  } else {
    p = proc(
      c,
      process.execPath,
      seedcastArgs(['download', torrent, '-o', out, '--port', String(port)]),
      {},
      ns,
    );
  }
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await p.exited;
  clearTimeout(timer);
  const log = p.output();
  if (client !== 'libtorrent') return { ok: code === 0, seconds: seconds(), log: log.slice(-3000) };
  try {
    const r = JSON.parse(log.trim().split('\n').pop()!) as {
      have: number;
      total: number;
      peers: Downloaded['peers'];
    };
    return {
      ok: r.have === r.total && r.total > 0,
      seconds: seconds(),
      log: log.slice(-3000),
      peers: r.peers ?? [],
    };
  } catch {
    return { ok: false, seconds: seconds(), log: log.slice(-3000) };
  }
}
