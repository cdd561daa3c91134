/**
 * Wild torrents beyond the list of issue 21: what exploring libtorrent 2.0.8's parser found
 * (duplicate keys, leading zeros, lengths that are not integers, hybrids whose views differ, piece
 * layers of the wrong size, ...). Each `expect` is libtorrent's verdict, checked every run by
 * test/wild-torrents-verdicts.test.ts; `seedcast` marks a deliberate difference and says why.
 */

import { benc, build, content, dict, type Entries } from './wild-torrent-builder.js';
import type { WildTorrent } from './wild-torrents.js';

const KiB = 1024;
const two = (seed: string) => [
  { path: ['a.bin'], data: content(`${seed}/a`, 40 * KiB) },
  { path: ['sub', 'b.txt'], data: content(`${seed}/b`, 5 * KiB + 3) },
];
/** A bencoded string whose length has leading zeros. */
const zeroLength = (s: string): { raw: Buffer } => ({ raw: Buffer.from(`00${s.length}:${s}`) });

type Built = ReturnType<typeof build>;
const v1 = (name: string) => build({ name, version: 'v1', files: two(name) });
const v2 = (name: string) => build({ name, version: 'v2', files: two(name) });
const hybrid = (name: string) => build({ name, version: 'hybrid', files: two(name) });

