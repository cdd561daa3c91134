/**
 * A corpus of odd ("wild") torrents, one per class of issue 21, built by the tests themselves.
 *
 * Every torrent is made from real, deterministic file content, so its v1 piece hashes and v2 merkle
 * roots and piece layers are true and the same torrents can be seeded and downloaded end to end
 * (a libtorrent seeder given `files`). The bencode is written by a writer of our own that keeps the
 * order the builder gives (Seedcast's encoder only writes canonical bencode, and stays so): keys out of
 * order, bytes after the end, and the fields older tools wrote are all expressible.
 *
 * `expect` is libtorrent 2.0.8's verdict (test/wild-torrents-verdicts.test.ts asks it every run).
 * The v2 merkle code here is deliberately independent of src/torrent/merkle.ts.
 */

import { createHash } from 'node:crypto';

/** A bencode value that keeps dictionary order: `Entries` is written in the order given. */
export type Raw = number | bigint | string | Buffer | Raw[] | Entries | { raw: Buffer };
export class Entries {
  constructor(public list: [string | Buffer, Raw][] = []) {}
  get(key: string): Raw | undefined {
    return this.list.find(([k]) => k.toString() === key)?.[1];
  }
  set(key: string | Buffer, value: Raw): this {
    const i = this.list.findIndex(([k]) => Buffer.from(k).equals(Buffer.from(key)));
    if (i >= 0) this.list[i] = [key, value];
    else this.list.push([key, value]);
    return this;
  }
  delete(key: string): this {
    this.list = this.list.filter(([k]) => k.toString() !== key);
    return this;
  }
  /** Keys in canonical (byte) order. */
  sorted(): this {
    this.list.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
    return this;
  }
  /** Keys in reverse byte order: out of order whenever there are two or more. */
  reversed(): this {
    this.sorted().list.reverse();
    return this;
  }
}
export const dict = (list: [string | Buffer, Raw][]): Entries => new Entries(list);

/** Bencode `v`, keeping every dictionary's order as given (so possibly not canonical). */
export function benc(v: Raw): Buffer {
  const parts: Buffer[] = [];
  const put = (x: Raw): void => {
    if (typeof x === 'number' || typeof x === 'bigint') parts.push(Buffer.from(`i${x}e`));
    else if (typeof x === 'string' || Buffer.isBuffer(x)) {
      const b = Buffer.from(x);
      parts.push(Buffer.from(`${b.length}:`), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from('l'));
      for (const item of x) put(item);
      parts.push(Buffer.from('e'));
    } else if (x instanceof Entries) {
      parts.push(Buffer.from('d'));
      for (const [k, val] of x.list) {
        put(k);
        put(val);
      }
      parts.push(Buffer.from('e'));
    } else parts.push(x.raw);
  };
  put(v);
  return Buffer.concat(parts);
}

/** Deterministic bytes: SHA-256 in counter mode over a seed string. */
export function content(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let off = 0, i = 0; off < length; i++, off += 32) {
    createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  }
  return out;
}

const BLOCK = 16 * 1024;
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();

/** BEP 52 for one file: its pieces root and its piece layer (empty when the file fits in one piece). */
export function merkle(data: Buffer, pieceLength: number): { root: Buffer; layer: Buffer } {
  const blocks = Math.max(1, Math.ceil(data.length / BLOCK));
  let width = 1;
  while (width < blocks) width *= 2;
  let level: Buffer[] = [];
  for (let i = 0; i < width; i++) {
    level.push(i < blocks ? sha256(data.subarray(i * BLOCK, (i + 1) * BLOCK)) : Buffer.alloc(32));
  }
  const perPiece = pieceLength / BLOCK;
  let layer = Buffer.alloc(0);
  for (let covered = 1; level.length > 1; covered *= 2) {
    if (covered === perPiece) layer = Buffer.concat(level.slice(0, Math.ceil(blocks / perPiece)));
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(sha256(Buffer.concat([level[i]!, level[i + 1]!])));
    level = up;
  }
  return { root: level[0]!, layer: data.length > pieceLength ? layer : Buffer.alloc(0) };
}

/** One file of the content: `path` inside the torrent's folder (ignored for a single-file torrent). */
export interface FileSpec {
  path: (string | Buffer)[];
  data: Buffer;
  /** BEP 47 attributes written in the entry (`x`, `h`, `l` ...). */
  attr?: string;
  /** A BEP 47 symlink: no data, no `length` key, this target. */
  symlink?: string[];
}

export interface BuildSpec {
  name: string | Buffer;
  version: 'v1' | 'v2' | 'hybrid';
  files: FileSpec[];
  /** One file, no folder (v1: `length` in info; v2: a one-entry file tree). */
  single?: boolean;
  pieceLength?: number;
  /** v1: BEP 47 pad files between files (hybrids always have them). */
  pad?: 'bep47' | 'bitcomet';
  /** v2/hybrid: which piece layers to include (default all). */
  layers?: 'all' | 'none' | 'first';
}

