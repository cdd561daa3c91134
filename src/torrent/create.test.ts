import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type BDict, type BValue, decode, encode, keyToText } from '../bencode/index.js';
import { type CreateOptions, createTorrent } from './create.js';

// A deliberately naive, in-memory reading of BEP 3 and BEP 52 to check the creator against: whole
// files in memory, recursion, no code shared with merkle.ts or hash-core.ts.
const BLOCK = 16384;
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

function v1Pieces(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = [];
  for (let o = 0; o < data.length; o += pieceLength) out.push(sha1(data.subarray(o, o + pieceLength)));
  return Buffer.concat(out);
}

function root(nodes: Buffer[]): Buffer {
  if (nodes.length === 1) return nodes[0]!;
  const up: Buffer[] = [];
  for (let i = 0; i < nodes.length; i += 2) up.push(sha256(Buffer.concat([nodes[i]!, nodes[i + 1]!])));
  return root(up);
}

function leavesOf(data: Buffer, count: number): Buffer[] {
  const leaves: Buffer[] = [];
  for (let o = 0; o < data.length; o += BLOCK) leaves.push(sha256(data.subarray(o, o + BLOCK)));
  while (leaves.length < count) leaves.push(Buffer.alloc(32));
  return leaves;
}

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** A file's `pieces root` and piece layer (empty unless larger than one piece). */
function v2File(data: Buffer, pieceLength: number): { root: Buffer; layer: Buffer } {
  const blocks = Math.ceil(data.length / BLOCK);
  const perPiece = pieceLength / BLOCK;
  if (data.length <= pieceLength) return { root: root(leavesOf(data, pow2(blocks))), layer: Buffer.alloc(0) };
  const pieces = Math.ceil(data.length / pieceLength);
  const leaves = leavesOf(data, pieces * perPiece);
  const layer = Array.from({ length: pieces }, (_, i) =>
    root(leaves.slice(i * perPiece, (i + 1) * perPiece)),
  );
  return { root: root(leavesOf(data, pow2(blocks))), layer: Buffer.concat(layer) };
}

