/**
 * Issue 21's whole corpus end to end: every torrent of `test/helpers/wild-torrents.ts` (with the
 * explored cases of `wild-torrents-explore.ts`) that libtorrent 2.0.8 and our parser both load is seeded by libtorrent (its files under libtorrent's own sanitised paths) and
 * downloaded by `seedcast download` (the built command) from its `.torrent`: each lands inside the
 * output folder, byte-exact, under the names libtorrent gives it, and nothing is written outside it.
 * The named scenarios (bigger content, magnet links, the aggregator, the other direction) are in
 * wild-torrents-download, wild-torrents-seed and aggregator-wild-torrents.
 */

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Metainfo } from '../src/torrent/types.js';
import { freePort, requireTools, tempDir } from './helpers/tools.js';
import {
  assertLanded,
  compareNames,
  ltSeedOdd,
  type OddTorrent,
  ourView,
  pairFiles,
  runBin,
} from './helpers/wild-e2e.js';
import { allWildTorrents, type WildTorrent, wildCorpus } from './helpers/wild-torrents.js';

/** The corpus entry as an `OddTorrent` (its files are listed in libtorrent's order already). */
const odd = (entry: WildTorrent): OddTorrent => ({
  label: entry.name,
  version: 'v1',
  torrent: entry.torrent,
  files: entry.files,
  infoBytes: Buffer.alloc(0),
});

// What both load: libtorrent's verdict is "load" and our parser agrees (where we are deliberately
// stricter, docs/wild-torrents.md, e.g. a 256 MiB piece length, wild-torrents-verdicts.test.ts holds it).
// A torrent libtorrent loads but cannot add (a piece layer that is not its file's) cannot be seeded:
// wild-torrents-bad-layer.test.ts holds that `seedcast download` refuses it too.
const corpus = allWildTorrents().filter((w) => w.expect === 'load' && !w.addFails);
const both = corpus.filter((w) => !(ourView(w.torrent) instanceof Error));
const stricter = corpus.filter((w) => ourView(w.torrent) instanceof Error).map((w) => w.name);
// Entries edited after they were built describe content they do not carry (a symlink given a length,
// a link added to the tree): nothing to seed them from.
const seedable = both.filter((w) => {
  try {
    pairFiles(odd(w), ourView(w.torrent) as Metainfo);
    return true;
  } catch {
    return false;
  }
});

describe('every wild torrent libtorrent loads, downloaded from libtorrent by seedcast download', {
  concurrency: 3,
}, () => {
  it('leaves out only what we refuse on purpose, and what the corpus cannot seed', (t) => {
    assert.deepEqual(stricter, ['piece-length-256mib', 'hybrid-without-pieces']);
    const unseedable = both.filter((w) => !seedable.includes(w)).map((w) => w.name);
    t.diagnostic(`not seedable from the corpus' content: ${unseedable.join(', ')}`);
    // Every class of the issue is there (the explored cases may edit torrents beyond their content).
    for (const w of wildCorpus().filter((x) => x.expect === 'load'))
      assert.ok(
        unseedable.every((n) => n !== w.name),
        `${w.name} is seeded`,
      );
  });
  for (const entry of seedable) {
    it(`${entry.name} (${entry.class})`, { timeout: 45_000 }, async (t) => {
      if (!requireTools(t, 'libtorrent')) return;
      const w = odd(entry);
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
      assertLanded(base, out, w);
      compareNames(t, w, out, seeder.files);
    });
  }
});
