/**
 * Issue 21's whole corpus end to end: every torrent of `test/helpers/wild-torrents.ts` that libtorrent
 * 2.0.8 loads is seeded by libtorrent (its files under libtorrent's own sanitised paths) and
 * downloaded by `seedcast download` (the built command) from its `.torrent`: each lands inside the
 * output folder, byte-exact, under the names libtorrent gives it, and nothing is written outside it.
 * The named scenarios (bigger content, magnet links, the aggregator, the other direction) are in
 * wild-torrents-download, wild-torrents-seed and aggregator-wild-torrents.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import { assertLanded, compareNames, ltSeedOdd, type OddTorrent, runBin } from './helpers/wild-e2e.js';
import { wildCorpus } from './helpers/wild-torrents.js';

describe('every wild torrent libtorrent loads, downloaded from libtorrent by seedcast download', () => {
  for (const entry of wildCorpus().filter((w) => w.expect === 'load')) {
    it(`${entry.name} (${entry.class})`, { timeout: 45_000 }, async (t) => {
      if (!requireTools(t, 'libtorrent')) return;
      // The corpus lists files in libtorrent's order already (v2 and hybrid: file-tree order).
      const w: OddTorrent = {
        label: entry.name,
        version: 'v1',
        torrent: entry.torrent,
        files: entry.files,
        infoBytes: Buffer.alloc(0),
      };
      const work = tempDir(t, 'seedcast-wild-corpus-');
      const seeder = await ltSeedOdd(t, w, join(work, 'lt'));
      const torrentPath = join(work, `${entry.name}.torrent`);
      writeFileSync(torrentPath, entry.torrent);
      const base = tempDir(t, 'seedcast-wild-corpus-out-');
      const out = join(base, 'a', 'b', 'out');
      mkdirSync(out, { recursive: true });
      const r = await runBin(
        [
          'download',
          torrentPath,
          '-o',
          out,
          '--peer',
          `127.0.0.1:${seeder.port}`,
          '--port',
          String(await freePort()),
          '--no-dht',
          '--no-lsd',
        ],
        { timeoutMs: 30_000 },
      );
      assert.equal(r.code, 0, `seedcast download failed:\n${r.stdout}\n${r.stderr.slice(-3000)}`);
      const landed = assertLanded(base, out, w);
      compareNames(t, w, landed, seeder.files);
    });
  }
});
