/**
 * Every torrent of the wild corpus (test/helpers/wild-torrents.ts) that libtorrent 2.0.8 loads: the
 * path Seedcast stores each file under (`storagePath`) is the path python3-libtorrent's
 * `file_path()` gives, except where ours is deliberately stricter (a component libtorrent keeps that
 * `unsafeComponentReason` refuses: Windows names, DEL, drive letters; see src/torrent/sanitize.ts).
 * Skips loudly without python3-libtorrent (fails under CI=true).
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseTorrent, unsafeComponentReason } from '../src/torrent/index.js';
import { requireTools, runLibtorrent, tempDir } from './helpers/tools.js';
import { allWildTorrents } from './helpers/wild-torrents.js';

const HELPERS = fileURLToPath(new URL('./helpers/', import.meta.url));

test('storagePath matches libtorrent file_path() on every wild torrent both load', (t) => {
  if (!requireTools(t, 'libtorrent')) return;
  const dir = tempDir(t);
  const loaded = allWildTorrents().flatMap((w) => {
    try {
      return [{ w, meta: parseTorrent(w.torrent) }];
    } catch {
      return [];
    }
  });
  const paths = loaded.map(({ w }, i) => {
    const path = join(dir, `${i}.torrent`);
    writeFileSync(path, w.torrent);
    return path;
  });
  const answers = runLibtorrent<{ files?: string[]; pad?: boolean[]; error?: string }[]>(
    `import sys; sys.path.insert(0, ${JSON.stringify(HELPERS)}); import lt_tool; lt_tool.file_paths_main()`,
    paths,
  );
  let compared = 0;
  let stricter = 0;
  loaded.forEach(({ w, meta }, i) => {
    const lt = answers[i]!;
    if (!lt.files) return; // libtorrent refuses it: the verdict tests cover that
    const theirs = lt.files.filter((_, k) => !lt.pad![k]);
    const ours = meta.files.filter((f) => !f.padding).map((f) => f.storagePath);
    assert.equal(ours.length, theirs.length, `${w.name}: number of files`);
    ours.forEach((parts, k) => {
      const their = theirs[k]!;
      if (parts.join('/') === their) {
        compared++;
        return;
      }
      const unsafe = their.split('/').some((c) => unsafeComponentReason(c) !== undefined);
      assert.ok(
        unsafe,
        `${w.name}: file ${k} stored as ${JSON.stringify(parts.join('/'))}, libtorrent ${JSON.stringify(their)}`,
      );
      stricter++;
    });
  });
  t.diagnostic(`${compared} paths equal to libtorrent's, ${stricter} deliberately stricter`);
  assert.ok(compared > 20, `compared ${compared}`);
});
