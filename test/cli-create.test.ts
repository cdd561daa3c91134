/**
 * `seedcast create` as a user runs it: the .torrent written where asked (or `<name>.torrent` here),
 * the hashes and magnet link printed (or JSON), `-o -`, exit codes 0/1/2 with one-line errors, and no
 * progress bar when output is piped.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parseMagnet, parseTorrent } from '../src/torrent/index.js';
import { requireTools, run, runCli, tempDir } from './helpers/tools.js';

function folder(t: TestContext): { dir: string; content: string } {
  const dir = tempDir(t);
  const content = join(dir, 'My Album');
  mkdirSync(join(content, 'disc 1'), { recursive: true });
  writeFileSync(join(content, 'disc 1', 'track 1.flac'), randomBytes(100_000));
  writeFileSync(join(content, 'cover.jpg'), randomBytes(20_000));
  return { dir, content };
}

describe('seedcast create', () => {
  it('writes <name>.torrent in the current folder, v1 by default, and prints hash and magnet', async (t) => {
    const { dir, content } = folder(t);
    const r = await runCli(
      ['create', content, '-a', 'http://t.example/announce', '-w', 'http://ws.example/'],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bar or noise when not on a terminal');
    const meta = parseTorrent(readFileSync(join(dir, 'My Album.torrent')));
    assert.equal(meta.version, 'v1');
    assert.deepEqual(meta.announce, [['http://t.example/announce']]);
    assert.deepEqual(meta.urlList, ['http://ws.example/']);
    assert.match(r.stdout, new RegExp(`^infoHash: +${meta.infoHash}$`, 'm'));
    assert.doesNotMatch(r.stdout, /infoHashV2/);
    const magnetLine = /^magnet: +(magnet:\S+)$/m.exec(r.stdout);
    assert.ok(magnetLine, r.stdout);
    const magnet = parseMagnet(magnetLine[1]!);
    assert.equal(magnet.infoHash, meta.infoHash);
    assert.equal(magnet.infoHashV2, undefined);
    assert.equal(magnet.name, 'My Album');
    assert.deepEqual(magnet.trackers, ['http://t.example/announce']);
  });

  it('the default torrent loads in Transmission (which refuses v2 and hybrid torrents)', async (t) => {
    if (!requireTools(t, 'transmission-show')) return;
    const { dir, content } = folder(t);
    const r = await runCli(['create', content, '-o', join(dir, 'default.torrent')]);
    assert.equal(r.code, 0, r.stderr);
    const meta = parseTorrent(readFileSync(join(dir, 'default.torrent')));
    const shown = run('transmission-show', [join(dir, 'default.torrent')]);
    assert.match(shown, new RegExp(`Hash: ${meta.infoHash}`));
  });

  it('--json prints one object; -o - writes the torrent to stdout and the summary to stderr', async (t) => {
    const { dir, content } = folder(t);
    const out = join(dir, 'x.torrent');
    const j = await runCli(['create', content, '--v2', '--json', '--no-date', '-o', out, '--comment', 'hi']);
    assert.equal(j.code, 0, j.stderr);
    const summary = JSON.parse(j.stdout) as Record<string, unknown>;
    const meta = parseTorrent(readFileSync(out));
    assert.equal(summary.infoHashV2, meta.infoHashV2);
    assert.equal(summary.infoHash, undefined);
    assert.equal(meta.comment, 'hi');
    assert.equal(meta.creationDate, undefined);

    const piped = await runCli(['create', content, '--v2', '--no-date', '-o', '-']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(Buffer.from(piped.stdout, 'latin1').length > 0, true);
    assert.match(piped.stderr, new RegExp(`infoHashV2: +${meta.infoHashV2}`));
  });

  it('--name, --private and a piece length with a unit', async (t) => {
    const { dir, content } = folder(t);
    const r = await runCli(
      ['create', content, '--v1', '--private', '--piece-length', '32K', '--name', 'Renamed'],
      {
        cwd: dir,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const meta = parseTorrent(readFileSync(join(dir, 'Renamed.torrent')));
    assert.equal(meta.name, 'Renamed');
    assert.equal(meta.private, true);
    assert.equal(meta.pieceLength, 32768);
  });

  const usage: [string, string[], RegExp][] = [
    ['no path', ['create'], /missing <path>/],
    ['two paths', ['create', 'a', 'b'], /exactly one/],
    ['two versions', ['create', 'a', '--v1', '--v2'], /one of --v1/],
    ['a piece length that is not a number', ['create', 'a', '--piece-length', 'big'], /--piece-length/],
    ['an unknown flag', ['create', 'a', '--frobnicate'], /frobnicate/],
  ];
  for (const [what, args, pattern] of usage) {
    it(`exits 2 with one line on bad usage: ${what}`, async (t) => {
      const r = await runCli(args, { cwd: tempDir(t) });
      assert.equal(r.code, 2);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }

  it('exits 2 for a piece length v2 cannot use, 1 for a missing path, and writes nothing', async (t) => {
    const { dir, content } = folder(t);
    const bad = await runCli(['create', content, '--hybrid', '--piece-length', '20000'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /power of two/);
    const missing = await runCli(['create', join(dir, 'nope')], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^seedcast create: .*no such file or folder\n$/);
    assert.equal(existsSync(join(dir, 'My Album.torrent')), false);
    assert.equal(existsSync(join(dir, 'nope.torrent')), false);
  });

  it('the built command (bin/seedcast.js, dist) hashes in its compiled worker threads', async (t) => {
    const main = new URL('../dist/cli/main.js', import.meta.url).pathname;
    if (!existsSync(main)) {
      const message = 'dist/ is not built (npm run build)';
      if (process.env.CI === 'true') assert.fail(message);
      t.skip(message);
      return;
    }
    const { dir } = folder(t);
    const input = join(dir, 'big.bin');
    writeFileSync(input, randomBytes(6 * 1024 * 1024 + 5));
    const out = join(dir, 'built.torrent');
    const bin = new URL('../bin/seedcast.js', import.meta.url).pathname;
    const built = spawnSync(
      process.execPath,
      [bin, 'create', input, '--hybrid', '--piece-length', '16K', '-o', out],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(built.status, 0, built.stderr);
    const fromSource = await runCli([
      'create',
      input,
      '--hybrid',
      '--piece-length',
      '16K',
      '-o',
      join(dir, 'src.torrent'),
    ]);
    assert.equal(fromSource.code, 0, fromSource.stderr);
    const a = parseTorrent(readFileSync(out));
    const b = parseTorrent(readFileSync(join(dir, 'src.torrent')));
    assert.equal(a.infoHash, b.infoHash);
    assert.equal(a.infoHashV2, b.infoHashV2);
  });

  it('--help names the default version and why', async () => {
    const r = await runCli(['create', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--v1 .*the default/);
    assert.match(r.stdout, /Why v1 by default/);
  });
});