/** What a builder returns: the dictionaries, still editable, and the content to seed. */
export interface Built {
  top: Entries;
  info: Entries;
  /** v1 `files` entries, in order (pad entries included). */
  v1Files: Entries[];
  /** v2 leaf dictionaries (the `""` values), in tree order. */
  v2Leaves: Entries[];
  files: { path: string[]; data: Buffer; symlink?: string[] }[];
}

const padName = (n: number, style: 'bep47' | 'bitcomet', i: number): string[] =>
  style === 'bep47'
    ? ['.pad', String(n)]
    : [`_____padding_file_${i}_if you see this file, please update to BitComet 0.85 or above____`];

/** Build a torrent from content. Keys come out canonical; edit `top`/`info` before `finish`. */
export function build(given: BuildSpec): Built {
  // v2 lists files in file-tree order (component bytes); a hybrid's v1 list must follow the same order.
  const spec = given.version === 'v1' ? given : { ...given, files: [...given.files].sort(treeOrder) };
  const pieceLength = spec.pieceLength ?? BLOCK;
  const name = spec.name;
  const nameText = name.toString();
  const info = dict([]);
  const v1Files: Entries[] = [];
  const v2Leaves: Entries[] = [];
  const top = dict([
    ['announce', 'http://127.0.0.1:1/announce'],
    ['created by', 'wild-torrents'],
    ['info', info],
  ]);
  const files = spec.files.map((f) => ({
    path: spec.single ? [nameText] : [nameText, ...f.path.map(String)],
    data: f.data,
    ...(f.symlink ? { symlink: f.symlink } : {}),
  }));
  const padding = spec.version === 'hybrid' ? 'bep47' : spec.pad;
  if (spec.version !== 'v2') {
    // v1 view: the content, BEP 47 pad files aligning each file (but the last) to a piece boundary.
    const stream: Buffer[] = [];
    let offset = 0;
    spec.files.forEach((f, i) => {
      const e = dict([]);
      if (!f.symlink) e.set('length', f.data.length);
      if (f.attr) e.set('attr', f.attr);
      e.set('path', f.path);
      if (f.symlink) e.set('symlink path', f.symlink);
      v1Files.push(e.sorted());
      stream.push(f.data);
      offset += f.data.length;
      const gap = (pieceLength - (offset % pieceLength)) % pieceLength;
      if (padding && gap > 0 && i < spec.files.length - 1 && !f.symlink) {
        v1Files.push(
          dict([
            ['attr', 'p'],
            ['length', gap],
            ['path', padName(gap, padding, i)],
          ]),
        );
        stream.push(Buffer.alloc(gap));
        offset += gap;
      }
    });
    const all = Buffer.concat(stream);
    const hashes: Buffer[] = [];
    for (let off = 0; off < all.length; off += pieceLength)
      hashes.push(sha1(all.subarray(off, off + pieceLength)));
    if (spec.single) info.set('length', spec.files[0]!.data.length);
    else info.set('files', v1Files);
    info.set('pieces', Buffer.concat(hashes));
  }
  if (spec.version !== 'v1') {
    const tree = dict([]);
    const layers = dict([]);
    spec.files.forEach((f, i) => {
      const leaf = dict([['length', f.data.length]]);
      if (f.attr) leaf.set('attr', f.attr);
      const { root, layer } = merkle(f.data, pieceLength);
      if (f.data.length > 0) leaf.set('pieces root', root);
      v2Leaves.push(leaf.sorted());
      const want = spec.layers ?? 'all';
      if (layer.length > 0 && (want === 'all' || (want === 'first' && i === 0))) {
        layers.set(root, layer);
      }
      let node = tree;
      const path = spec.single ? [name] : f.path;
      for (const c of path) {
        let child = node.list.find(([k]) => Buffer.from(k).equals(Buffer.from(c)))?.[1] as
          | Entries
          | undefined;
        if (!child) {
          child = dict([]);
          node.list.push([Buffer.from(c), child]);
        }
        node = child;
      }
      node.list.push(['', leaf]);
    });
    sortTree(tree);
    info.set('file tree', tree).set('meta version', 2);
    if (layers.list.length > 0 || spec.layers !== 'none') top.set('piece layers', layers.sorted());
  }
  info.set('name', name).set('piece length', pieceLength).sorted();
  top.sorted();
  return { top, info, v1Files, v2Leaves, files };
}

function treeOrder(a: FileSpec, b: FileSpec): number {
  for (let i = 0; i < Math.min(a.path.length, b.path.length); i++) {
    const c = Buffer.compare(Buffer.from(a.path[i]!), Buffer.from(b.path[i]!));
    if (c !== 0) return c;
  }
  return a.path.length - b.path.length;
}

function sortTree(node: Entries): void {
  node.sorted();
  for (const [k, v] of node.list) if (k.toString() !== '' && v instanceof Entries) sortTree(v);
}

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
