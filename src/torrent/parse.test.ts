import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { type BEncodable, encode, textKey } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { merkleRoot, parseTorrent } from './index.js';
import type { ParseOptions } from './parse.js';

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** v1 piece hashes over the concatenation of `chunks`. */
function v1Pieces(chunks: Buffer[], pieceLength: number): Buffer {
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += pieceLength) out.push(sha1(all.subarray(i, i + pieceLength)));
  return Buffer.concat(out);
}

/** BEP 52 pieces root and piece layer of one file's content (written independently of the parser). */
function v2File(data: Buffer, pieceLength: number): { root: Buffer; layer: Buffer } {
  const BLOCK = 16384;
  const leaves: Buffer[] = [];
  for (let i = 0; i < data.length; i += BLOCK) leaves.push(sha256(data.subarray(i, i + BLOCK)));
  const perPiece = pieceLength / BLOCK;
  if (leaves.length <= perPiece) return { root: merkleRoot(leaves), layer: Buffer.alloc(0) };
  const layer: Buffer[] = [];
  for (let i = 0; i < leaves.length; i += perPiece) {
    const group = leaves.slice(i, i + perPiece);
    while (group.length < perPiece) group.push(Buffer.alloc(32));
    layer.push(merkleRoot(group));
  }
  return { root: merkleRoot(layer, { padLevel: Math.log2(perPiece) }), layer: Buffer.concat(layer) };
}

function expectError(bytes: Uint8Array, code: string, pattern?: RegExp, options?: ParseOptions) {
  assert.throws(
    () => parseTorrent(bytes, options),
    (err: unknown) => {
      assert.ok(isSeedcastError(err), `expected a SeedcastError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

const PL = 16384;
const dataA = Buffer.alloc(40000, 'a');
const dataB = Buffer.alloc(5000, 'b');

function v1Multi(files: { path: string[]; data: Buffer }[], extra: Record<string, BEncodable> = {}) {
  return encode({
    announce: 'http://tracker.example/announce',
    info: {
      name: 'album',
      'piece length': PL,
      pieces: v1Pieces(
        files.map((f) => f.data),
        PL,
      ),
      files: files.map((f) => ({ length: f.data.length, path: f.path })),
    },
    ...extra,
  });
}

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

function v2Torrent(
  files: { path: string[]; data: Buffer }[],
  pieceLength = PL,
  opts: { hybrid?: boolean; name?: string } = {},
) {
  const tree = new Map<string, BEncodable>();
  const layers = new Map<string, BEncodable>();
  for (const f of files) {
    const { root, layer } = v2File(f.data, pieceLength);
    let node = tree;
    for (const c of f.path.slice(0, -1)) {
      const key = textKey(c);
      if (!node.has(key)) node.set(key, new Map());
      node = node.get(key) as Map<string, BEncodable>;
    }
    const leaf = f.data.length > 0 ? { length: f.data.length, 'pieces root': root } : { length: 0 };
    node.set(textKey(f.path.at(-1)!), new Map([['', leaf]]));
    if (layer.length > 0) layers.set(root.toString('latin1'), layer);
  }
  const info: Record<string, BEncodable> = {
    'file tree': tree,
    'meta version': 2,
    name: opts.name ?? 'show',
    'piece length': pieceLength,
  };
  if (opts.hybrid) {
    const v1Files: BEncodable[] = [];
    const chunks: Buffer[] = [];
    files.forEach((f, i) => {
      v1Files.push({ length: f.data.length, path: f.path });
      chunks.push(f.data);
      const rem = f.data.length % pieceLength;
      if (i < files.length - 1 && rem !== 0) {
        v1Files.push({ attr: 'p', length: pieceLength - rem, path: ['.pad', String(pieceLength - rem)] });
        chunks.push(Buffer.alloc(pieceLength - rem));
      }
    });
    info.files = v1Files;
    info.pieces = v1Pieces(chunks, pieceLength);
  }
  return { bytes: encode({ info, 'piece layers': layers }), info, layers };
}

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

  it('loads v2 torrents without piece layers; refuses piece layers that are wrong', () => {
    const { info } = v2Torrent(files);
    assert.equal(parseTorrent(encode({ info })).pieceLayers.size, 0);
    expectError(encode({ info }), 'TORRENT_INVALID', /"piece layers" for "ep1.mp3" is missing/, {
      requirePieceLayers: true,
    });
    const rootKey = v2File(dataA, PL).root.toString('latin1');
    const wrong = new Map([[rootKey, Buffer.alloc(96, 1)]]);
    expectError(encode({ info, 'piece layers': wrong }), 'TORRENT_HASH_MISMATCH', /does not hash/);
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
