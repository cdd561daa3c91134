/**
 * The engine against the clients people run, each transfer checked byte for byte:
 * we seed -> libtorrent, aria2c and transmission download; libtorrent seeds -> we download from a
 * .torrent and from a magnet link; a swarm of one seeder and several of our clients finishes through
 * our tracker.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import {
  freePort,
  LIBTORRENT_PYTHON,
  requireTools,
  run,
  runCli,
  start,
  startCli,
  tempDir,
} from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

interface Content {
  dir: string;
  folder: string;
  files: Record<string, Buffer>;
  torrent: string;
  infoHash: string;
}

/** A multi-file folder with odd sizes, and its torrent (announcing to `tracker` when given). */
async function content(
  t: TestContext,
  options: { tracker?: string; version?: string } = {},
): Promise<Content> {
  const dir = tempDir(t);
  const folder = join(dir, 'seed', 'Episode 7');
  mkdirSync(join(folder, 'extras'), { recursive: true });
  const files: Record<string, Buffer> = {
    'episode.webm': randomBytes(6_000_001),
    'extras/notes.txt': randomBytes(12_345),
    'extras/cover.png': randomBytes(300_000),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);
  const torrent = join(dir, 'episode.torrent');
  const args = [
    'create',
    folder,
    '-o',
    torrent,
    '--piece-length',
    '65536',
    `--${options.version ?? 'hybrid'}`,
  ];
  if (options.tracker) args.push('-a', options.tracker);
  const created = await runCli(args);
  assert.equal(created.code, 0, created.stderr);
  const infoHash = parseTorrent(readFileSync(torrent)).infoHash;
  return { dir, folder, files, torrent, infoHash };
}

function assertSameFiles(folder: string, files: Record<string, Buffer>): void {
  for (const [name, data] of Object.entries(files)) {
    const path = join(folder, name);
    assert.ok(existsSync(path), `${path} exists`);
    assert.ok(readFileSync(path).equals(data), `${name} has the same bytes`);
  }
}

async function startTracker(t: TestContext, host = '127.0.0.1'): Promise<string> {
  const port = await freePort();
  const tracker = startCli(t, ['tracker', '--host', host, '--port', String(port)]);
  await tracker.waitFor(/listening on/);
  return `http://${host}:${port}/announce`;
}

/** This machine's first non-loopback IPv4 address (Transmission ignores 127.x peers from trackers). */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

async function startSeed(t: TestContext, c: Content) {
  const port = await freePort();
  const seeder = startCli(t, ['seed', c.torrent, join(c.dir, 'seed'), '--port', String(port)]);
  await seeder.waitFor(/seeding .* (\d+)\/\1 pieces verified/);
  return { seeder, port };
}

/** Poll until every file is complete (for clients that keep running after they finish). */
async function waitForFiles(
  folder: string,
  files: Record<string, Buffer>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const done = Object.entries(files).every(([name, data]) => {
      const path = join(folder, name);
      return existsSync(path) && readFileSync(path).equals(data);
    });
    if (done) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assertSameFiles(folder, files);
}

describe('we seed, real clients download', { timeout: 240_000 }, () => {
  it('libtorrent downloads from our seeder', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const c = await content(t);
    const { port } = await startSeed(t, c);
    const out = join(c.dir, 'lt');
    const result = JSON.parse(
      run(LIBTORRENT_PYTHON, [LT_TOOL, 'download', c.torrent, out, `127.0.0.1:${port}`]),
    );
    assert.equal(result.have, result.total);
    assertSameFiles(join(out, 'Episode 7'), c.files);
  });

  // aria2 1.36 computes a wrong info hash for hybrid torrents (it drops the v2 file tree), so v1.
  it('aria2c finds our seeder through our tracker and downloads', async (t) => {
    if (!requireTools(t, 'aria2c')) return;
    const tracker = await startTracker(t);
    const c = await content(t, { tracker, version: 'v1' });
    await startSeed(t, c);
    const out = join(c.dir, 'aria2');
    const aria = start(t, 'aria2c', [
      '--dir',
      out,
      '--seed-time=0',
      '--enable-dht=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      `--listen-port=${await freePort()}`,
      '--bt-stop-timeout=120',
      '--console-log-level=warn',
      '--summary-interval=0',
      c.torrent,
    ]);
    const code = await aria.exited;
    assert.equal(code, 0, aria.output().slice(-2000));
    assertSameFiles(join(out, 'Episode 7'), c.files);
  });

  it('transmission finds our seeder through our tracker and downloads', async (t) => {
    if (!requireTools(t, 'transmission-cli')) return;
    const host = lanAddress();
    assert.ok(host, 'a non-loopback IPv4 address for Transmission');
    const tracker = await startTracker(t, host);
    const c = await content(t, { tracker, version: 'v1' });
    await startSeed(t, c);
    const out = join(c.dir, 'transmission');
    mkdirSync(out);
    const config = join(c.dir, 'tr-config');
    mkdirSync(config);
    const settings = {
      'dht-enabled': false,
      'lpd-enabled': false,
      'utp-enabled': false,
      'port-forwarding-enabled': false,
    };
    writeFileSync(join(config, 'settings.json'), JSON.stringify(settings));
    const tr = start(t, 'transmission-cli', [
      '-w',
      out,
      '-g',
      config,
      '-p',
      String(await freePort()),
      '-et',
      c.torrent,
    ]);
    await waitForFiles(join(out, 'Episode 7'), c.files);
    await tr.stop('SIGKILL');
  });
});

describe('real clients seed, we download', { timeout: 240_000 }, () => {
  async function ltSeeder(t: TestContext, c: Content): Promise<number> {
    const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', c.torrent, join(c.dir, 'seed')]);
    const m = await seeder.waitFor(/"port": (\d+)/);
    return Number(m[1]);
  }

  it('we download from a libtorrent seeder with the .torrent', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const c = await content(t);
    const port = await ltSeeder(t, c);
    const out = join(c.dir, 'ours');
    const result = await runCli([
      'download',
      c.torrent,
      '-o',
      out,
      '--peer',
      `127.0.0.1:${port}`,
      '--port',
      String(await freePort()),
    ]);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assert.match(result.stdout, /complete: /);
    assertSameFiles(join(out, 'Episode 7'), c.files);
  });

  it('we download from a libtorrent seeder with a magnet link (metadata over BEP 9)', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const c = await content(t);
    const port = await ltSeeder(t, c);
    const out = join(c.dir, 'magnet');
    const magnet = `magnet:?xt=urn:btih:${c.infoHash}&dn=Episode%207&x.pe=127.0.0.1:${port}`;
    const result = await runCli(['download', magnet, '-o', out, '--port', String(await freePort())]);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assertSameFiles(join(out, 'Episode 7'), c.files);
  });
});

describe('swarm', { timeout: 240_000 }, () => {
  it('one seeder and three of our clients all finish through our tracker', async (t) => {
    const tracker = await startTracker(t);
    const c = await content(t, { tracker });
    await startSeed(t, c);
    const outs = [1, 2, 3].map((i) => join(c.dir, `leech-${i}`));
    const results = await Promise.all(
      outs.map(async (out) => runCli(['download', c.torrent, '-o', out, '--port', String(await freePort())])),
    );
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 0, `leecher ${i}: ${r.stderr.slice(-1500)}`);
      assertSameFiles(join(outs[i]!, 'Episode 7'), c.files);
    }
  });
});
