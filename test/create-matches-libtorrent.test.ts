/**
 * Scenario: v2 and hybrid torrents made by `seedcast create` are the ones libtorrent 2.0 makes for
 * the same content and piece length: the same v1 and v2 info hashes (so the same file tree, padding
 * files and pieces) and byte-identical `piece layers`.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type BDict, decode } from '../src/bencode/index.js';
import { createTorrent } from '../src/torrent/index.js';
import { LIBTORRENT_PYTHON, requireTools, run, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

function content(dir: string): { folder: string; single: string } {
  const folder = join(dir, 'Lectures');
  for (const sub of ['a', 'a-c', 'deep/er']) mkdirSync(join(folder, sub), { recursive: true });
  const sizes: Record<string, number> = {
    'a/one-block.bin': 16_384,
    'a-c/tiny.txt': 10,
    'a0.bin': 65_536,
    'a1.bin': 65_537,
    'deep/er/long.ogg': 400_000,
    'empty.txt': 0,
    'énorme.ogg': 1_048_577,
  };
  for (const [p, n] of Object.entries(sizes)) writeFileSync(join(folder, p), randomBytes(n));
  const single = join(dir, 'talk.webm');
  writeFileSync(single, randomBytes(777_777));
  return { folder, single };
}

const pieceLayers = (torrent: Uint8Array) => (decode(torrent) as BDict).get('piece layers') as BDict;

describe('seedcast create v2 and hybrid match libtorrent', () => {
  for (const version of ['v2', 'hybrid'] as const) {
    for (const pieceLength of [16_384, 65_536]) {
      it(`${version}, ${pieceLength}-byte pieces: same info hashes and piece layers`, async (t: TestContext) => {
        if (!requireTools(t, 'libtorrent')) return;
        const dir = tempDir(t);
        const { folder, single } = content(dir);
        for (const input of [folder, single]) {
          const ours = await createTorrent(input, { version, pieceLength, threads: 1, mainThread: true });
          const ltOut = join(dir, `lt-${version}-${pieceLength}.torrent`);
          const lt = JSON.parse(
            run(LIBTORRENT_PYTHON, [LT_TOOL, 'create', input, ltOut, version, String(pieceLength)]),
          ) as {
            v1: string | null;
            v2: string | null;
          };
          assert.equal(ours.infoHashV2, lt.v2, `${input}: v2 info hash`);
          assert.equal(ours.infoHash ?? null, version === 'hybrid' ? lt.v1 : null, `${input}: v1 info hash`);
          assert.deepEqual(
            pieceLayers(ours.torrent),
            pieceLayers(readFileSync(ltOut)),
            `${input}: piece layers`,
          );
        }
      });
    }
  }
});