export function exploreCorpus(): WildTorrent[] {
  const out: WildTorrent[] = [];
  const add = (name: string, b: Built, expect: 'load' | 'refuse', extra: Partial<WildTorrent> = {}) =>
    out.push({ name, class: 'explore', torrent: benc(b.top), files: b.files, expect, ...extra });
  const edit = (b: Built, f: (b: Built) => void): Built => {
    f(b);
    return b;
  };

  // Repeated keys: the first one counts (libtorrent's dict_find), for `info` itself too.
  add(
    'dup-key-info',
    edit(v1('dup-info'), (b) => b.top.list.push(['info', v1('dup-info-second').info])),
    'load',
  );
  add(
    'dup-key-name',
    edit(v1('dup-name'), (b) => b.info.list.push(['name', 'second-name'])),
    'load',
  );
  add(
    'dup-key-length',
    edit(v1('dup-len'), (b) => b.v1Files[0]!.list.push(['length', 7])),
    'load',
  );
  // Leading zeros and -0: read as numbers; only a "meta version" info must be canonical.
  add(
    'leading-zero-int',
    edit(v1('lz-int'), (b) => b.info.set('piece length', { raw: Buffer.from('i016384e') })),
    'load',
  );
  add(
    'leading-zero-strlen',
    edit(v1('lz-str'), (b) => b.info.set('name', zeroLength('lz-str'))),
    'load',
  );
  add(
    'negative-zero',
    edit(v1('neg-zero'), (b) => b.info.set('private', { raw: Buffer.from('i-0e') }).sorted()),
    'load',
  );
  add(
    'v2-leading-zero',
    edit(v2('v2-lz'), (b) => b.info.set('name', zeroLength('v2-lz'))),
    'refuse',
  );
  // libtorrent's bdecode limits: 20 digits in an integer, a 17-byte string header (16 digits and ":").
  const rawTop = (name: string, key: string, raw: string) =>
    edit(v1(name), (b) => b.top.set(key, { raw: Buffer.from(raw) }).sorted());
  add('int-20-digits', rawTop('int20', 'creation date', `i${'9'.repeat(20)}e`), 'load');
  add('int-21-digits', rawTop('int21', 'creation date', `i${'1'.repeat(21)}e`), 'refuse');
  add('strlen-16-digits', rawTop('str16', 'comment', `${'0'.repeat(15)}5:hello`), 'load');
  add('strlen-17-digits', rawTop('str17', 'comment', `${'0'.repeat(16)}5:hello`), 'refuse');
  add(
    'v2-leading-zero-outside-info',
    edit(v2('v2-lz-top'), (b) => b.top.set('creation date', { raw: Buffer.from('i0123e') }).sorted()),
    'load',
  );
  add(
    'meta-version-1-unordered',
    edit(v1('mv1'), (b) => b.info.set('meta version', 1).reversed()),
    'refuse',
  );
  add(
    'meta-version-3',
    edit(v2('mv3'), (b) => b.info.set('meta version', 3)),
    'refuse',
  );
  // Lengths.
  add(
    'length-not-integer',
    edit(v1('len-str'), (b) => b.v1Files[0]!.set('length', '40960')),
    'refuse',
  );
  add(
    'length-negative',
    edit(v1('len-neg'), (b) => b.v1Files[1]!.set('length', -1)),
    'refuse',
  );
  add(
    'file-too-large',
    edit(v1('len-huge'), (b) => b.v1Files[1]!.set('length', 2 ** 50)),
    'refuse',
  );
  add(
    'v2-too-many-pieces',
    edit(v2('v2-huge'), (b) => b.v2Leaves[0]!.set('length', 2 ** 40)),
    'refuse',
  );
  add(
    'files-and-length',
    edit(v1('both'), (b) => b.info.set('length', 5).sorted()),
    'load',
  );
  add(
    'empty-files-list',
    edit(v1('no-files'), (b) => b.info.set('files', []).set('pieces', '')),
    'refuse',
  );
  add(
    'all-files-empty',
    build({
      name: 'all-empty',
      version: 'v1',
      files: [
        { path: ['a'], data: Buffer.alloc(0) },
        { path: ['b'], data: Buffer.alloc(0) },
      ],
    }),
    'refuse',
  );
  add(
    'pieces-wrong-count',
    edit(v1('pieces-short'), (b) => b.info.set('pieces', Buffer.alloc(40))),
    'refuse',
  );
  // The info dictionary and its name.
  add(
    'info-not-dict',
    edit(v1('info-list'), (b) => b.top.set('info', [1, 2])),
    'refuse',
  );
  add(
    'info-missing',
    edit(v1('no-info'), (b) => b.top.delete('info')),
    'refuse',
  );
  add(
    'name-missing',
    edit(v1('no-name'), (b) => b.info.delete('name')),
    'refuse',
  );
  add(
    'name-empty-multi',
    edit(v1('empty-name'), (b) => b.info.set('name', '')),
    'load',
  );
  add(
    'name-utf8',
    edit(v1('latin'), (b) => b.info.set('name.utf-8', 'n\u00e4me-utf8').sorted()),
    'load',
  );
  out.push({ name: 'top-not-dict', class: 'explore', torrent: benc([1, 2]), files: [], expect: 'refuse' });
  // Piece lengths.
  add(
    'v1-piece-length-not-power-of-2',
    build({ name: 'pl-20000', version: 'v1', pieceLength: 20000, files: two('pl') }),
    'load',
  );
  add(
    'v2-piece-length-not-power-of-2',
    edit(v2('v2-pl'), (b) => b.info.set('piece length', 20000)),
    'refuse',
  );
  add(
    'piece-length-256mib',
    build({
      name: 'pl-256m.bin',
      version: 'v1',
      single: true,
      pieceLength: 256 * 1024 * KiB,
      files: [{ path: [], data: content('pl256', 1000) }],
    }),
    'load',
    {
      seedcast: 'refuse',
      why: 'our 128 MiB piece-length cap (security issue); libtorrent allows up to 512 MiB',
    },
  );
  // v1 file entries.
  add(
    'path-element-not-string',
    edit(v1('path-int'), (b) => b.v1Files[0]!.set('path', ['ok', 5])),
    'refuse',
  );
  add(
    'file-without-path',
    edit(v1('no-path'), (b) => b.v1Files[1]!.delete('path')),
    'refuse',
  );
  add(
    'pad-without-path',
    edit(build({ name: 'pad-nopath', version: 'v1', pad: 'bep47', files: two('pnp') }), (b) =>
      b.v1Files[1]!.delete('path'),
    ),
    'load',
  );
  add(
    'bitcomet-pad-no-attr',
    edit(build({ name: 'bc-noattr', version: 'v1', pad: 'bitcomet', files: two('bcn') }), (b) =>
      b.v1Files[1]!.delete('attr'),
    ),
    'load',
  );
  const links = (name: string) =>
    build({
      name,
      version: 'v1',
      files: [...two(name), { path: ['link'], data: Buffer.alloc(0), attr: 'l', symlink: ['a.bin'] }],
    });
  add(
    'symlink-with-length',
    edit(links('sym-len'), (b) => b.v1Files[2]!.set('length', 100).sorted()),
    'load',
  );
  add(
    'symlink-without-target',
    edit(links('sym-notarget'), (b) => b.v1Files[2]!.delete('symlink path').set('length', 9)),
    'load',
  );
  // Hybrids whose views differ, or agree in a form older libtorrents wrote.
  add(
    'hybrid-single',
    build({
      name: 'hyb-single.bin',
      version: 'hybrid',
      single: true,
      files: [{ path: [], data: content('hs', 50 * KiB + 1) }],
    }),
    'load',
  );
  add(
    'hybrid-renamed-file',
    edit(hybrid('hyb-ren'), (b) => b.v1Files[0]!.set('path', ['other.bin'])),
    'refuse',
  );
  add(
    'hybrid-without-pad',
    edit(hybrid('hyb-nopad'), (b) => b.info.set('files', [b.v1Files[0]!, b.v1Files[2]!])),
    'refuse',
  );
  add(
    'hybrid-without-pieces',
    edit(hybrid('hyb-nopieces'), (b) => b.info.delete('pieces')),
    'load',
    {
      seedcast: 'refuse',
      why: 'libtorrent loads a hybrid without v1 piece hashes; we cannot check its v1 pieces, so we refuse it',
    },
  );
  // Piece layers present but wrong.
  const layers = (b: Built) => b.top.get('piece layers') as Entries;
  const firstLayer = (b: Built) => layers(b).list[0]!;
  add(
    'layers-wrong-size',
    edit(v2('ly-size'), (b) => {
      firstLayer(b)[1] = (firstLayer(b)[1] as Buffer).subarray(32);
    }),
    'refuse',
  );
  add(
    'layers-wrong-hash',
    edit(v2('ly-hash'), (b) => {
      firstLayer(b)[1] = Buffer.alloc((firstLayer(b)[1] as Buffer).length, 7);
    }),
    'load',
    {
      seedcast: 'refuse',
      why: 'libtorrent loads the file but fails the torrent when it is added (torrent_invalid_piece_layer); we refuse it when parsing',
    },
  );
  add(
    'layers-unknown-root',
    edit(v2('ly-stranger'), (b) => layers(b).list.push([Buffer.alloc(32, 9), Buffer.alloc(64)])),
    'load',
  );
  add(
    'layers-not-dict',
    edit(v2('ly-string'), (b) => b.top.set('piece layers', 'junk')),
    'load',
  );
  // v2 file trees.
  const tree = (b: Built) => b.info.get('file tree') as Entries;
  add(
    'v2-empty-folder',
    edit(v2('v2-emptydir'), (b) => tree(b).set('empty', dict([])).sorted()),
    'load',
  );
  add(
    'v2-node-file-and-folder',
    edit(v2('v2-both'), (b) => (tree(b).get('a.bin') as Entries).set('x', dict([]))),
    'refuse',
  );
  add(
    'v2-empty-key',
    edit(v2('v2-emptykey'), (b) => (tree(b).get('sub') as Entries).list.unshift(['', dict([['length', 0]])])),
    'refuse',
  );
  add(
    'v2-zero-root',
    edit(v2('v2-zeroroot'), (b) => b.v2Leaves[1]!.set('pieces root', Buffer.alloc(32))),
    'refuse',
  );
  add(
    'v2-symlink',
    edit(v2('v2-sym'), (b) =>
      tree(b)
        .set(
          'link',
          dict([
            [
              '',
              dict([
                ['attr', 'l'],
                ['symlink path', ['a.bin']],
              ]),
            ],
          ]),
        )
        .sorted(),
    ),
    'load',
  );
  add(
    'v2-empty-file',
    build({
      name: 'v2-empty',
      version: 'v2',
      files: [...two('v2e'), { path: ['zero'], data: Buffer.alloc(0) }],
    }),
    'load',
  );
  add(
    'v2-single-name-differs',
    edit(
      build({
        name: 'tree-name.bin',
        version: 'v2',
        single: true,
        files: [{ path: [], data: content('v2snd', 3000) }],
      }),
      (b) => b.info.set('name', 'other-name.bin'),
    ),
    'load',
  );
  add(
    'announce-not-string',
    edit(v1('ann-int'), (b) => b.top.set('announce', 5)),
    'load',
  );
  return out;
}
