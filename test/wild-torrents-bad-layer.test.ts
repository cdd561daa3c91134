/**
 * A v2 torrent whose piece layer does not hash to its file's pieces root (corpus entry
 * `layers-wrong-hash`): libtorrent 2.0.8 loads it (`torrent_info`) but adding it to a session fails
 * ("a piece layer is invalid"). Seedcast does the same: `seedcast info` shows it, `seedcast download`
 * fails before touching the output folder with TORRENT_HASH_MISMATCH naming the file (and so does
 * `seedcast seed` of its real content), so a bad layer never verifies a piece.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { freePort, runCli, tempDir } from './helpers/tools.js';
import { exploreCorpus } from './helpers/wild-torrents-explore.js';

describe('wild torrents: a piece layer that does not hash to its root', () => {
  it('loads in seedcast info, and seedcast download fails with a clear error naming the file', async (t: TestContext) => {
    const w = exploreCorpus().find((e) => e.name === 'layers-wrong-hash')!;
    assert.ok(w.addFails, 'the corpus marks it as loading but not addable');
    const dir = tempDir(t, 'seedcast-bad-layer-');
    const file = join(dir, 'bad.torrent');
    writeFileSync(file, w.torrent);

    const info = await runCli(['info', '--json', file]);
    assert.equal(info.code, 0, info.stderr);

    const out = join(dir, 'out');
    const port = await freePort();
    const r = await runCli([
      'download',
      file,
      '-o',
      out,
      '--port',
      String(port),
      '-q',
      '--no-dht',
      '--no-lsd',
    ]);
    assert.equal(r.code, 1, `download of a torrent with a bad layer must fail: ${r.stderr}`);
    const bigFile = w.files
      .find((f) => f.data.length > 16 * 1024)!
      .path.slice(1)
      .join('/');
    assert.match(r.stderr, /"piece layers" for ".*" does not hash to the file's pieces root/);
    assert.ok(r.stderr.includes(bigFile), `names the file ${bigFile}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line of error: ${r.stderr}`);
    assert.ok(!existsSync(out) || readdirSync(out).length === 0, 'nothing written');

    // Seeding it from its real content fails the same way, and ends.
    const content = join(dir, 'content');
    for (const f of w.files) {
      mkdirSync(join(content, ...f.path.slice(0, -1)), { recursive: true });
      writeFileSync(join(content, ...f.path), f.data);
    }
    const seed = await runCli([
      'seed',
      file,
      content,
      '--port',
      String(await freePort()),
      '-q',
      '--no-dht',
      '--no-lsd',
    ]);
    assert.equal(seed.code, 1, `seed of a torrent with a bad layer must fail: ${seed.stderr}`);
    assert.match(seed.stderr, /does not hash to the file's pieces root/);
  });
});
