/**
 * Issue 21, end to end: `seedcast download` (the built command, bin/seedcast.js) gets wild torrents
 * from a libtorrent 2.0.8 seeder, by `.torrent` and by magnet link (metadata from libtorrent over
 * BEP 9): dictionary keys out of order (inside `info` too), paths with a backslash, `..` components,
 * two files that sanitise to the same name and an over-long name with an extension, a torrent named
 * `..`, and v2 / hybrid torrents without piece layers (the layers come from libtorrent, BEP 52 hash
 * requests). Each time every file lands inside the output folder under safe names, byte-exact, where
 * the parser's `storagePath` says (`seedcast info` shows it) and libtorrent stores it, our info hash
 * is libtorrent's, and nothing is written outside: the output folder sits two folders down in the
 * test's folder, and that whole folder is checked. Two downloads run again with the seeder gone and
 * complete from the files on disk.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import {
  assertLanded,
  compareNames,
  type LtSeeder,
  ltHashCounts,
  ltInfo,
  ltSeedOdd,
  type OddTorrent,
  oddFrom,
  runBin,
} from './helpers/wild-e2e.js';
import { benc, build, content } from './helpers/wild-torrents.js';

const KiB = 1024;

/** (1) Keys out of order at the top, inside `info` and inside every file entry; bytes after the end. */
function unordered(): OddTorrent {
  const b = build({
    name: 'Unordered Show',
    version: 'v1',
    pieceLength: 32 * KiB,
    files: [
      { path: ['episode.webm'], data: content('e2e/unordered/episode', 900_001) },
      { path: ['notes', 'show notes.txt'], data: content('e2e/unordered/notes', 7_777) },
    ],
  });
  b.top.reversed();
  b.info.reversed();
  for (const f of b.v1Files) f.reversed();
  return oddFrom('unordered keys', 'v1', b, Buffer.from('\n'));
}

const LONG = `${'Épisode très long — '.repeat(15)}final.webm`; // 327 bytes, multi-byte characters

/** (2) A backslash, `..` climbing out, a collision after sanitising, over-long file and folder names. */
function oddPaths(): OddTorrent {
  const b = build({
    name: 'Odd Paths',
    version: 'v1',
    pieceLength: 32 * KiB,
    files: [
      { path: ['dir\\evil.txt'], data: content('e2e/odd/backslash', 20_000) },
      { path: ['..', '..', 'escape.bin'], data: content('e2e/odd/escape', 50_000) },
      { path: ['extras', '..', '..', '..', 'deep.txt'], data: content('e2e/odd/deep', 4_321) },
      { path: [LONG], data: content('e2e/odd/long', 400_000) },
      { path: ['escape.bin'], data: content('e2e/odd/same-name', 3_000) },
      { path: ['Dossier-'.repeat(40), 'inside.txt'], data: content('e2e/odd/long-folder', 2_000) },
      { path: ['ok.txt'], data: content('e2e/odd/ok', 1_000) },
    ],
  });
  return oddFrom('odd paths', 'v1', b);
}

/** (2b) A single-file torrent whose name (the file's name) is over-long, with an extension. */
function longSingle(): OddTorrent {
  const name = `${'Ünïcödé title '.repeat(20)}.mp3`;
  const b = build({
    name,
    version: 'v1',
    single: true,
    pieceLength: 32 * KiB,
    files: [{ path: [], data: content('e2e/long-single', 200_000) }],
  });
  return oddFrom('over-long single-file name', 'v1', b);
}

/** (2c) A multi-file torrent named `..` (libtorrent names its folder after the info hash). */
function dotdotName(): OddTorrent {
  const b = build({
    name: '..',
    version: 'v1',
    pieceLength: 32 * KiB,
    files: [
      { path: ['a.bin'], data: content('e2e/dotdot/a', 70_000) },
      { path: ['b.txt'], data: content('e2e/dotdot/b', 900) },
    ],
  });
  return oddFrom('torrent named ..', 'v1', b);
}

/** (3) v2 (or hybrid) without piece layers; the seeder has the same info with its layers. */
function noLayers(version: 'v2' | 'hybrid'): OddTorrent {
  const spec = (layers: 'none' | 'all') =>
    build({
      name: `No Layers ${version}`,
      version,
      layers,
      pieceLength: 32 * KiB,
      files: [
        { path: ['episode.webm'], data: content(`e2e/${version}/episode`, 1_000_000) },
        { path: ['cover.png'], data: content(`e2e/${version}/cover`, 100_000) },
        { path: ['notes.txt'], data: content(`e2e/${version}/notes`, 5_000) },
      ],
    });
  const w = oddFrom(`${version} without piece layers`, version, spec('none'));
  w.seederTorrent = benc(spec('all').top);
  return w;
}

interface Setup {
  base: string;
  out: string;
  seeder: LtSeeder;
  v1: string | null;
  v2: string | null;
  torrentPath: string;
}

