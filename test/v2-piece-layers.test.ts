/**
 * BEP 52 piece layers from peers, end to end with libtorrent 2.0.8 (python3-libtorrent) and between
 * Seedcast processes. The torrents are made by our creator; the "layer-less" ones have the top-level
 * `piece layers` removed (decoded and re-encoded with our bencode: `info`, and so the info hashes,
 * unchanged), which is also all a magnet's metadata holds.
 *
 * - `seedcast download` of a v2 torrent without layers, and of its v2 magnet, from a libtorrent seed:
 *   the layers come in `hashes` answers (checked against each file's pieces root), byte-exact files;
 * - the same for a hybrid without layers (its pieces are checked by SHA-1);
 * - libtorrent downloads the v2 magnet (and the hybrid's) from `seedcast seed` of the layer-less
 *   torrent: the seed hashes the layers from its files and answers libtorrent's hash requests;
 * - one Seedcast process downloads the v2 magnet from another.
 */

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type BDict, decode, encode } from '../src/bencode/index.js';
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
const QUIET = ['--no-dht', '--no-lsd'];

/** Deterministic bytes (xorshift32). */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

// a.bin: 550 pieces of 16 KiB, so two runs of hashes (512 + 64) with uncle hashes; c.bin: one piece.
const FILES: Record<string, Buffer> = {
  'a.bin': bytes(9_000_001, 7),
  'b.bin': bytes(300_000, 11),
  'c.bin': bytes(5000, 13),
};

async function content(t: TestContext, version: 'v2' | 'hybrid') {
  const dir = tempDir(t, 'seedcast-v2-layers-');
  const folder = join(dir, 'seed', 'Layers');
  mkdirSync(folder, { recursive: true });
  for (const [name, data] of Object.entries(FILES)) writeFileSync(join(folder, name), data);
  const full = join(dir, `${version}.torrent`);
  const created = await runCli(['create', folder, '-o', full, '--piece-length', '16384', `--${version}`]);
  assert.equal(created.code, 0, created.stderr);
  const top = decode(readFileSync(full)) as BDict;
  assert.ok(top.has('piece layers'));
  top.delete('piece layers');
  const bare = join(dir, `${version}-no-layers.torrent`);
  writeFileSync(bare, encode(top));
  const meta = parseTorrent(readFileSync(bare));
  assert.equal(meta.pieceLayers.size, 0);
  assert.equal(meta.infoHashV2, parseTorrent(readFileSync(full)).infoHashV2, 'info untouched');
  const hashes = meta.infoHashV2!;
  const magnet =
    version === 'v2'
      ? `magnet:?xt=urn:btmh:1220${hashes}&dn=Layers`
      : `magnet:?xt=urn:btih:${meta.infoHash}&xt=urn:btmh:1220${hashes}&dn=Layers`;
  return { dir, full, bare, magnet, seedPath: join(dir, 'seed') };
}

function assertSameFiles(folder: string): void {
  for (const [name, data] of Object.entries(FILES)) {
    assert.ok(readFileSync(join(folder, name)).equals(data), `${name} is byte-exact`);
  }
}

async function libtorrentSeed(t: TestContext, torrent: string, path: string): Promise<number> {
  const seed = start(t, LIBTORRENT_PYTHON, [LT_TOOL, 'seed', torrent, path]);
  return Number((await seed.waitFor(/"port": (\d+)/))[1]);
}

async function seedcastSeed(t: TestContext, torrent: string, path: string): Promise<number> {
  const port = await freePort();
  const seed = startCli(t, ['seed', torrent, path, '--port', String(port), ...QUIET]);
  await seed.waitFor(/seeding .* (\d+)\/\1 pieces verified/);
  return port;
}

async function seedcastDownload(source: string, out: string, port: number) {
  const result = await runCli(
    ['download', source, '-o', out, '--peer', `127.0.0.1:${port}`, '-q', ...QUIET],
    {
      env: { SEEDCAST_DEBUG: '1' },
    },
  );
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  return result;
}

describe('v2 piece layers from peers (BEP 52 hash requests)', { timeout: 110_000 }, () => {
  it('seedcast downloads a v2 torrent without piece layers, and its v2 magnet, from libtorrent', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const c = await content(t, 'v2');
    const port = await libtorrentSeed(t, c.full, c.seedPath);
    for (const [what, source] of [
      ['torrent', c.bare],
      ['magnet', c.magnet],
    ] as const) {
      const out = join(c.dir, `out-${what}`);
      const result = await seedcastDownload(source, out, port);
      // Every piece of a.bin and b.bin was checked against a layer that came from libtorrent.
      assert.match(result.stderr, /piece layer of \S+ complete \(550 hashes\)/, what);
      assert.match(result.stderr, /piece layer of \S+ complete \(19 hashes\)/, what);
      assertSameFiles(join(out, 'Layers'));
    }
  });

  it('seedcast downloads a hybrid torrent without piece layers from libtorrent', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const c = await content(t, 'hybrid');
    const port = await libtorrentSeed(t, c.full, c.seedPath);
    for (const [what, source] of [
      ['torrent', c.bare],
      ['magnet', c.magnet],
    ] as const) {
      const out = join(c.dir, `out-${what}`);
      await seedcastDownload(source, out, port);
      assertSameFiles(join(out, 'Layers'));
    }
  });

  it('libtorrent downloads the v2 and the hybrid magnet from a seedcast seed without piece layers', async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    for (const version of ['v2', 'hybrid'] as const) {
      const c = await content(t, version);
      const port = await seedcastSeed(t, c.bare, c.seedPath);
      const out = join(c.dir, 'lt');
      const result = JSON.parse(
        run(LIBTORRENT_PYTHON, [LT_TOOL, 'download-hashes', c.magnet, out, `127.0.0.1:${port}`]),
      );
      assert.equal(result.have, result.total, `${version}: ${JSON.stringify(result)}`);
      assertSameFiles(join(out, 'Layers'));
      if (version === 'v2') {
        // libtorrent asked for the layers of a.bin (two runs) and b.bin, and we answered each.
        assert.ok(result.hash_requests_sent >= 3, JSON.stringify(result));
        assert.equal(result.hashes_received, result.hash_requests_sent, JSON.stringify(result));
        assert.equal(result.hash_rejects_received, 0);
      }
    }
  });

  it('seedcast downloads the v2 magnet from another seedcast', async (t) => {
    const c = await content(t, 'v2');
    const port = await seedcastSeed(t, c.bare, c.seedPath);
    const out = join(c.dir, 'out');
    const result = await seedcastDownload(c.magnet, out, port);
    assert.match(result.stderr, /piece layer of \S+ complete \(550 hashes\)/);
    assertSameFiles(join(out, 'Layers'));
  });
});
