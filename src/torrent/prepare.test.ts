/**
 * A prepared torrent (`StreamingHasher.prepare`, what the publisher uses) written once with its web
 * seed is byte for byte the torrent the publisher wrote before: `finish` without a web seed, then
 * `withWebSeed` decoding it and writing it again with `url-list` set. Same info hashes, same bytes,
 * for v1 and hybrid, one file and a folder.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseTorrent } from './parse.js';
import { withWebSeed } from './rewrite.js';
import { StreamingHasher } from './streaming-hasher.js';

const SITE = 'https://site.test';
const OPTIONS = {
  // what the publisher passes: one tier for each of the site's trackers
  announce: [[`${SITE}/announce`], ['udp://site.test:6969/announce'], ['wss://site.test/announce']],
  creationDate: 1_765_000_000,
};

function hashed(files: Record<string, Buffer>): StreamingHasher {
  const hasher = new StreamingHasher({ maxBytes: 8 * 1024 * 1024 });
  for (const [path, data] of Object.entries(files)) {
    const file = hasher.addFile(path.split('/'));
    for (let at = 0; at < data.length; at += 40_000) file.update(data.subarray(at, at + 40_000));
    file.end();
  }
  return hasher;
}

const CASES: [string, Record<string, Buffer>][] = [
  ['one file', { 'talk.mp3': randomBytes(300_000) }],
  [
    'a folder',
    { 'a/intro.txt': randomBytes(1_000), 'b/talk.mp4': randomBytes(700_000), 'c.srt': randomBytes(10) },
  ],
];

for (const version of ['v1', 'hybrid'] as const) {
  for (const [label, files] of CASES) {
    test(`${version}, ${label}: written once with its web seed, the same bytes as written then re-encoded`, () => {
      const options = { ...OPTIONS, version, name: 'Talk' };
      const webSeed = `${SITE}/items/42/files/`;
      const before = hashed(files).finish(options);
      const old = withWebSeed(before.torrent, webSeed);

      const prepared = hashed(files).prepare(options);
      assert.equal(prepared.infoHash, before.infoHash);
      assert.equal(prepared.infoHashV2, before.infoHashV2);
      assert.deepEqual(prepared.files, before.files);
      const built = prepared.build([webSeed]);

      assert.ok(built.torrent.equals(old), 'the torrent differs from the one written then re-encoded');
      assert.deepEqual(built.urlList, [webSeed]);
      const meta = parseTorrent(built.torrent);
      assert.deepEqual(meta.urlList, [webSeed]);
      assert.equal(meta.infoHash, before.infoHash);
    });
  }
}

test('build without web seeds is finish: the options own url-list, or none', () => {
  const files = { 'talk.mp3': randomBytes(100_000) };
  const options = { ...OPTIONS, version: 'v1' as const, urlList: [`${SITE}/mirror/`] };
  assert.ok(hashed(files).prepare(options).build().torrent.equals(hashed(files).finish(options).torrent));
  assert.deepEqual(parseTorrent(hashed(files).prepare(options).build().torrent).urlList, [`${SITE}/mirror/`]);
});

test('a web seed that is not a URL is refused when the torrent is written', () => {
  const prepared = hashed({ 'talk.mp3': randomBytes(10_000) }).prepare({ ...OPTIONS, version: 'v1' });
  assert.throws(() => prepared.build(['not a url']), { code: 'CREATE_OPTIONS' });
});
