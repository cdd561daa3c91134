/**
 * Metainfo interop with real BitTorrent software: libtorrent (python3-libtorrent), Transmission
 * (transmission-create, transmission-show) and mktorrent. Their torrents parse here with the info
 * hashes they report; ours load in them with the hashes we report, and libtorrent verifies every
 * piece of our torrents against the data.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseTorrent } from '../src/torrent/index.js';
import { LIBTORRENT_PYTHON, requireTools, run, runCli, tempDir } from './helpers/tools.js';

const LT_TOOL = new URL('./helpers/lt_tool.py', import.meta.url).pathname;

interface LtInfo {
  v1: string | null;
  v2: string | null;
  name: string;
  num_pieces: number;
  piece_length: number;
  files: { path: string; length: number }[];
}

interface LtVerify {
  have: number;
  total: number;
  state: string;
  error: string | null;
}

function lt<T>(...args: string[]): T {
  return JSON.parse(run(LIBTORRENT_PYTHON, [LT_TOOL, ...args])) as T;
}

/** A folder of media-like files: odd sizes, a subfolder, an empty file, a non-ASCII name. */
function makeContent(dir: string): { folder: string; single: string } {
  const folder = join(dir, 'Show Archive');
  mkdirSync(join(folder, 'season 1'), { recursive: true });
  writeFileSync(join(folder, 'season 1', 'episode-01.ogg'), randomBytes(1_000_003));
  writeFileSync(join(folder, 'season 1', 'épisode-02.ogg'), randomBytes(250_000));
  writeFileSync(join(folder, 'cover.jpg'), randomBytes(16_384));
  writeFileSync(join(folder, 'notes.txt'), 'show notes\n');
  writeFileSync(join(folder, 'empty.txt'), '');
  const single = join(dir, 'talk.webm');
  writeFileSync(single, randomBytes(777_777));
  return { folder, single };
}

function realFiles(torrent: Uint8Array) {
  const meta = parseTorrent(torrent);
  return {
    meta,
    files: meta.files.filter((f) => !f.padding).map((f) => ({ path: f.path.join('/'), length: f.length })),
  };
}

function sortByPath<T extends { path: string }>(files: T[]): T[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function transmissionHash(torrentPath: string): string {
  const out = run('transmission-show', [torrentPath]);
  const match = /Hash:\s+([0-9a-f]{40})/.exec(out);
  assert.ok(match, `transmission-show printed no hash:\n${out}`);
  return match[1]!;
}

describe('we parse torrents made by other software with the hashes they report', { timeout: 240_000 }, () => {
  it('libtorrent v1, v2 and hybrid torrents', (t: TestContext) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t);
    const { folder, single } = makeContent(dir);
    for (const version of ['v1', 'v2', 'hybrid']) {
      for (const [i, input] of [folder, single].entries()) {
        const out = join(dir, `lt-${version}-${i}.torrent`);
        const reported = lt<{ v1: string | null; v2: string | null }>('create', input, out, version, '32768');
        const { meta, files } = realFiles(readFileSync(out));
        const reference = lt<LtInfo>('info', out);
        assert.equal(meta.version, version);
        if (reported.v1) assert.equal(meta.infoHash, reported.v1, `${version} v1 hash`);
        assert.equal(meta.infoHashV2 ?? null, reported.v2, `${version} v2 hash`);
        assert.deepEqual(sortByPath(files), sortByPath(reference.files));
        assert.equal(meta.pieceLength, reference.piece_length);
        if (version !== 'v2') assert.equal(meta.pieceCount, reference.num_pieces);
      }
    }
  });

  it('mktorrent torrents', (t: TestContext) => {
    if (!requireTools(t, 'mktorrent', 'libtorrent', 'transmission-show')) return;
    const dir = tempDir(t);
    const { folder, single } = makeContent(dir);
    for (const [i, input] of [folder, single].entries()) {
      const out = join(dir, `mk-${i}.torrent`);
      run('mktorrent', [
        '-l',
        '15',
        '-a',
        'http://tracker.example/announce',
        '-w',
        'http://ws.example/',
        '-o',
        out,
        input,
      ]);
      const { meta, files } = realFiles(readFileSync(out));
      const reference = lt<LtInfo>('info', out);
      assert.equal(meta.infoHash, reference.v1);
      assert.equal(meta.infoHash, transmissionHash(out));
      assert.deepEqual(files, reference.files);
      assert.deepEqual(meta.announce, [['http://tracker.example/announce']]);
      assert.deepEqual(meta.urlList, ['http://ws.example/']);
    }
  });

  it('transmission-create torrents', (t: TestContext) => {
    if (!requireTools(t, 'transmission-create', 'transmission-show', 'libtorrent')) return;
    const dir = tempDir(t);
    const { folder } = makeContent(dir);
    const out = join(dir, 'tc.torrent');
    const printed = run('transmission-create', ['-p', '-t', 'http://t.example/announce', '-o', out, folder]);
    const match =
      /Hash:\s+([0-9a-f]{40})/.exec(printed) ?? /([0-9a-f]{40})/.exec(run('transmission-show', [out]));
    const { meta, files } = realFiles(readFileSync(out));
    assert.equal(meta.infoHash, match![1]);
    assert.equal(meta.infoHash, lt<LtInfo>('info', out).v1);
    assert.equal(meta.private, true);
    assert.deepEqual(sortByPath(files), sortByPath(lt<LtInfo>('info', out).files));
  });
});

