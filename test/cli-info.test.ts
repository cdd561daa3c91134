/** `seedcast info` as a user runs it: human and JSON output, magnet links, exit codes and one-line errors. */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { encode } from '../src/bencode/index.js';
import { runCli, tempDir } from './helpers/tools.js';

function sampleTorrent(dir: string) {
  const data = Buffer.alloc(50_000, 7);
  const pieces = Buffer.concat(
    [0, 1, 2, 3].map((i) =>
      createHash('sha1')
        .update(data.subarray(i * 16384, (i + 1) * 16384))
        .digest(),
    ),
  );
  const info = {
    name: 'album',
    'piece length': 16384,
    pieces,
    files: [
      { length: 40_000, path: ['disc 1', 'track.flac'] },
      { length: 10_000, path: ['cover.png'] },
    ],
  };
  const path = join(dir, 'album.torrent');
  writeFileSync(
    path,
    encode({
      announce: 'http://a.example/announce',
      'announce-list': [['http://a.example/announce'], ['udp://b.example:6969']],
      info,
      'url-list': ['http://ws.example/'],
    }),
  );
  return { path, infoHash: createHash('sha1').update(encode(info)).digest('hex') };
}

describe('seedcast info', () => {
  it('prints the contract JSON for a torrent file', async (t: TestContext) => {
    const { path, infoHash } = sampleTorrent(tempDir(t));
    const result = await runCli(['info', path, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.infoHash, infoHash);
    assert.equal(json.infoHashV2, undefined);
    assert.equal(json.name, 'album');
    assert.equal(json.length, 50_000);
    assert.equal(json.pieceLength, 16384);
    assert.equal(json.pieces, 4);
    assert.equal(json.private, false);
    assert.deepEqual(json.files, [
      { path: 'album/disc 1/track.flac', length: 40_000 },
      { path: 'album/cover.png', length: 10_000 },
    ]);
    assert.deepEqual(json.announce, [['http://a.example/announce'], ['udp://b.example:6969']]);
    assert.deepEqual(json.urlList, ['http://ws.example/']);
  });

  it('prints a readable summary for people', async (t: TestContext) => {
    const { path, infoHash } = sampleTorrent(tempDir(t));
    const result = await runCli(['info', path]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`Info hash:\\s+${infoHash}`));
    assert.match(result.stdout, /album\/disc 1\/track\.flac/);
    assert.match(result.stdout, /magnet:\?xt=urn:btih:/);
  });

  it("shows the name each file is stored under where it differs from the torrent's", async (t: TestContext) => {
    const dir = tempDir(t);
    const files = [
      { length: 3, path: ['x.txt'] },
      { length: 3, path: ['X.TXT'] },
      { length: 3, path: [`${'y'.repeat(250)}.txt`] },
      { length: 3, path: ['a\u202eb'] },
      { length: 3, path: ['plain'] },
      { length: 3, path: ['..', '..', 'etc', 'passwd'] },
      { length: 3, path: ['c\\d', ''] },
    ];
    const info = { name: 'odd', 'piece length': 16384, pieces: Buffer.alloc(20), files };
    const path = join(dir, 'odd.torrent');
    writeFileSync(path, encode({ info }));
    const result = await runCli(['info', path, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).files, [
      { path: 'odd/x.txt', length: 3 },
      { path: 'odd/X.TXT', length: 3, storedAs: 'odd/X.1.TXT' },
      { path: `odd/${'y'.repeat(250)}.txt`, length: 3, storedAs: `odd/${'y'.repeat(240)}.txt` },
      { path: 'odd/a\u202eb', length: 3, storedAs: 'odd/ab' },
      { path: 'odd/plain', length: 3 },
      { path: 'odd/../../etc/passwd', length: 3, storedAs: 'odd/etc/passwd' },
      { path: 'odd/c\\d/', length: 3, storedAs: 'odd/cd/_' },
    ]);
    const text = await runCli(['info', path]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\n {2}odd\/X\.TXT \(3 B\)\n {4}stored as: odd\/X\.1\.TXT\n/);
    assert.match(text.stdout, /\n {2}odd\/plain \(3 B\)\n(?! {4}stored as)/);
  });

  it('describes a magnet link', async () => {
    const hash = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
    const result = await runCli([
      'info',
      '--json',
      `magnet:?xt=urn:btih:${hash}&dn=Talk&xl=42&tr=udp%3A%2F%2Ft%3A1`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.infoHash, hash);
    assert.equal(json.name, 'Talk');
    assert.equal(json.length, 42);
    assert.deepEqual(json.announce, [['udp://t:1']]);
    assert.equal(json.pieces, null);
  });

  it('exits 2 with one line on bad usage', async () => {
    for (const args of [['info'], ['info', '--nope', 'x'], ['info', 'a', 'b']]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^seedcast info: /);
    }
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
  });

  it('exits 1 with one line, no stack trace, on a bad or missing torrent', async (t: TestContext) => {
    const dir = tempDir(t);
    const bad = join(dir, 'bad.torrent');
    writeFileSync(
      bad,
      encode({ info: { length: 1, name: '..', 'piece length': 16384, pieces: Buffer.alloc(20) } }),
    );
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.torrent'), /cannot read/],
      [bad, /no file name once made safe/],
      ['magnet:?xt=urn:btih:123', /magnet/],
    ];
    for (const [input, pattern] of cases) {
      const result = await runCli(['info', input]);
      assert.equal(result.code, 1, input);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, pattern);
      assert.doesNotMatch(result.stderr, /\s+at /);
    }
  });

  it('prints help for the command and for seedcast itself', async () => {
    const help = await runCli(['info', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: seedcast info/);
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /create/);
  });
});
