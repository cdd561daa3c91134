import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode, isDict } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { readTorrentPart } from './torrent-part.js';

const info = { name: 'clip.mp4', 'piece length': 16384, length: 5, pieces: Buffer.alloc(20, 7) };
const torrent = (top: Record<string, unknown>) => encode({ ...top, info } as never);

test('readTorrentPart refuses what the site cannot archive, naming the torrent field', () => {
  const refused = (bytes: Uint8Array, why: RegExp) =>
    assert.throws(
      () => readTorrentPart(bytes),
      (e) => isSeedcastError(e, 'ITEM_INVALID') && /torrent: /.test(e.message) && why.test(e.message),
    );
  refused(Buffer.alloc(0), /empty/);
  refused(Buffer.from('d4:info'), /./);
  refused(encode({ info: { ...info, name: '..' } } as never), /./);
  refused(
    encode({ info: { ...info, length: 0, pieces: Buffer.alloc(0) } } as never),
    /total length of the torrent is 0/,
  );
  assert.equal(readTorrentPart(torrent({})).name, 'clip.mp4');
});

test('readTorrentPart refuses a piece layer that does not hash to its root (the site could not seed it)', async () => {
  const { wildCorpus } = await import('../../test/helpers/wild-torrents.js');
  const good = wildCorpus().find((w) => w.name === 'hybrid')!.torrent;
  assert.equal(readTorrentPart(good).pieceLayers.size, 1);
  // The same hybrid with its one layer overwritten (outside `info`: same info hashes).
  const top = decode(good);
  assert.ok(isDict(top));
  const layers = top.get('piece layers');
  assert.ok(isDict(layers));
  for (const [root, layer] of layers) layers.set(root, new Uint8Array((layer as Uint8Array).length).fill(7));
  assert.throws(
    () => readTorrentPart(encode(top)),
    (err) =>
      isSeedcastError(err) &&
      err.code === 'ITEM_INVALID' &&
      /does not hash to the file's pieces root/.test(err.message),
  );
});