describe('real clients load our torrents', { timeout: 240_000 }, () => {
  for (const version of ['v1', 'v2', 'hybrid'] as const) {
    it(`libtorrent loads our ${version} torrents and verifies the data; transmission-show as it can`, async (t: TestContext) => {
      if (!requireTools(t, 'libtorrent', 'transmission-show')) return;
      const dir = tempDir(t);
      const { folder, single } = makeContent(dir);
      for (const [i, input] of [folder, single].entries()) {
        const out = join(dir, `ours-${version}-${i}.torrent`);
        const created = await runCli(['create', input, `--${version}`, '--piece-length', '32768', '-o', out]);
        assert.equal(created.code, 0, created.stderr);
        const info = await runCli(['info', '--json', out]);
        assert.equal(info.code, 0, info.stderr);
        const ours = JSON.parse(info.stdout) as {
          infoHash: string | null;
          infoHashV2?: string;
          files: unknown[];
        };

        const reference = lt<LtInfo>('info', out);
        if (version !== 'v2') assert.equal(ours.infoHash, reference.v1, 'v1 info hash');
        assert.equal(ours.infoHashV2 ?? null, reference.v2, 'v2 info hash');
        assert.deepEqual(sortByPath(ours.files as { path: string }[]), sortByPath(reference.files));
        assert.ok(
          created.stdout.includes(version === 'v2' ? ours.infoHashV2! : ours.infoHash!),
          'create prints the hash',
        );
        assert.match(created.stdout, /magnet:\?xt=urn:bt/);

        const verified = lt<LtVerify>('verify', out, dir);
        assert.equal(verified.error, null);
        assert.equal(
          verified.have,
          verified.total,
          `libtorrent verified ${verified.have}/${verified.total} pieces`,
        );

        if (version === 'v1') assert.equal(transmissionHash(out), ours.infoHash);
        else {
          // Transmission 3.00 (Debian 12) cannot parse any torrent with a v2 `file tree`, libtorrent's
          // included: check that ours fare exactly as libtorrent's do, so a newer Transmission fails here.
          const theirs = join(dir, `lt-${version}-${i}.torrent`);
          lt('create', input, theirs, version, '32768');
          const loads = (path: string) => spawnSync('transmission-show', [path]).status === 0;
          assert.equal(
            loads(out),
            loads(theirs),
            "transmission-show treats our torrent as it treats libtorrent's",
          );
        }
      }
    });
  }

  it('libtorrent finds a corrupted byte in data described by our torrent', async (t: TestContext) => {
    if (!requireTools(t, 'libtorrent')) return;
    const dir = tempDir(t);
    const { single } = makeContent(dir);
    const out = join(dir, 'talk.torrent');
    const created = await runCli(['create', single, '--v1', '--piece-length', '32768', '-o', out]);
    assert.equal(created.code, 0, created.stderr);
    const data = readFileSync(single);
    data[400_000] = (data[400_000]! + 1) & 0xff;
    writeFileSync(single, data);
    const verified = lt<LtVerify>('verify', out, dir);
    assert.equal(verified.have, verified.total - 1);
  });
});