/** Deterministic pseudo-random bytes. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function tree(t: TestContext, files: Record<string, Buffer | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-create-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

async function make(path: string, options: CreateOptions) {
  const result = await createTorrent(path, { creationDate: null, threads: 1, mainThread: true, ...options });
  const top = decode(result.torrent) as BDict;
  const info = top.get('info') as BDict;
  return { result, top, info };
}

const text = (v: BValue | undefined) => Buffer.from(v as Uint8Array).toString('utf8');
const keys = (d: BDict) => [...d.keys()];
const pathOf = (f: BValue) => ((f as BDict).get('path') as Uint8Array[]).map((c) => text(c)).join('/');

const PL = 32768;
// sizes around the merkle edges: empty, < 1 block, 1 block, < 1 piece, exactly 1 piece,
// 1 piece + 1 byte, several pieces with a short last block
const FILES = {
  'a/b.bin': bytes(5, 1),
  'a-c.bin': bytes(16383, 2),
  'a0.bin': bytes(BLOCK, 3),
  '.hidden': bytes(20000, 4),
  'empty.txt': Buffer.alloc(0),
  'piece.bin': bytes(PL, 5),
  'piece1.bin': bytes(PL + 1, 6),
  'z/long.bin': bytes(3 * PL + 7000, 7),
};
const V1_ORDER = [
  '.hidden',
  'a-c.bin',
  'a/b.bin',
  'a0.bin',
  'empty.txt',
  'piece.bin',
  'piece1.bin',
  'z/long.bin',
];
const V2_ORDER = [
  '.hidden',
  'a/b.bin',
  'a-c.bin',
  'a0.bin',
  'empty.txt',
  'piece.bin',
  'piece1.bin',
  'z/long.bin',
];

describe('createTorrent v1', () => {
  it('a single file: only the standard info keys and SHA-1 pieces of the data', async (t) => {
    const dir = tree(t, { 'talk.webm': bytes(100_000, 9) });
    const { result, info, top } = await make(join(dir, 'talk.webm'), { version: 'v1', pieceLength: PL });
    assert.deepEqual(keys(info), ['length', 'name', 'piece length', 'pieces']);
    assert.equal(info.get('length'), 100_000);
    assert.equal(text(info.get('name')), 'talk.webm');
    assert.deepEqual(Buffer.from(info.get('pieces') as Uint8Array), v1Pieces(bytes(100_000, 9), PL));
    assert.equal(result.infoHash, sha1(encode(info)).toString('hex'));
    assert.equal(result.infoHashV2, undefined);
    assert.equal(result.pieceCount, 4);
    assert.deepEqual(keys(top), ['created by', 'info']);
  });

  it("a folder: mktorrent's order, hidden and empty files kept, pieces across file boundaries", async (t) => {
    const dir = tree(t, FILES);
    const { result, info } = await make(dir, { version: 'v1', pieceLength: PL });
    assert.deepEqual(keys(info), ['files', 'name', 'piece length', 'pieces']);
    const files = info.get('files') as BDict[];
    assert.deepEqual(files.map(pathOf), V1_ORDER);
    assert.deepEqual(
      files.map((f) => keys(f)),
      files.map(() => ['length', 'path']),
    );
    const all = Buffer.concat(V1_ORDER.map((p) => FILES[p as keyof typeof FILES]));
    assert.deepEqual(Buffer.from(info.get('pieces') as Uint8Array), v1Pieces(all, PL));
    assert.equal(result.length, all.length);
    assert.equal(result.multiFile, true);
  });

  it('writes trackers, web seeds, private, comment and the name override', async (t) => {
    const dir = tree(t, { 'x.bin': bytes(1000, 1) });
    const { top, info } = await make(join(dir, 'x.bin'), {
      version: 'v1',
      announce: ['http://a.example/announce', ['udp://b.example:1', 'udp://c.example:2']],
      urlList: ['http://ws.example/files/'],
      private: true,
      comment: 'hello',
      createdBy: 'tester',
      creationDate: 1700000000,
      name: 'renamed.bin',
    });
    assert.equal(text(top.get('announce')), 'http://a.example/announce');
    assert.deepEqual(
      (top.get('announce-list') as Uint8Array[][]).map((tier) => tier.map(text)),
      [['http://a.example/announce'], ['udp://b.example:1', 'udp://c.example:2']],
    );
    assert.deepEqual((top.get('url-list') as Uint8Array[]).map(text), ['http://ws.example/files/']);
    assert.equal(text(top.get('comment')), 'hello');
    assert.equal(text(top.get('created by')), 'tester');
    assert.equal(top.get('creation date'), 1700000000);
    assert.equal(info.get('private'), 1);
    assert.equal(text(info.get('name')), 'renamed.bin');
  });

  it('one tracker gives announce without announce-list', async (t) => {
    const dir = tree(t, { 'x.bin': bytes(1000, 1) });
    const { top } = await make(join(dir, 'x.bin'), { version: 'v1', announce: ['http://a.example/a'] });
    assert.equal(text(top.get('announce')), 'http://a.example/a');
    assert.equal(top.has('announce-list'), false);
  });
});

function checkV2Tree(info: BDict, top: BDict, pieceLength: number) {
  const fileTree = info.get('file tree') as BDict;
  const layers = top.get('piece layers') as BDict;
  const seen: string[] = [];
  const walk = (node: BDict, prefix: string[]) => {
    for (const [k, v] of node) {
      if (k === '') {
        const path = prefix.join('/');
        seen.push(path);
        const data = FILES[path as keyof typeof FILES];
        const entry = v as BDict;
        assert.equal(entry.get('length'), data.length, path);
        if (data.length === 0) {
          assert.deepEqual(keys(entry), ['length'], `${path}: an empty file has no pieces root`);
          continue;
        }
        const expected = v2File(data, pieceLength);
        const got = Buffer.from(entry.get('pieces root') as Uint8Array);
        assert.deepEqual(got, expected.root, `${path}: pieces root`);
        const layer = layers.get(got.toString('latin1'));
        if (data.length > pieceLength)
          assert.deepEqual(Buffer.from(layer as Uint8Array), expected.layer, path);
        else assert.equal(layer, undefined, `${path}: no piece layer for a file of one piece or less`);
      } else walk(v as BDict, [...prefix, keyToText(k)]);
    }
  };
  walk(fileTree, []);
  assert.deepEqual(seen, V2_ORDER);
  const big = Object.values(FILES).filter((d) => d.length > pieceLength).length;
  assert.equal(layers.size, big);
}

describe('createTorrent v2 and hybrid (BEP 52)', () => {
  it('v2: file tree, meta version, piece layers, merkle edge cases', async (t) => {
    const dir = tree(t, FILES);
    const { result, info, top } = await make(dir, { version: 'v2', pieceLength: PL });
    assert.deepEqual(keys(info), ['file tree', 'meta version', 'name', 'piece length']);
    assert.equal(info.get('meta version'), 2);
    checkV2Tree(info, top, PL);
    assert.equal(result.infoHash, undefined);
    assert.equal(result.infoHashV2, sha256(encode(info)).toString('hex'));
  });

  it('v2 with 16 KiB pieces (a piece is one leaf)', async (t) => {
    const dir = tree(t, FILES);
    const { info, top } = await make(dir, { version: 'v2', pieceLength: BLOCK });
    checkV2Tree(info, top, BLOCK);
  });

  it('hybrid: v2 order, padding files to piece boundaries (the last one too), v1 pieces over the padded data', async (t) => {
    const dir = tree(t, FILES);
    const { result, info, top } = await make(dir, { version: 'hybrid', pieceLength: PL });
    assert.deepEqual(keys(info), ['file tree', 'files', 'meta version', 'name', 'piece length', 'pieces']);
    checkV2Tree(info, top, PL);
    const files = info.get('files') as BDict[];
    const expected: string[] = [];
    const padded: Buffer[] = [];
    for (const p of V2_ORDER) {
      const data = FILES[p as keyof typeof FILES];
      expected.push(p);
      padded.push(data);
      const rest = data.length % PL;
      if (rest) {
        expected.push(`.pad/${PL - rest}`);
        padded.push(Buffer.alloc(PL - rest));
      }
    }
    assert.deepEqual(files.map(pathOf), expected);
    for (const f of files.filter((x) => pathOf(x).startsWith('.pad/'))) {
      assert.equal(text(f.get('attr')), 'p');
      assert.equal(f.get('length'), Number(pathOf(f).slice(5)));
    }
    assert.deepEqual(Buffer.from(info.get('pieces') as Uint8Array), v1Pieces(Buffer.concat(padded), PL));
    assert.equal(result.infoHash, sha1(encode(info)).toString('hex'));
    assert.equal(result.infoHashV2, sha256(encode(info)).toString('hex'));
    assert.equal(result.pieceCount, Buffer.concat(padded).length / PL);
  });

  for (const version of ['v2', 'hybrid'] as const) {
    it(`${version} single file: the file tree holds the name, no padding`, async (t) => {
      const data = bytes(3 * PL + 1, 11);
      const dir = tree(t, { 'movie.mkv': data });
      const { info, top } = await make(join(dir, 'movie.mkv'), { version, pieceLength: PL });
      const entry = ((info.get('file tree') as BDict).get('movie.mkv') as BDict).get('') as BDict;
      const expected = v2File(data, PL);
      assert.deepEqual(Buffer.from(entry.get('pieces root') as Uint8Array), expected.root);
      assert.deepEqual(
        Buffer.from((top.get('piece layers') as BDict).get(expected.root.toString('latin1')) as Uint8Array),
        expected.layer,
      );
      if (version === 'hybrid') {
        assert.equal(info.get('length'), data.length);
        assert.equal(info.has('files'), false);
        // v1 pieces of a single file: the last piece is short, as in a v1 torrent
        assert.deepEqual(Buffer.from(info.get('pieces') as Uint8Array), v1Pieces(data, PL));
      } else assert.equal(info.has('pieces'), false);
    });
  }
});

describe('createTorrent is deterministic', () => {
  it('the same bytes whatever the number of threads, with or without the main thread', async (t) => {
    const dir = tree(t, FILES);
    for (const version of ['v1', 'v2', 'hybrid'] as const) {
      const one = await make(dir, { version, pieceLength: BLOCK, threads: 1, mainThread: true });
      const workers = await make(dir, { version, pieceLength: BLOCK, threads: 2, mainThread: false });
      const mixed = await make(dir, { version, pieceLength: BLOCK, threads: 3, mainThread: true });
      assert.deepEqual(workers.result.torrent, one.result.torrent, `${version}: workers`);
      assert.deepEqual(mixed.result.torrent, one.result.torrent, `${version}: main thread and workers`);
    }
  });

  it('a symbolic link to a file inside the folder is that file; a link out of the folder is skipped', async (t) => {
    const dir = tree(t, { 'inside/a.bin': bytes(100, 1) });
    const outside = tree(t, { 'secret.txt': 'not for the torrent' });
    symlinkSync(join(dir, 'inside/a.bin'), join(dir, 'inside/link.bin'));
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'inside/out.txt'));
    symlinkSync(outside, join(dir, 'inside/outdir'));
    const { result } = await make(join(dir, 'inside'), { version: 'v1' });
    assert.deepEqual(
      result.files.map((f) => f.path.join('/')),
      ['a.bin', 'link.bin'],
    );
    assert.deepEqual(result.skipped.map((s) => s.path).sort(), ['out.txt', 'outdir']);
    assert.match(result.skipped[0]!.reason, /out of the folder/);
  });
});
