/**
 * A corpus of odd ("wild") torrents, one per class of issue 21, built by the tests themselves
 * (wild-torrent-builder.ts), plus what exploring libtorrent's parser found beyond the issue's list
 * (wild-torrents-explore.ts).
 *
 * Every torrent is made from real, deterministic file content, so its piece hashes are true and the
 * same torrents can be seeded and downloaded end to end (a libtorrent seeder given `files`).
 * `expect` is libtorrent 2.0.8's verdict; test/wild-torrents-verdicts.test.ts asks the real
 * libtorrent, parseTorrent and `seedcast info --json` every run and wants all three to agree.
 */

import { type Built, benc, build, content, type FileSpec } from './wild-torrent-builder.js';

import { exploreCorpus } from './wild-torrents-explore.js';

export * from './wild-torrent-builder.js';

/** One corpus entry. */
export interface WildTorrent {
  /** Unique, file-name safe. */
  name: string;
  /** The class of issue 21 it stands for (or "control", or "explore" for what we found beyond it). */
  class: string;
  torrent: Buffer;
  /** Content to seed: path as the torrent says it (name first), data (symlinks: none, with target). */
  files: { path: string[]; data: Buffer; symlink?: string[] }[];
  /** libtorrent 2.0.8's verdict. */
  expect: 'load' | 'refuse';
  /** Seedcast's verdict where it differs from libtorrent's on purpose (and `why`). */
  seedcast?: 'load' | 'refuse';
  why?: string;
}

/** Every wild torrent: the classes of the issue (`wildCorpus`) and what exploring found. */
export function allWildTorrents(): WildTorrent[] {
  return [...wildCorpus(), ...exploreCorpus()];
}

const KiB = 1024;
const two = (seed: string): FileSpec[] => [
  { path: ['a.bin'], data: content(`${seed}/a`, 40 * KiB) },
  { path: ['sub', 'b.txt'], data: content(`${seed}/b`, 5 * KiB + 3) },
];

function entry(
  name: string,
  cls: string,
  b: Built,
  expect: 'load' | 'refuse' = 'load',
  tail?: Buffer,
): WildTorrent {
  const torrent = tail ? Buffer.concat([benc(b.top), tail]) : benc(b.top);
  return { name, class: cls, torrent, files: b.files, expect };
}

