/** parseTorrent on v2 and hybrid torrents (BEP 52): file trees, piece layers, hybrid consistency. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dataA,
  dataB,
  expectError,
  PL,
  sha256,
  v1Pieces,
  v2File,
  v2Torrent,
} from '../../test/helpers/torrent-fixtures.js';
import { type BEncodable, encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { checkPieceLayers, parseTorrent } from './index.js';

describe('parseTorrent v2 and hybrid (BEP 52)', () => {
  const files = [
    { path: ['ep1.mp3'], data: dataA },
    { path: ['extra', 'notes.txt'], data: dataB },
    { path: ['extra', 'zero.txt'], data: Buffer.alloc(0) },
  ];

  it('reads a v2 multi-file torrent and checks its piece layers', () => {
    const { bytes, info } = v2Torrent(files);
    const meta = parseTorrent(bytes);
    assert.equal(meta.version, 'v2');
    const full = sha256(encode(info)).toString('hex');
    assert.equal(meta.infoHashV2, full);
    assert.equal(meta.infoHash, full.slice(0, 40));
    assert.equal(meta.multiFile, true);
    assert.deepEqual(
      meta.files.map((f) => [f.path.join('/'), f.length, f.offset, Boolean(f.piecesRoot)]),
      [
        ['show/ep1.mp3', 40000, 0, true],
        ['show/extra/notes.txt', 5000, 3 * PL, true],
        ['show/extra/zero.txt', 0, 4 * PL, false],
      ],
    );
    assert.equal(meta.pieceCount, 4);
    assert.equal(meta.pieces.length, 0);
    assert.equal(meta.pieceLayers.size, 1);
  });

  it('reads a v2 single-file torrent', () => {
    const meta = parseTorrent(
      v2Torrent([{ path: ['clip.webm'], data: dataA }], PL, { name: 'clip.webm' }).bytes,
    );
    assert.equal(meta.multiFile, false);
    assert.deepEqual(meta.files[0]!.path, ['clip.webm']);
  });

  it('reads a hybrid torrent with padding files and attaches pieces roots', () => {
    const { bytes } = v2Torrent(files, PL, { hybrid: true });
    const meta = parseTorrent(bytes);
    assert.equal(meta.version, 'hybrid');
    assert.ok(meta.infoHashV2);
    assert.equal(meta.infoHash.length, 40);
    assert.notEqual(meta.infoHash, meta.infoHashV2!.slice(0, 40));
    const pads = meta.files.filter((f) => f.padding);
    assert.equal(pads.length, 2);
    assert.equal(meta.length, 45000);
    for (const f of meta.files.filter((x) => !x.padding)) {
      assert.equal(f.offset % PL, 0);
      assert.equal(Boolean(f.piecesRoot), f.length > 0);
    }
  });

  it('loads v2 torrents without piece layers; refuses piece layers of the wrong shape, loads a wrong hash as libtorrent', () => {
    const { info } = v2Torrent(files);
    assert.equal(parseTorrent(encode({ info })).pieceLayers.size, 0);
    expectError(encode({ info }), 'TORRENT_INVALID', /"piece layers" for "ep1.mp3" is missing/, {
      requirePieceLayers: true,
    });
    const rootKey = v2File(dataA, PL).root.toString('latin1');
    const wrong = new Map([[rootKey, Buffer.alloc(96, 1)]]);
    // libtorrent's torrent_info loads a layer that does not hash to its root (adding it fails):
    // checkPieceLayers, which the engine calls, refuses it, naming the file.
    const loaded = parseTorrent(encode({ info, 'piece layers': wrong }));
    assert.equal(loaded.pieceLayers.size, 1);
    assert.throws(
      () => checkPieceLayers(loaded),
      (err) =>
        isSeedcastError(err) &&
        err.code === 'TORRENT_HASH_MISMATCH' &&
        /"show\/ep1.mp3" does not hash/.test(err.message),
    );
    const right = parseTorrent(
      encode({ info, 'piece layers': new Map([[rootKey, v2File(dataA, PL).layer]]) }),
    );
    checkPieceLayers(right);
    const short = new Map([[rootKey, Buffer.alloc(64)]]);
    expectError(encode({ info, 'piece layers': short }), 'TORRENT_INVALID', /expected 96/);
    // A layer of no file of this torrent is ignored (libtorrent 2.0.8); one that cannot be a layer is not.
    const stranger = new Map([['x'.repeat(32), Buffer.alloc(64)]]);
    assert.equal(parseTorrent(encode({ info, 'piece layers': stranger })).pieceLayers.size, 0);
    const shortKey = new Map([['x'.repeat(31), Buffer.alloc(64)]]);
    expectError(encode({ info, 'piece layers': shortKey }), 'TORRENT_INVALID', /32-byte root/);
    // Not a dictionary: libtorrent ignores it.
    assert.equal(parseTorrent(encode({ info, 'piece layers': 'junk' })).pieceLayers.size, 0);
  });

  it('rejects malformed v2 file trees', () => {
    const { info } = v2Torrent([{ path: ['a'], data: dataB }]);
    expectError(encode({ info: { ...info, 'piece length': 20000 } }), 'TORRENT_INVALID', /power of two/);
    expectError(encode({ info: { ...info, 'file tree': {} } }), 'TORRENT_INVALID', /no files/);
    expectError(
      encode({ info: { ...info, 'file tree': { a: { '': { length: 5 } } } } }),
      'TORRENT_INVALID',
      /pieces root/,
    );
    expectError(
      encode({ info: { ...info, 'file tree': { a: { '': { length: 0 }, b: {} } } } }),
      'TORRENT_INVALID',
      /non-empty name/,
    );
    expectError(
      encode({
        info: {
          ...info,
          'file tree': { a: { '': { length: 5, attr: 'p', 'pieces root': 'r'.repeat(32) } } },
        },
      }),
      'TORRENT_INVALID',
      /padding file/,
    );
    expectError(
      encode({ info: { ...info, 'file tree': { a: { '': { length: 1, 'pieces root': 'short' } } } } }),
      'TORRENT_INVALID',
      /32-byte root/,
    );
  });

  it('rejects hybrid torrents whose v1 and v2 views disagree', () => {
    const { info, layers, bytes } = v2Torrent(files, PL, { hybrid: true });
    assert.equal(parseTorrent(bytes).version, 'hybrid');
    const other = v2Torrent([{ path: ['ep1.mp3'], data: dataA }], PL, { hybrid: true }).info;
    const mixed = encode({
      info: { ...info, files: other.files, pieces: other.pieces },
      'piece layers': layers,
    });
    expectError(mixed, 'TORRENT_HASH_MISMATCH', /the v1 list has 1 entries, the v2 tree \(with padding\) 5/);
    const renamed = (info.files as Record<string, BEncodable>[]).map((f, i) =>
      i === 0 ? { ...f, path: ['other.mp3'] } : f,
    );
    expectError(
      encode({ info: { ...info, files: renamed }, 'piece layers': layers }),
      'TORRENT_HASH_MISMATCH',
      /file 0 differs/,
    );
    const unpadded = (info.files as Record<string, BEncodable>[]).filter((f) => f.attr !== 'p');
    const chunks = [dataA, dataB];
    const pieces = v1Pieces(chunks, PL);
    expectError(
      encode({ info: { ...info, files: unpadded, pieces }, 'piece layers': layers }),
      'TORRENT_HASH_MISMATCH',
      /the v1 list has 3 entries, the v2 tree \(with padding\) 5/,
    );
  });
});