/** libtorrent loads the torrent (the reference) and seeds it; the output folder is base/a/b/out. */
async function setup(t: TestContext, w: OddTorrent): Promise<Setup> {
  const work = tempDir(t, 'seedcast-wild-seed-');
  const info = ltInfo(w.torrent, work);
  if (w.seederTorrent) assert.equal(ltInfo(w.seederTorrent, join(work, 'full')).v2, info.v2);
  const seeder = await ltSeedOdd(t, w, join(work, 'lt'));
  t.diagnostic(`libtorrent stores: ${JSON.stringify(seeder.files)}`);
  const torrentPath = join(work, 'wild.torrent');
  writeFileSync(torrentPath, w.torrent);
  const base = tempDir(t, 'seedcast-wild-out-');
  const out = join(base, 'a', 'b', 'out');
  mkdirSync(out, { recursive: true });
  return { base, out, seeder, v1: info.v1, v2: info.v2, torrentPath };
}

async function download(s: Setup, source: string, extra: string[] = []) {
  const r = await runBin(
    ['download', source, '-o', s.out, '--port', String(await freePort()), '--no-dht', '--no-lsd', ...extra],
    { timeoutMs: 30_000 },
  );
  assert.equal(r.code, 0, `seedcast download failed:\n${r.stdout}\n${r.stderr.slice(-3000)}`);
  // Our info hash is libtorrent's (v1; a v2-only torrent's truncated v2 hash), over info's own bytes.
  const hash = /complete: .* \(([0-9a-f]{40})\)$/m.exec(r.stdout)?.[1];
  assert.equal(hash, s.v1 ?? s.v2?.slice(0, 40), r.stdout);
}

async function byTorrent(t: TestContext, w: OddTorrent): Promise<Setup> {
  const s = await setup(t, w);
  await download(s, s.torrentPath, ['--peer', `127.0.0.1:${s.seeder.port}`]);
  assertLanded(s.base, s.out, w);
  compareNames(t, w, s.out, s.seeder.files);
  return s;
}

/** By magnet link: `urn:btih` (v1, hybrid) or, for a v2-only torrent, `urn:btmh` (BEP 52 multihash). */
async function byMagnet(t: TestContext, w: OddTorrent): Promise<Setup> {
  const s = await setup(t, w);
  const xt = w.version === 'v2' ? `urn:btmh:1220${s.v2}` : `urn:btih:${s.v1}`;
  const magnet = `magnet:?xt=${xt}&x.pe=127.0.0.1:${s.seeder.port}`;
  await download(s, magnet);
  assertLanded(s.base, s.out, w);
  compareNames(t, w, s.out, s.seeder.files);
  return s;
}

describe('seedcast download gets wild torrents from libtorrent', () => {
  it('keys out of order (top, info, file entries), bytes after the end: by .torrent', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const w = unordered();
    // libtorrent's info hash is the SHA-1 of the info bytes as they are (not re-encoded canonically).
    assert.ok(w.infoBytes.toString('latin1').startsWith('d6:pieces'), 'info is out of order');
    const info = ltInfo(w.torrent, tempDir(t));
    assert.equal(info.v1, createHash('sha1').update(w.infoBytes).digest('hex'));
    await byTorrent(t, w);
  });

  it('keys out of order: by magnet (the original info bytes from libtorrent over BEP 9)', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await byMagnet(t, unordered());
  });

  it('a backslash, .. components, a name collision and an over-long name: by .torrent, then from disk', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const w = oddPaths();
    const s = await byTorrent(t, w);
    // Run again with the seeder gone: what is on disk (under the sanitised names) is verified and
    // kept, so it completes from the files alone, and still nothing is written elsewhere.
    await s.seeder.proc.stop('SIGKILL');
    await download(s, s.torrentPath);
    assertLanded(s.base, s.out, w);
  });

  it('a backslash, .. components, a name collision and an over-long name: by magnet', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await byMagnet(t, oddPaths());
  });

  it('a single-file torrent with an over-long name keeps its extension', { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await byTorrent(t, longSingle());
  });

  it('a torrent named .. lands in a folder inside the output folder', { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await byTorrent(t, dotdotName());
  });

  it('a v2 torrent without piece layers (the layers come from libtorrent), then from disk', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const w = noLayers('v2');
    const s = await byTorrent(t, w);
    // The pieces could only be checked with the layers libtorrent sent (BEP 52 hash request / hashes).
    const counts = await ltHashCounts(s.seeder, 1);
    t.diagnostic(`libtorrent's peer log: ${JSON.stringify(counts)}`);
    assert.ok(counts.hashRequests > 0 && counts.hashes > 0, 'we asked libtorrent for the piece layers');
    // Again with the seeder gone: the files on disk alone prove themselves against the pieces roots.
    await s.seeder.proc.stop('SIGKILL');
    await download(s, s.torrentPath);
    assertLanded(s.base, s.out, w);
  });

  it('a v2 torrent by magnet (urn:btmh): the info over BEP 9, the layers by hash requests', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const s = await byMagnet(t, noLayers('v2'));
    const counts = await ltHashCounts(s.seeder, 1);
    t.diagnostic(`libtorrent's peer log: ${JSON.stringify(counts)}`);
    assert.ok(counts.hashRequests > 0 && counts.hashes > 0, 'we asked libtorrent for the piece layers');
  });

  it('a hybrid torrent without piece layers: by .torrent', { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    const s = await byTorrent(t, noLayers('hybrid'));
    t.diagnostic(`libtorrent's peer log: ${JSON.stringify(await ltHashCounts(s.seeder, 0, 500))}`);
  });

  it('a hybrid torrent without piece layers: by magnet', { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await byMagnet(t, noLayers('hybrid'));
  });
});
