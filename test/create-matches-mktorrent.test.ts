/**
 * Scenario: the same content and piece length give the same v1 info hash from `seedcast create --v1`
 * as from the real mktorrent (hidden files, empty files, nested folders, names that sort differently
 * by whole path and by component, non-ASCII names, a single file, the private flag).
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTorrent, parseTorrent } from '../src/torrent/index.js';
import { requireTools, run, runCli, tempDir } from './helpers/tools.js';

function content(dir: string): { folder: string; single: string } {
  const folder = join(dir, 'Radio Show');
  for (const sub of ['a', 'a-c', '.hid', 'Z', 'émissions']) mkdirSync(join(folder, sub), { recursive: true });
  writeFileSync(join(folder, 'a', 'b.ogg'), randomBytes(70_001));
  writeFileSync(join(folder, 'a-c', 'f.ogg'), randomBytes(16_384));
  writeFileSync(join(folder, 'a0.txt'), 'a zero\n');
  writeFileSync(join(folder, '.hidden'), randomBytes(333));
  writeFileSync(join(folder, '.hid', 'q'), randomBytes(40_000));
  writeFileSync(join(folder, 'Z', 'upper.bin'), randomBytes(5));
  writeFileSync(join(folder, 'émissions', 'épisode 1.ogg'), randomBytes(123_457));
  writeFileSync(join(folder, 'empty.txt'), '');
  const single = join(dir, 'lecture.webm');
  writeFileSync(single, randomBytes(300_001));
  return { folder, single };
}

function mktorrentHash(dir: string, input: string, log2: number, extra: string[] = []): string {
  const out = join(dir, `mk-${log2}-${extra.join('')}-${Math.random()}.torrent`);
  run('mktorrent', ['-l', String(log2), '-o', out, ...extra, input]);
  return parseTorrent(readFileSync(out)).infoHash;
}

describe('seedcast create --v1 matches mktorrent', () => {
  for (const log2 of [15, 16, 18]) {
    it(`a folder and a single file, ${2 ** log2}-byte pieces`, async (t: TestContext) => {
      if (!requireTools(t, 'mktorrent')) return;
      const dir = tempDir(t);
      const { folder, single } = content(dir);
      for (const input of [folder, single]) {
        const ours = await createTorrent(input, { version: 'v1', pieceLength: 2 ** log2, threads: 2 });
        assert.equal(ours.infoHash, mktorrentHash(dir, input, log2), input);
      }
    });
  }

  it('with the private flag, through the command line', async (t: TestContext) => {
    if (!requireTools(t, 'mktorrent')) return;
    const dir = tempDir(t);
    const { folder } = content(dir);
    const out = join(dir, 'ours.torrent');
    const r = await runCli(['create', folder, '--v1', '--private', '--piece-length', '32768', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const expected = mktorrentHash(dir, folder, 15, ['-p']);
    assert.equal(parseTorrent(readFileSync(out)).infoHash, expected);
    assert.match(r.stdout, new RegExp(`infoHash: +${expected}`));
    assert.match(r.stdout, new RegExp(`magnet: +magnet:\\?xt=urn:btih:${expected}`));
  });
});
