/**
 * Trackerless torrents through the DHT (BEP 5), with libtorrent as the other node and peer:
 * (a) libtorrent seeds with its DHT on; `seedcast download '<magnet with no tr=>' --dht-bootstrap
 *     <libtorrent's DHT node>` finds it in the DHT, fetches the metadata (ut_metadata) and the data,
 *     byte-exact;
 * (b) the reverse: `seedcast seed` joins the DHT alone; libtorrent, bootstrapped to Seedcast's node
 *     only, downloads the trackerless magnet from it;
 * (c) the same two with aria2c 1.36 (`--enable-dht`, `--dht-entry-point`) in libtorrent's place.
 * Neither side has a tracker, a web seed or the other's address: only the DHT can bring them
 * together. No public router is contacted (libtorrent's `dht_bootstrap_nodes` is empty, Seedcast's
 * bootstrap is named).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { aria2Download } from './helpers/aria2.js';
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

/** A 3 MiB + odd file and its v1 torrent without any tracker (made by libtorrent). */
function makeTorrent(dir: string): { file: string; torrent: string; infoHash: string; bytes: Buffer } {
  const src = join(dir, 'src');
  mkdirSync(src);
  const bytes = randomBytes(3 * 1024 * 1024 + 12_345);
  const file = join(src, 'episode.ogg');
  writeFileSync(file, bytes);
  const torrent = join(dir, 'episode.torrent');
  const made = JSON.parse(run(LIBTORRENT_PYTHON, [LT_TOOL, 'create', file, torrent, 'v1', '65536'])) as {
    v1: string;
  };
  return { file, torrent, infoHash: made.v1, bytes };
}

describe('engine-dht-trackerless', () => {
  it('seedcast download of a magnet with no tr= finds a libtorrent seed through the DHT', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t);
    const { torrent, infoHash, bytes } = makeTorrent(dir);
    const seeder = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'dht-seed', torrent, join(dir, 'src')]);
    const ltPort = Number((await seeder.waitFor(/"port": (\d+)/))[1]);
    const out = join(dir, 'out');
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=episode.ogg`;
    const result = await runCli(
      [
        'download',
        magnet,
        '-o',
        out,
        '--port',
        String(await freePort()),
        '--dht-bootstrap',
        `127.0.0.1:${ltPort}`,
      ],
      { env: { SEEDCAST_HOME: join(dir, 'home') } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /complete: /);
    assert.ok(readFileSync(join(out, 'episode.ogg')).equals(bytes), 'byte-exact');
    // The routing table learnt from libtorrent's node is kept for the next start.
    const state = JSON.parse(readFileSync(join(dir, 'home', 'dht.json'), 'utf8')) as {
      nodes: { host: string; port: number }[];
    };
    assert.ok(
      state.nodes.some((n) => n.host === '127.0.0.1' && n.port === ltPort),
      `libtorrent's node saved: ${JSON.stringify(state)}`,
    );
    seeder.child.stdin?.end();
    await seeder.exited;
  });

  it("libtorrent bootstrapped to seedcast seed's DHT node downloads the trackerless magnet from it", async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t);
    const { file, torrent, infoHash, bytes } = makeTorrent(dir);
    const port = await freePort();
    const seed = startCli(
      t,
      ['seed', torrent, file, '--port', String(port), '--dht-bootstrap', 'none', '-q'],
      {
        env: { SEEDCAST_HOME: join(dir, 'home') },
      },
    );
    await seed.waitFor(/seeding episode\.ogg/);
    const save = join(dir, 'lt');
    mkdirSync(save);
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=episode.ogg`;
    const got = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        const lt = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'dht-download', magnet, save, `127.0.0.1:${port}`]);
        lt.exited.then((code) =>
          code === 0 ? resolve(lt.output().trim().split('\n').pop()!) : reject(new Error(lt.output())),
        );
      }),
    ) as { have: number; total: number };
    assert.equal(got.have, got.total, JSON.stringify(got));
    assert.ok(got.total > 0);
    assert.ok(readFileSync(join(save, 'episode.ogg')).equals(bytes), 'byte-exact');
    assert.equal(await seed.stop(), 0);
  });

  it('aria2c seeding with its DHT on serves seedcast download of a magnet with no tr=', async (t) => {
    if (!requireTools(t, 'libtorrent', 'aria2c')) return;
    const dir = tempDir(t);
    const { torrent, infoHash, bytes } = makeTorrent(dir);
    const dhtPort = await freePort();
    // biome-ignore format: one aria2c option a line
    start(t, 'aria2c', [
      `--dir=${join(dir, 'src')}`, `--listen-port=${await freePort()}`,
      '--enable-dht=true', `--dht-listen-port=${dhtPort}`, `--dht-file-path=${join(dir, 'aria2-dht.dat')}`,
      '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
      '--seed-ratio=0.0', '--bt-seed-unverified=true', '--summary-interval=0', torrent,
    ]);
    const out = join(dir, 'out');
    const magnet = `magnet:?xt=urn:btih:${infoHash}&dn=episode.ogg`;
    const result = await runCli(
      [
        'download',
        magnet,
        '-o',
        out,
        '--port',
        String(await freePort()),
        '--dht-bootstrap',
        `127.0.0.1:${dhtPort}`,
      ],
      { env: { SEEDCAST_HOME: join(dir, 'home') } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(readFileSync(join(out, 'episode.ogg')).equals(bytes), 'byte-exact');
  });

  it("aria2c bootstrapped to seedcast seed's DHT node downloads the trackerless magnet from it", async (t) => {
    if (!requireTools(t, 'libtorrent', 'aria2c')) return;
    const dir = tempDir(t);
    const { file, torrent, infoHash, bytes } = makeTorrent(dir);
    const port = await freePort();
    const seed = startCli(
      t,
      ['seed', torrent, file, '--port', String(port), '--dht-bootstrap', 'none', '-q'],
      {
        env: { SEEDCAST_HOME: join(dir, 'home') },
      },
    );
    await seed.waitFor(/seeding episode\.ogg/);
    const out = join(dir, 'aria2');
    await aria2Download(t, out, `magnet:?xt=urn:btih:${infoHash}&dn=episode.ogg`, [
      '--enable-dht=true',
      `--dht-listen-port=${await freePort()}`,
      `--dht-entry-point=127.0.0.1:${port}`,
      `--dht-file-path=${join(dir, 'aria2-dht.dat')}`,
      '--bt-stop-timeout=120',
    ]);
    assert.ok(readFileSync(join(out, 'episode.ogg')).equals(bytes), 'byte-exact');
    assert.equal(await seed.stop(), 0);
  });
});