/** The corpus: one torrent per class of issue 21, the v2 ones, the refusals and a few controls. */
export function wildCorpus(): WildTorrent[] {
  const out: WildTorrent[] = [];
  const add = (w: WildTorrent) => out.push(w);
  // Controls.
  add(
    entry(
      'v1-single',
      'control',
      build({
        name: 'single.bin',
        version: 'v1',
        single: true,
        files: [{ path: [], data: content('v1s', 50 * KiB + 7) }],
      }),
    ),
  );
  add(entry('v1-multi', 'control', build({ name: 'v1multi', version: 'v1', files: two('v1m') })));
  add(entry('hybrid', 'control', build({ name: 'hybrid', version: 'hybrid', files: two('hyb') })));
  add(entry('v2-multi', 'control', build({ name: 'v2multi', version: 'v2', files: two('v2m') })));
  add(
    entry(
      'v2-single',
      'control',
      build({
        name: 'v2single.bin',
        version: 'v2',
        single: true,
        files: [{ path: [], data: content('v2s', 70 * KiB) }],
      }),
    ),
  );

  // Dictionary keys out of order.
  let b = build({ name: 'unordered-top', version: 'v1', files: two('ut') });
  b.top.reversed();
  add(entry('unordered-top', 'unordered keys', b));
  b = build({ name: 'unordered-info', version: 'v1', files: two('ui') });
  b.info.reversed();
  add(entry('unordered-info', 'unordered keys', b));
  b = build({ name: 'unordered-file', version: 'v1', files: two('uf') });
  for (const f of b.v1Files) f.reversed();
  add(entry('unordered-file-entry', 'unordered keys', b));
  b = build({
    name: 'bitcomet-pad',
    version: 'v1',
    pad: 'bitcomet',
    pieceLength: 32 * KiB,
    files: [...two('bc'), { path: ['c.dat'], data: content('bc/c', 9 * KiB) }],
  });
  // BitComet wrote each entry as length, path, then attr, and the info keys unsorted too.
  for (const f of b.v1Files) {
    const attr = f.get('attr');
    f.delete('attr').sorted();
    if (attr !== undefined) f.set('attr', attr);
  }
  b.info.reversed();
  add(entry('bitcomet-pad-unordered', 'unordered keys', b));
  b = build({ name: 'unordered-hybrid-top', version: 'hybrid', files: two('uht') });
  b.top.reversed();
  add(entry('unordered-hybrid-top', 'unordered keys', b));
  // libtorrent checks that the info dictionary of a torrent with "meta version" is canonical bencode
  // (sorted keys, no duplicates, no leading zeros) and refuses it otherwise: "invalid bencoding".
  b = build({ name: 'unordered-hybrid-info', version: 'hybrid', files: two('uhi') });
  b.info.reversed();
  add(entry('unordered-hybrid-info', 'unordered keys', b, 'refuse'));
  b = build({ name: 'unordered-v2-leaf', version: 'v2', files: two('uvl') });
  for (const l of b.v2Leaves) l.reversed();
  add(entry('unordered-v2-leaf', 'unordered keys', b, 'refuse'));

  // Bytes after the end of the top-level dictionary.
  add(
    entry(
      'trailing-newline',
      'trailing bytes',
      build({ name: 'trail-nl', version: 'v1', files: two('tn') }),
      'load',
      Buffer.from('\n'),
    ),
  );
  add(
    entry(
      'trailing-garbage',
      'trailing bytes',
      build({ name: 'trail-junk', version: 'v1', files: two('tj') }),
      'load',
      Buffer.from('garbage after the end\0\xff'),
    ),
  );

  // Paths.
  const pathCase = (name: string, path: (string | Buffer)[], torrentName = name) =>
    add(
      entry(
        name,
        'paths',
        build({
          name: torrentName,
          version: 'v1',
          files: [
            { path, data: content(name, 20 * KiB) },
            { path: ['ok.txt'], data: content(`${name}/ok`, 1000) },
          ],
        }),
      ),
    );
  pathCase('path-absolute-components', ['', 'foobar']);
  add(
    entry(
      'name-absolute',
      'paths',
      build({
        name: '/foobar',
        version: 'v1',
        single: true,
        files: [{ path: [], data: content('abs', 3000) }],
      }),
    ),
  );
  pathCase('path-backslash', ['dir\\evil.txt']);
  pathCase('path-empty-components', ['dir', '', 'x.txt']);
  pathCase('path-dotdot', ['foo', '..', '..', 'bar']);
  pathCase('path-long-component', [`${'long'.repeat(75)}name.txt`]);
  add(entry('name-dotdot', 'paths', build({ name: '..', version: 'v1', files: two('ndd') })));
  // A single file named "..": nothing is left of the name once sanitised, libtorrent refuses it.
  add(
    entry(
      'name-dotdot-single',
      'paths',
      build({ name: '..', version: 'v1', single: true, files: [{ path: [], data: content('nds', 3000) }] }),
      'refuse',
    ),
  );
  b = build({
    name: 'v2-paths',
    version: 'v2',
    files: [
      { path: ['..', 'up.bin'], data: content('v2p/a', 20 * KiB) },
      { path: ['back\\slash.txt'], data: content('v2p/b', 900) },
    ],
  });
  add(entry('v2-path-dotdot-backslash', 'paths', b));

  // BEP 47 symlink without length.
  add(
    entry(
      'symlink-no-length',
      'bep47 symlink',
      build({
        name: 'links',
        version: 'v1',
        files: [...two('sym'), { path: ['link-to-a'], data: Buffer.alloc(0), attr: 'l', symlink: ['a.bin'] }],
      }),
    ),
  );

  // v2 without (complete) piece layers.
  add(
    entry(
      'v2-no-layers',
      'piece layers',
      build({ name: 'v2-nolayers', version: 'v2', layers: 'none', files: two('v2n') }),
    ),
  );
  add(
    entry(
      'hybrid-no-layers',
      'piece layers',
      build({ name: 'hyb-nolayers', version: 'hybrid', layers: 'none', files: two('hyn') }),
    ),
  );
  add(
    entry(
      'v2-some-layers',
      'piece layers',
      build({
        name: 'v2-somelayers',
        version: 'v2',
        layers: 'first',
        files: [...two('v2sl'), { path: ['c.bin'], data: content('v2sl/c', 33 * KiB) }],
      }),
    ),
  );

  // What libtorrent refuses.
  add(
    entry(
      'total-length-zero',
      'refused',
      build({ name: 'empty.bin', version: 'v1', single: true, files: [{ path: [], data: Buffer.alloc(0) }] }),
      'refuse',
    ),
  );
  b = build({ name: 'v2-pad', version: 'v2', files: two('v2pad') });
  b.v2Leaves[1]!.set('attr', 'p').sorted();
  add(entry('v2-pad-entry', 'refused', b, 'refuse'));
  b = build({ name: 'v2-noroot', version: 'v2', files: two('v2nr') });
  b.v2Leaves[1]!.delete('pieces root');
  add(entry('v2-no-pieces-root', 'refused', b, 'refuse'));
  return out;
}
