import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers/tools.js';
import { encode } from '../bencode/index.js';
import { FileStore } from '../engine/index.js';
import { parseTorrent } from '../torrent/index.js';
import { placedPath, placeMeta } from './swarm.js';

const PIECE = 16384;

/** A torrent whose paths are odd, with real piece hashes over `data`. */
function oddTorrent(files: { path: string[]; data: Buffer }[]) {
  const all = Buffer.concat(files.map((f) => f.data));
  const pieces: Buffer[] = [];
  for (let at = 0; at < all.length; at += PIECE)
    pieces.push(
      createHash('sha1')
        .update(all.subarray(at, at + PIECE))
        .digest(),
    );
  const info = {
    name: '..',
    'piece length': PIECE,
    pieces: Buffer.concat(pieces),
    files: files.map((f) => ({ length: f.data.length, path: f.path })),
  };
  return { meta: parseTorrent(encode({ info } as never)), all };
}

test('the library places a torrent under the item name and each file under its sanitised path', async (t) => {
  const files = [
    { path: ['..', '..', 'escape.mp3'], data: Buffer.alloc(20_000, 1) },
    { path: ['a\\b.txt'], data: Buffer.alloc(10_000, 2) },
    { path: ['ab.txt'], data: Buffer.alloc(7_000, 3) },
  ];
  const { meta, all } = oddTorrent(files);
  const library = join(tempDir(t), 'library', 'feed');
  const placed = placeMeta(meta, 'My show');
  assert.deepEqual(
    placed.files.map((f) => f.storagePath),
    [
      ['My show', 'escape.mp3'],
      ['My show', 'ab.txt'],
      ['My show', 'ab.1.txt'],
    ],
  );
  // The torrent's own paths stay for the wire and for web-seed URLs.
  assert.deepEqual(
    placed.files.map((f) => f.path),
    meta.files.map((f) => f.path),
  );

  const store = new FileStore(placed, library);
  for (let at = 0; at < all.length; at += PIECE) await store.write(at, all.subarray(at, at + PIECE));
  await store.close();
  assert.equal(placedPath(meta, library, 'My show'), join(library, 'My show'));
  assert.deepEqual(readdirSync(join(library, '..')), ['feed']);
  assert.deepEqual(readdirSync(library), ['My show']);
  assert.deepEqual(readdirSync(join(library, 'My show')).sort(), ['ab.1.txt', 'ab.txt', 'escape.mp3']);
  assert.ok(readFileSync(join(library, 'My show', 'escape.mp3')).equals(files[0]!.data));
  assert.ok(readFileSync(join(library, 'My show', 'ab.txt')).equals(files[1]!.data));
  assert.ok(readFileSync(join(library, 'My show', 'ab.1.txt')).equals(files[2]!.data));
});

test('a single file keeps its sanitised extension under the item name', () => {
  const info = { name: 'a\\b\u202e.mp3', 'piece length': PIECE, pieces: Buffer.alloc(20), length: 5 };
  const meta = parseTorrent(encode({ info } as never));
  assert.deepEqual(meta.files[0]!.storagePath, ['ab.mp3']);
  assert.deepEqual(placeMeta(meta, 'Episode').files[0]!.storagePath, ['Episode.mp3']);
  assert.deepEqual(placeMeta(meta, 'Episode').files[0]!.path, ['a\\b\u202e.mp3']);
});
