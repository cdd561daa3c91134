/**
 * Wild torrents (issue 21): for every torrent of the corpus (test/helpers/wild-torrents.ts: one per
 * class of the issue, the v2 ones, the refusals, and what exploring libtorrent found), the real
 * libtorrent 2.0.8 (python3-libtorrent), Seedcast's parseTorrent and `seedcast info --json` give
 * the same verdict (load or refuse) and, when they load it, the same v1 and v2 info hashes and the
 * same pieces (length, count) and files (count and lengths, padding left out). Where Seedcast differs on purpose, the corpus
 * says so and why, and the test checks that difference and nothing looser.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type Metainfo, parseTorrent } from '../src/torrent/index.js';
import { LIBTORRENT_PYTHON, requireTools, runCli, tempDir } from './helpers/tools.js';
import { allWildTorrents, type WildTorrent } from './helpers/wild-torrents.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

interface LtVerdict {
  ok: boolean;
  error?: string;
  v1: string | null;
  v2: string | null;
  num_pieces: number;
  piece_length: number;
  files: { path: string; length: number; pad: boolean; symlink: boolean }[];
  add_error?: string | null;
}

interface InfoJson {
  infoHash: string | null;
  infoHashV2?: string;
  files: { path: string; length: number }[];
}

/** `seedcast info --json` on each file, a few at a time (each is a process of its own). */
async function infoAll(
  paths: string[],
): Promise<Map<string, { code: number; json?: InfoJson; stderr: string }>> {
  const out = new Map<string, { code: number; json?: InfoJson; stderr: string }>();
  const queue = [...paths];
  const worker = async () => {
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      const r = await runCli(['info', '--json', p]);
      out.set(p, {
        code: r.code ?? -1,
        stderr: r.stderr,
        ...(r.code === 0 ? { json: JSON.parse(r.stdout) } : {}),
      });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return out;
}

function ours(w: WildTorrent): { meta?: Metainfo; error?: string } {
  try {
    return { meta: parseTorrent(w.torrent) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('wild torrents: libtorrent 2.0.8, parseTorrent and seedcast info agree', () => {
  it('gives the same verdict, info hashes and files for every torrent of the corpus', async (t: TestContext) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t, 'seedcast-wild-');
    const corpus = allWildTorrents();
    assert.equal(new Set(corpus.map((w) => w.name)).size, corpus.length, 'corpus names are unique');
    for (const w of corpus) writeFileSync(join(dir, `${w.name}.torrent`), w.torrent);
    const lt = JSON.parse(
      execFileSync(LIBTORRENT_PYTHON, [LT_TOOL, 'verdicts', dir], { encoding: 'utf8', timeout: 60_000 }),
    ) as Record<string, LtVerdict>;
    const cli = await infoAll(corpus.map((w) => join(dir, `${w.name}.torrent`)));

    for (const w of corpus) {
      await t.test(`${w.class}: ${w.name}`, () => {
        const l = lt[`${w.name}.torrent`]!;
        const ltVerdict = l.ok ? 'load' : 'refuse';
        assert.equal(
          ltVerdict,
          w.expect,
          `libtorrent says ${ltVerdict} (${l.error ?? ''}); the corpus expects ${w.expect}`,
        );
        const { meta, error } = ours(w);
        const want = w.seedcast ?? w.expect;
        assert.equal(meta ? 'load' : 'refuse', want, `parseTorrent: ${error ?? 'loaded'}`);
        const info = cli.get(join(dir, `${w.name}.torrent`))!;
        assert.equal(info.code, want === 'load' ? 0 : 1, `seedcast info: ${info.stderr}`);
        if (want === 'refuse') {
          assert.equal(info.stderr.trim().split('\n').length, 1, 'one line of error');
          assert.ok(error && info.stderr.includes(error.slice(0, 40)), `${info.stderr} vs ${error}`);
        }
        if (w.seedcast !== undefined) {
          assert.ok(w.why, 'a deliberate difference says why');
          // libtorrent loads the file but refuses to add it to a session: check that claim too.
          if (w.name === 'layers-wrong-hash') assert.match(l.add_error ?? '', /piece layer is invalid/);
          return;
        }
        if (!meta) return;
        assert.equal(meta.version === 'v2' ? null : meta.infoHash, l.v1, 'v1 info hash');
        assert.equal(meta.infoHashV2 ?? null, l.v2, 'v2 info hash');
        assert.equal(l.add_error ?? null, null, 'libtorrent adds what it loads');
        assert.equal(meta.pieceLength, l.piece_length, 'piece length');
        assert.equal(meta.pieceCount, l.num_pieces, 'number of pieces');
        const ltFiles = l.files.filter((f) => !f.pad).map((f) => f.length);
        assert.deepEqual(
          meta.files.filter((f) => !f.padding).map((f) => f.length),
          ltFiles,
          'file lengths (padding left out)',
        );
        assert.equal(info.json!.infoHash, l.v1, 'seedcast info: v1 info hash');
        assert.equal(info.json!.infoHashV2 ?? null, l.v2, 'seedcast info: v2 info hash');
        assert.deepEqual(
          info.json!.files.map((f) => f.length),
          ltFiles,
          'seedcast info: file lengths',
        );
      });
    }
  });
});
