/**
 * Builds `.torrent` files the way any tool of the last twenty years may have written them, for the
 * wild-torrent corpus (wild-torrents.ts). From real, deterministic content, so v1 piece hashes, v2
 * merkle roots and piece layers are true. Its bencode writer keeps the order it is given
 * (Seedcast's encoder only writes canonical bencode, and stays so): keys out of order, repeated keys,
 * leading zeros (`{ raw }`) and bytes after the end are all expressible. The v2 merkle code here is
 * deliberately independent of src/torrent/merkle.ts.
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
