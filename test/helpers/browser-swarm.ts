/**
 * Browser swarms in private network namespaces, for the WebTorrent end-to-end tests and
 * `npm run bench:browser-offload`: real headless Chromium pages (WebRTC data channels, BEP 3 wire
 * protocol over them) and a real `seedcast serve`, on addresses that exist only inside namespaces
 * this helper makes (root and iproute2 needed: skipped loudly without, a failure under CI=true).
 *
 * Why namespaces: Chromium offers only the machine's network address as a WebRTC host candidate, so
 * pages and the site cannot meet on 127.0.0.1 in the machine's own namespace. Two layouts:
 * - `loopback`: one namespace with only `lo` up; the test process, the site and Chromium all in it,
 *   Chromium started with `--allow-loopback-in-peer-connection` (candidates on 127.0.0.1).
 * - `split`: the site in namespace A (`sc-site`, 10.77.0.1/24), the test process and its browsers in
 *   namespace B (`sc-view`, 10.77.0.2/24), joined by a veth pair. Everything the site sends to the
 *   viewers over every channel (HTTP, WebSocket, WebRTC over UDP, TCP) crosses `sc-site`, so its
 *   transmit counter in A's `/proc/net/dev` measures it from outside the site's process (WebRTC is
 *   sent with `sendmsg`, which `/proc/PID/io` does not count). IPv6 is off on the veth, so its
 *   counters carry only what the processes send.
 *
 * The test process must itself be inside (playwright-core starts Chromium as its child): a test file
 * calls `browserSwarm(import.meta.url, layout)` at top level. Run normally, that registers one test
 * which makes the namespaces, runs the same file again inside (`ip netns exec`, with
 * `SEEDCAST_BROWSER_SWARM` describing the namespaces), mirrors the inner run's top-level results as
 * its subtests (its TAP output shown on failure), and deletes the namespaces (killing what is left
 * in them) whatever happens. Run inside, it returns the `SwarmNet` and the file registers its tests.
 * The benchmark uses `makeSwarmNamespaces` and `swarmFromEnv` the same way without node:test.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

export type SwarmLayout = 'loopback' | 'split';

/** What the code running inside the namespaces knows about them. */
export interface SwarmNet {
  layout: SwarmLayout;
  /** The site's namespace (the same as the viewers' in `loopback`). */
  siteNs: string;
  viewerNs: string;
  /** The address the site listens on and the browsers reach it at. */
  siteHost: string;
  /** The site's end of the veth (`split` only). */
  siteLink?: string;
}

const ENV = 'SEEDCAST_BROWSER_SWARM';
const SITE_LINK = 'sc-site';
const VIEW_LINK = 'sc-view';
const SITE_ADDR = '10.77.0.1';
const VIEW_ADDR = '10.77.0.2';

/** Chromium's flags for swarm pages: the usual headless ones, WebRTC on loopback and raw addresses
 * (no mDNS host names) in candidates, and video allowed to play without a gesture. */
export const SWARM_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Starts chromium for swarm pages (inside the namespaces); the caller closes it. `secureOrigin` (the
 * site's origin in the split layout, `http://10.77.0.1:PORT`) is treated as secure, as
 * `http://127.0.0.1` is, so the page may register service workers.
 */
export function launchSwarmChromium(options: { secureOrigin?: string } = {}): Promise<Browser> {
  const args = [...SWARM_CHROMIUM_ARGS];
  if (options.secureOrigin) args.push(`--unsafely-treat-insecure-origin-as-secure=${options.secureOrigin}`);
  return chromium.launch({ executablePath: CHROMIUM, args, timeout: 120_000 });
}

/** The namespaces this process runs in, when it was started inside them. */
export function swarmFromEnv(): SwarmNet | undefined {
  const raw = process.env[ENV];
  return raw ? (JSON.parse(raw) as SwarmNet) : undefined;
}

/** `command args...` run in the site's namespace (as is in `loopback`: it is this process's one). */
export function inSiteNs(net: SwarmNet, command: string, args: string[]): [string, string[]] {
  return net.layout === 'split' ? ['ip', ['netns', 'exec', net.siteNs, command, ...args]] : [command, args];
}

/** Bytes the site's namespace has sent to the viewers' over the veth so far (`split` only). */
export function siteSentBytes(net: SwarmNet): number {
  if (net.layout !== 'split' || !net.siteLink)
    throw new Error('veth counters exist only in the split layout');
  const out = spawnSync('ip', ['netns', 'exec', net.siteNs, 'cat', '/proc/net/dev'], { encoding: 'utf8' });
  const line = out.stdout.split('\n').find((l) => l.trim().startsWith(`${net.siteLink}:`));
  if (!line) throw new Error(`no ${net.siteLink} in ${net.siteNs}'s /proc/net/dev: ${out.stderr}`);
  // face: rx bytes, packets, errs, drop, fifo, frame, compressed, multicast, then tx bytes
  const fields = line
    .slice(line.indexOf(':') + 1)
    .trim()
    .split(/\s+/);
  return Number(fields[8]);
}

export interface SwarmNamespaces {
  net: SwarmNet;
  /** The environment that tells a process inside what `swarmFromEnv` returns. */
  env: NodeJS.ProcessEnv;
  /** `command args...` run in the viewers' namespace. */
  wrap(command: string, args: string[]): [string, string[]];
  /** Kills what still runs inside, deletes the namespaces (idempotent, synchronous). */
  dispose(): void;
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function swarmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'run as root (network namespaces)';
  if (spawnSync('sh', ['-c', 'command -v ip'], { stdio: 'ignore' }).status !== 0) return 'install iproute2';
  return undefined;
}

function sh(ns: string | undefined, script: string): void {
  const args = ns ? ['netns', 'exec', ns, 'sh', '-ec', script] : ['sh', '-ec', script];
  const out = spawnSync(ns ? 'ip' : 'sh', ns ? args : args.slice(1), { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`namespace setup failed (${script}): ${out.stderr.trim()}`);
}

/** Makes the namespaces of `layout` (throws if it cannot; see `swarmUnavailable`). */
export function makeSwarmNamespaces(layout: SwarmLayout): SwarmNamespaces {
  const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const viewerNs = `seedcast-view-${tag}`;
  const siteNs = layout === 'split' ? `seedcast-site-${tag}` : viewerNs;
  const made: string[] = [];
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const ns of made) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
  };
  process.once('exit', dispose);
  try {
    for (const ns of new Set([viewerNs, siteNs])) {
      sh(undefined, `ip netns add ${ns}`);
      made.push(ns);
      sh(ns, 'ip link set lo up');
    }
    // Chromium, without a camera or microphone permission, does not list the machine's interfaces:
    // it offers the address of its default route only (where a socket "connected" to a public
    // address would send from), so each namespace gets a default route: over `lo` (127.0.0.1), or
    // over the veth (its own 10.77.0.x). Nothing is routed further: no address exists beyond.
    if (layout === 'loopback') sh(viewerNs, 'ip route add default dev lo');
    if (layout === 'split') {
      sh(
        undefined,
        `ip -n ${siteNs} link add ${SITE_LINK} type veth peer name ${VIEW_LINK} netns ${viewerNs}`,
      );
      for (const [ns, link, addr] of [
        [siteNs, SITE_LINK, SITE_ADDR],
        [viewerNs, VIEW_LINK, VIEW_ADDR],
      ] as const) {
        sh(
          ns,
          `sysctl -qw net.ipv6.conf.${link}.disable_ipv6=1; ip addr add ${addr}/24 dev ${link}; ip link set ${link} up; ip route add default dev ${link}`,
        );
      }
    }
  } catch (err) {
    dispose();
    throw err;
  }
  const net: SwarmNet = {
    layout,
    siteNs,
    viewerNs,
    siteHost: layout === 'split' ? SITE_ADDR : '127.0.0.1',
    ...(layout === 'split' ? { siteLink: SITE_LINK } : {}),
  };
  return {
    net,
    env: { ...process.env, [ENV]: JSON.stringify(net) },
    wrap: (command, args) => ['ip', ['netns', 'exec', viewerNs, command, ...args]],
    dispose,
  };
}

