/** parseTorrent on v1 torrents (BEP 3, 12, 19, 27, 47), read as libtorrent 2.0.8 reads them. */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  dataA,
  dataB,
  expectError,
  PL,
  sha1,
  v1Multi,
  v1Pieces,
} from '../../test/helpers/torrent-fixtures.js';
import { encode } from '../bencode/index.js';
import { parseTorrent } from './index.js';

describe('parseTorrent v1', () => {
  it('reads a single-file torrent and hashes the original info bytes', () => {
    const info = {
      length: dataA.length,
      name: 'a.bin',
      'piece length': PL,
      pieces: v1Pieces([dataA], PL),
      private: 1,
    };
    const bytes = encode({
      announce: 'http://t.example/announce',
      comment: 'hello',
      'created by': 'test',
      'creation date': 1700000000,
      info,
      'url-list': 'http://ws.example/a.bin',
    });
    const meta = parseTorrent(bytes);
    assert.equal(meta.version, 'v1');
    assert.equal(meta.infoHash, sha1(encode(info)).toString('hex'));
    assert.equal(meta.infoHashV2, undefined);
    assert.equal(meta.name, 'a.bin');
    assert.equal(meta.length, 40000);
    assert.equal(meta.pieceCount, 3);
    assert.equal(meta.multiFile, false);
    assert.equal(meta.private, true);
    assert.deepEqual(meta.files, [
      { path: ['a.bin'], storagePath: ['a.bin'], length: 40000, offset: 0, attr: '', padding: false },
    ]);
    assert.deepEqual(meta.announce, [['http://t.example/announce']]);
    assert.deepEqual(meta.urlList, ['http://ws.example/a.bin']);
    assert.equal(meta.comment, 'hello');
    assert.equal(meta.createdBy, 'test');
    assert.equal(meta.creationDate, 1700000000);
  });

  it('reads multi-file torrents with offsets and BEP 12 tiers', () => {
    const bytes = v1Multi(
      [
        { path: ['cd1', 'one.flac'], data: dataA },
        { path: ['two.flac'], data: dataB },
      ],
      {
        'announce-list': [['http://a/announce', 'http://b/announce'], [], ['udp://c:80']],
        'url-list': ['http://ws1/', '', 'http://ws2/'],
      },
    );
    const meta = parseTorrent(bytes);
    assert.equal(meta.multiFile, true);
    assert.deepEqual(
      meta.files.map((f) => [f.path.join('/'), f.length, f.offset]),
      [
        ['album/cd1/one.flac', 40000, 0],
        ['album/two.flac', 5000, 40000],
      ],
    );
    assert.equal(meta.pieceCount, 3);
    assert.deepEqual(meta.announce, [['http://a/announce', 'http://b/announce'], ['udp://c:80']]);
    assert.deepEqual(meta.urlList, ['http://ws1/', 'http://ws2/']);
  });

  it('rejects structural errors with TORRENT_INVALID', () => {
    expectError(encode([1, 2]), 'TORRENT_INVALID', /must be a dictionary/);
    expectError(encode({ announce: 'x' }), 'TORRENT_INVALID', /"info" must be a dictionary/);
    const base = { name: 'a', 'piece length': PL, pieces: v1Pieces([dataA], PL), length: dataA.length };
    expectError(encode({ info: { ...base, pieces: Buffer.alloc(21) } }), 'TORRENT_INVALID', /multiple of 20/);
    expectError(
      encode({ info: { ...base, pieces: Buffer.alloc(40) } }),
      'TORRENT_INVALID',
      /has 2 hashes, the content needs 3/,
    );
    expectError(encode({ info: { ...base, length: -5 } }), 'TORRENT_INVALID', /non-negative/);
    expectError(encode({ info: { ...base, 'piece length': 0 } }), 'TORRENT_INVALID', /positive/);
    // libtorrent reads `files` when it is a list and ignores `length` then; an empty list is no files.
    expectError(encode({ info: { ...base, files: [] } }), 'TORRENT_INVALID', /no files/);
    expectError(encode({ info: { ...base, length: undefined, files: [] } }), 'TORRENT_INVALID', /no files/);
    expectError(
      encode({ info: { ...base, length: undefined, files: [{ length: 1 }] } }),
      'TORRENT_INVALID',
      /path/,
    );
    expectError(encode({ info: { ...base, name: undefined } }), 'TORRENT_INVALID', /"name"/);
    expectError(
      encode({ info: { name: 'a', 'piece length': PL, length: 1 } }),
      'TORRENT_INVALID',
      /"pieces"/,
    );
    expectError(encode({ info: { ...base, length: 0, pieces: '' } }), 'TORRENT_INVALID', /total length .* 0/);
    expectError(encode({ info: { ...base, 'meta version': 3 } }), 'TORRENT_INVALID', /meta version 3/);
  });

  it('refuses a piece length over 128 MiB (a hostile torrent of 8 GiB pieces), naming it', () => {
    const huge = 8 * 1024 ** 3;
    const one = { name: 'a', 'piece length': huge, pieces: Buffer.alloc(20), length: 1 };
    expectError(
      encode({ info: one }),
      'TORRENT_INVALID',
      /piece length" 8589934592 is over the limit of 134217728/,
    );
    const over = { ...one, 'piece length': 128 * 1024 * 1024 + 16384 };
    expectError(encode({ info: over }), 'TORRENT_INVALID', /over the limit/);
    const max = parseTorrent(encode({ info: { ...one, 'piece length': 128 * 1024 * 1024 } }));
    assert.equal(max.pieceLength, 128 * 1024 * 1024);
  });

  it('reads non-canonical bencode as libtorrent does, hashing the info bytes as they are', () => {
    const good = v1Multi([{ path: ['x'], data: dataB }]);
    expectError(good.subarray(0, good.length - 10), 'BENCODE_TRUNCATED');
    // Keys out of order inside info (name before length), a leading zero, bytes after the end.
    const pieces = v1Pieces([dataB], PL);
    const info = Buffer.concat([
      Buffer.from(`d4:name1:a6:lengthi${dataB.length}e12:piece lengthi0${PL}e6:pieces${pieces.length}:`),
      pieces,
      Buffer.from('e'),
    ]);
    const odd = Buffer.concat([Buffer.from('d4:info'), info, Buffer.from('e\ntrailing')]);
    const meta = parseTorrent(odd);
    assert.equal(meta.infoHash, createHash('sha1').update(info).digest('hex'));
    assert.equal(meta.pieceLength, PL);
    // A repeated key: the first one counts, as libtorrent's dict_find.
    const twice = Buffer.concat([Buffer.from('d4:info'), info, Buffer.from('4:infoi1ee')]);
    assert.equal(parseTorrent(twice).infoHash, meta.infoHash);
    // A torrent with a "meta version" must have a canonical info dictionary (libtorrent: invalid bencoding).
    const v2info = Buffer.concat([Buffer.from('d12:meta versioni1e'), info.subarray(1)]);
    expectError(
      Buffer.concat([Buffer.from('d4:info'), v2info, Buffer.from('e')]),
      'BENCODE_NON_CANONICAL',
      /out of order/,
    );
  });

  it('keeps paths as the torrent writes them (.., absolute, empty, separators, long): libtorrent loads them', () => {
    const cases: string[][] = [
      ['..', 'etc', 'passwd'],
      ['ok', '..'],
      ['', 'etc'],
      ['.'],
      ['a/b'],
      ['..\\..\\win.ini'],
      ['CON'],
      ['C:', 'x'],
      ['bell\u0007'],
      ['x'.repeat(300)],
    ];
    for (const path of cases) {
      assert.deepEqual(parseTorrent(v1Multi([{ path, data: dataB }])).files[0]!.path, ['album', ...path]);
    }
    const pieces = v1Pieces([dataB], PL);
    for (const name of ['/etc', 'a/b']) {
      const meta = parseTorrent(encode({ info: { name, 'piece length': PL, pieces, length: dataB.length } }));
      assert.deepEqual(meta.files[0]!.path, [name]);
    }
    // A single file whose name sanitises to nothing: libtorrent refuses it ("missing name").
    for (const name of ['..', '.', '', '/']) {
      expectError(
        encode({ info: { name, 'piece length': PL, pieces, length: dataB.length } }),
        'TORRENT_INVALID',
        /name/,
      );
    }
    // A file without a path is refused, a padding file without one is named .pad/N.
    expectError(
      encode({
        info: { name: 'x', 'piece length': PL, pieces, files: [{ length: dataB.length, path: [] }] },
      }),
      'TORRENT_INVALID',
      /no "path"/,
    );
  });
});
