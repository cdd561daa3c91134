/**
 * Test fixtures for the metainfo parser's tests (parse.test.ts, parse-v2.test.ts): v1 piece hashes,
 * BEP 52 roots and layers computed independently of the parser, small torrents, and `expectError`.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type BEncodable, encode, textKey } from '../../src/bencode/index.js';
import { isSeedcastError } from '../../src/errors.js';
import { merkleRoot, parseTorrent } from '../../src/torrent/index.js';
import type { ParseOptions } from '../../src/torrent/parse.js';

export const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** v1 piece hashes over the concatenation of `chunks`. */
export function v1Pieces(chunks: Buffer[], pieceLength: number): Buffer {
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += pieceLength) out.push(sha1(all.subarray(i, i + pieceLength)));
  return Buffer.concat(out);
}

/** BEP 52 pieces root and piece layer of one file's content (written independently of the parser). */
export function v2File(data: Buffer, pieceLength: number): { root: Buffer; layer: Buffer } {
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

export function expectError(bytes: Uint8Array, code: string, pattern?: RegExp, options?: ParseOptions) {
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

export const PL = 16384;
export const dataA = Buffer.alloc(40000, 'a');
export const dataB = Buffer.alloc(5000, 'b');

export function v1Multi(files: { path: string[]; data: Buffer }[], extra: Record<string, BEncodable> = {}) {
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

export function v2Torrent(
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