interface TapResult {
  name: string;
  ok: boolean;
  skip?: string;
  detail: string;
}

/**
 * The top-level results of a TAP stream (`ok N - name`, `not ok N - name # SKIP why`); `detail` is
 * everything the stream said about that test (its subtests and the YAML after it).
 */
export function topLevelResults(tap: string): TapResult[] {
  const results: TapResult[] = [];
  const lines = tap.split('\n');
  let from = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/.exec(lines[i]!);
    if (!m) continue;
    let end = i + 1;
    while (end < lines.length && lines[end]!.startsWith('  ')) end++;
    results.push({
      name: m[2]!.replace(/\\#/g, '#'),
      ok: m[1] === 'ok',
      ...(m[3] === 'SKIP' ? { skip: m[4] || 'skipped' } : {}),
      detail: lines.slice(from, end).join('\n'),
    });
    from = end;
  }
  return results;
}

function unavailable(t: TestContext, why: string): void {
  const message = `browser swarm namespaces are needed: ${why}`;
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.once('close', (code) => r(code)));
}

/**
 * Inside the namespaces: the `SwarmNet` (register the tests). Outside: registers the test that
 * runs this file inside them, and returns undefined.
 */
export function browserSwarm(
  fileUrl: string,
  layout: SwarmLayout,
  options: { timeoutMs?: number } = {},
): SwarmNet | undefined {
  const inside = swarmFromEnv();
  if (inside) return inside;
  const file = fileURLToPath(fileUrl);
  const timeout = options.timeoutMs ?? 15 * 60_000;
  test(`${basename(file)} inside ${layout} network namespaces`, { timeout }, async (t) => {
    const why = swarmUnavailable();
    if (why) return unavailable(t, why);
    const spaces = makeSwarmNamespaces(layout);
    t.after(() => spaces.dispose());
    const [cmd, args] = spaces.wrap(process.execPath, [
      ...[
        '--import',
        import.meta.resolve('tsx'),
        '--test-reporter=tap',
        '--test-reporter-destination=stdout',
      ],
      file,
    ]);
    // The inner run reports in TAP to us (not in the runner's serialized form to our parent).
    const { NODE_TEST_CONTEXT: _, ...env } = spaces.env;
    const child = spawn(cmd, args, {
      cwd: resolve(fileURLToPath(new URL('../..', import.meta.url))),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tap = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      tap += d;
    });
    child.stderr!.pipe(process.stderr, { end: false });
    const code = await waitExit(child);
    const results = topLevelResults(tap);
    if (code !== 0) process.stderr.write(`--- TAP of the run inside the namespaces ---\n${tap}\n---\n`);
    for (const r of results) {
      await t.test(r.name, r.skip ? { skip: r.skip } : {}, () => {
        if (!r.ok) throw new Error(`failed inside the namespaces:\n${r.detail}`);
      });
    }
    if (code !== 0 && !results.some((r) => !r.ok))
      throw new Error(`the run inside the namespaces exited with ${code}:\n${tap.slice(-4000)}`);
    if (results.length === 0) throw new Error(`no results from inside the namespaces:\n${tap.slice(-4000)}`);
  });
  return undefined;
}
