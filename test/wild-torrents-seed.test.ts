/**
 * Issue 21, the other direction: `seedcast seed` (the built command) seeds wild torrents from the
 * content where Seedcast stores it (each file under its `storagePath`, as `seedcast download` left
 * it), and libtorrent 2.0.8 downloads them, by `.torrent` and by magnet link: paths with a
 * backslash, `..` components, a collision and an over-long name; keys out of order; and a v2 torrent
 * without piece layers at both ends (Seedcast hashes its layers from the files and answers
 * libtorrent's BEP 52 hash requests). libtorrent's files come out byte-exact under its own names.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import {
  ltDownloadFrom,
  type OddTorrent,
  oddFrom,
  pairFiles,
  startBin,
  storagePathOf,
} from './helpers/wild-e2e.js';
import { build, content } from './helpers/wild-torrents.js';

const KiB = 1024;

/**
 * `collision`: a second `escape.bin` that sanitises to the same name. libtorrent 2.0.8 tells the two
 * apart (`escape.1.bin`) only when it loads a `.torrent`: from a magnet link's metadata it maps both
 * to one file and never completes, so the magnet case leaves that file out.
 */
function oddPaths(collision = true): OddTorrent {
  const b = build({
    name: 'Odd Paths',
    version: 'v1',
    pieceLength: 32 * KiB,
    files: [
      { path: ['dir\\evil.txt'], data: content('seed/odd/backslash', 20_000) },
      { path: ['..', '..', 'escape.bin'], data: content('seed/odd/escape', 50_000) },
      { path: [`${'Épisode très long — '.repeat(15)}final.webm`], data: content('seed/odd/long', 400_000) },
      ...(collision ? [{ path: ['escape.bin'], data: content('seed/odd/same-name', 3_000) }] : []),
    ],
  });
  return oddFrom('odd paths', 'v1', b);
}

function unordered(): OddTorrent {
  const b = build({
    name: 'Unordered Show',
    version: 'v1',
    pieceLength: 32 * KiB,
    files: [
      { path: ['episode.webm'], data: content('seed/unordered/episode', 600_001) },
      { path: ['notes.txt'], data: content('seed/unordered/notes', 777) },
    ],
  });
  b.top.reversed();
  b.info.reversed();
  for (const f of b.v1Files) f.reversed();
  return oddFrom('unordered keys', 'v1', b);
}

function v2NoLayers(): OddTorrent {
  const b = build({
    name: 'No Layers',
    version: 'v2',
    layers: 'none',
    pieceLength: 32 * KiB,
    files: [
      { path: ['episode.webm'], data: content('seed/v2/episode', 900_000) },
      { path: ['notes.txt'], data: content('seed/v2/notes', 3_000) },
    ],
  });
  return oddFrom('v2 without piece layers', 'v2', b);
}

/** `seedcast seed` with the content placed under each file's storagePath. */
async function ourSeeder(t: TestContext, w: OddTorrent, dir: string) {
  const meta = parseTorrent(w.torrent);
  const root = join(dir, 'ours');
  for (const { ours, data, symlink } of pairFiles(w, meta)) {
    if (symlink) continue;
    const storage = storagePathOf(ours);
    assert.ok(storage, 'the parser gives every file a storagePath');
    const path = join(root, ...storage);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
  const torrentPath = join(dir, 'wild.torrent');
  writeFileSync(torrentPath, w.torrent);
  const port = await freePort();
  const seeder = startBin(t, ['seed', torrentPath, root, '--port', String(port), '--no-dht', '--no-lsd']);
  await seeder.waitFor(/seeding .* (\d+)\/\1 pieces verified/, 60_000);
  return { port, torrentPath, meta, seeder };
}

/** libtorrent downloads from our seeder; its files are byte-exact under its own (sanitised) names. */
async function ltDownloads(t: TestContext, w: OddTorrent, by: 'torrent' | 'magnet'): Promise<void> {
  const dir = tempDir(t, 'seedcast-wild-seed-');
  const ours = await ourSeeder(t, w, dir);
  const result = ltDownloadFrom(w, `127.0.0.1:${ours.port}`, dir, by);
  t.diagnostic(`libtorrent: ${JSON.stringify(result)}`);
  if (w.version === 'v2') {
    // Neither side had the layers: libtorrent asked us for them and we answered.
    assert.ok(
      result.hash_requests_sent > 0 && result.hashes_received > 0,
      'libtorrent got the piece layers from us',
    );
  }
}

describe('libtorrent downloads wild torrents from seedcast seed', () => {
  it('a backslash, .. components, a collision and an over-long name: by .torrent', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await ltDownloads(t, oddPaths(), 'torrent');
  });

  it('the same but the collision by magnet (libtorrent fetches the info from us over BEP 9)', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await ltDownloads(t, oddPaths(false), 'magnet');
  });

  it('keys out of order: by magnet (we serve the original info bytes)', { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await ltDownloads(t, unordered(), 'magnet');
  });

  it('a v2 torrent without piece layers at both ends: we answer the hash requests', {
    timeout: 60_000,
  }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await ltDownloads(t, v2NoLayers(), 'torrent');
  });

  it('the same v2 torrent by magnet (urn:btmh)', { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'libtorrent')) return;
    await ltDownloads(t, v2NoLayers(), 'magnet');
  });
});
