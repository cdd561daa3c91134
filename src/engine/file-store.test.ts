import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { isSeedcastError } from '../errors.js';
import {
  createTorrent,
  type Metainfo,
  parseTorrent,
  storagePaths,
  type TorrentVersion,
} from '../torrent/index.js';

import { FileStore } from './file-store.js';
import { PieceMap } from './piece-map.js';
import { PieceVerifier } from './verify.js';

function temp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A folder with awkward sizes: a file smaller than a block, one of exactly one piece, an empty one. */
function content(dir: string) {
  const root = join(dir, 'src', 'pack');
  mkdirSync(join(root, 'sub'), { recursive: true });
  const files: Record<string, Buffer> = {
    'a.bin': randomBytes(100_000),
    'b.txt': randomBytes(1000),
    'sub/c.bin': randomBytes(32768),
    'sub/d.bin': randomBytes(70_001),
    'z-empty': Buffer.alloc(0),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, name), data);
  return { root, files };
}

async function torrentFor(path: string, version: TorrentVersion): Promise<Metainfo> {
  const created = await createTorrent(path, { version, pieceLength: 32768, creationDate: null });
  return parseTorrent(created.torrent);
}

async function allPieces(store: FileStore, meta: Metainfo): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < meta.pieceCount; i++) {
    const span = store.map.piece(i);
    out.push(await store.read(span.offset, span.length));
  }
  return out;
}

describe('FileStore and PieceVerifier', () => {
  for (const version of ['v1', 'v2', 'hybrid'] as const) {
    it(`verifies every piece of a ${version} torrent read from disk and copies it piece by piece`, async (t) => {
      const dir = temp(t);
      const { root, files } = content(dir);
      const meta = await torrentFor(root, version);
      const source = new FileStore(meta, join(dir, 'src'), { readOnly: true });
      const verifier = new PieceVerifier(meta, source.map);
      const pieces = await allPieces(source, meta);
      for (const [i, data] of pieces.entries()) assert.ok(verifier.verify(i, data), `piece ${i} verifies`);

      const target = new FileStore(meta, join(dir, 'dst'));
      for (let i = pieces.length - 1; i >= 0; i--) {
        await target.write(source.map.piece(i).offset, pieces[i]!);
      }
      await Promise.all([source.close(), target.close()]);
      for (const [name, data] of Object.entries(files)) {
        if (data.length === 0) continue;
        assert.deepEqual(readFileSync(join(dir, 'dst', 'pack', name)), data, name);
      }
      assert.ok(!existsSync(join(dir, 'dst', 'pack', '.pad')), 'padding files are never written');
    });

    it(`rejects a corrupted or truncated piece of a ${version} torrent`, async (t) => {
      const dir = temp(t);
      const { root } = content(dir);
      const meta = await torrentFor(root, version);
      const store = new FileStore(meta, join(dir, 'src'), { readOnly: true });
      const verifier = new PieceVerifier(meta, store.map);
      const pieces = await allPieces(store, meta);
      await store.close();
      for (let i = 0; i < pieces.length; i++) {
        const bad = Buffer.from(pieces[i]!);
        bad[bad.length >> 1]! ^= 0x01;
        assert.equal(verifier.verify(i, bad), false, `flipped bit in piece ${i}`);
        assert.equal(verifier.verify(i, pieces[i]!.subarray(1)), false, `short piece ${i}`);
      }
    });
  }

  it('reads zeros for missing files, so their pieces fail verification', async (t) => {
    const dir = temp(t);
    const { root } = content(dir);
    const meta = await torrentFor(root, 'v1');
    rmSync(join(root, 'sub'), { recursive: true });
    const store = new FileStore(meta, join(dir, 'src'), { readOnly: true });
    const verifier = new PieceVerifier(meta, store.map);
    const ok = (await allPieces(store, meta)).map((p, i) => verifier.verify(i, p));
    await store.close();
    assert.ok(ok.includes(true) && ok.includes(false));
  });

  it('maps single-file torrents onto the file itself', async (t) => {
    const dir = temp(t);
    const data = randomBytes(50_000);
    writeFileSync(join(dir, 'clip.webm'), data);
    const meta = await torrentFor(join(dir, 'clip.webm'), 'hybrid');
    const store = new FileStore(meta, dir, { readOnly: true });
    assert.equal(store.filePath(0), join(dir, 'clip.webm'));
    assert.deepEqual(await store.read(0, data.length), data);
    await store.close();
  });

  it('never writes outside the root, even through a planted symlink', async (t) => {
    const dir = temp(t);
    const { root } = content(dir);
    const meta = await torrentFor(root, 'v1');
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    mkdirSync(join(dir, 'dst', 'pack'), { recursive: true });
    symlinkSync(outside, join(dir, 'dst', 'pack', 'sub'));
    const store = new FileStore(meta, join(dir, 'dst'));
    const sub = meta.files.findIndex((f) => f.path.join('/') === 'pack/sub/c.bin');
    await assert.rejects(store.write(meta.files[sub]!.offset, Buffer.alloc(10)), (err) =>
      isSeedcastError(err, 'TORRENT_UNSAFE_PATH'),
    );
    await store.close();
    assert.equal(existsSync(join(outside, 'c.bin')), false);

    // Second guard: even a storage path that escaped sanitising cannot leave the root.
    const forged: Metainfo = { ...meta, files: [{ ...meta.files[0]!, storagePath: ['..', '..', 'evil'] }] };
    assert.throws(() => new FileStore(forged, join(dir, 'dst')).filePath(0), /outside the download folder/);
  });

  it('stores files under their sanitised paths: `..` and separators stay inside, same names both survive', async (t) => {
    const dir = temp(t);
    const { root, files } = content(dir);
    const meta = await torrentFor(root, 'v1');
    const source = new FileStore(meta, join(dir, 'src'), { readOnly: true });
    t.after(() => source.close());
    // The same content, as a torrent whose paths are odd (the parser keeps them as they are).
    const odd: Record<string, string[]> = {
      'pack/a.bin': ['pack', '..', '..', 'x\\y'],
      'pack/b.txt': ['pack', 'xy'],
      'pack/sub/c.bin': ['pack', 'x/y'],
      'pack/sub/d.bin': ['pack', '', '..', 'XY'],
      'pack/z-empty': ['pack', '.', 'z-empty'],
    };
    const renamed = meta.files.map((f) => ({ ...f, path: odd[f.path.join('/')]! }));
    const stored = storagePaths({ ...meta, files: renamed });
    const wild: Metainfo = { ...meta, files: renamed.map((f, i) => ({ ...f, storagePath: stored[i]! })) };
    assert.deepEqual(
      stored.map((p) => p.join('/')),
      ['pack/xy', 'pack/xy.1', 'pack/xy.2', 'pack/_/XY', 'pack/z-empty'],
    );
    const dst = join(dir, 'dst');
    const store = new FileStore(wild, dst);
    for (const piece of await allPieces(source, meta).then((all) => all.entries())) {
      await store.write(store.map.piece(piece[0]).offset, piece[1]);
    }
    await store.close();
    const bytesOf = (original: string) => files[original.slice('pack/'.length)]!;
    assert.ok(readFileSync(join(dst, 'pack', 'xy')).equals(bytesOf('pack/a.bin')));
    assert.ok(readFileSync(join(dst, 'pack', 'xy.1')).equals(bytesOf('pack/b.txt')));
    assert.ok(readFileSync(join(dst, 'pack', 'xy.2')).equals(bytesOf('pack/sub/c.bin')));
    assert.ok(readFileSync(join(dst, 'pack', '_', 'XY')).equals(bytesOf('pack/sub/d.bin')));
    assert.deepEqual(readdirSync(dir).sort(), ['dst', 'src']);
    assert.deepEqual(readdirSync(dst), ['pack']);
  });

  it('creates the zero-length files no piece covers once complete, and nothing in a read-only store', async (t) => {
    const dir = temp(t);
    const { root } = content(dir);
    const meta = await torrentFor(root, 'v1');
    const dst = join(dir, 'dst');
    const store = new FileStore(meta, dst);
    const source = new FileStore(meta, join(dir, 'src'), { readOnly: true });
    t.after(() => source.close());
    for (const [i, piece] of (await allPieces(source, meta)).entries())
      await store.write(store.map.piece(i).offset, piece);
    assert.equal(existsSync(join(dst, 'pack', 'z-empty')), false, 'no piece wrote it');
    await store.createEmpty();
    await store.close();
    assert.equal(statSync(join(dst, 'pack', 'z-empty')).size, 0);
    const seeding = new FileStore(meta, join(dir, 'none'), { readOnly: true });
    await seeding.createEmpty();
    assert.equal(existsSync(join(dir, 'none')), false);
  });

  it('maps v2 pieces per file, each file starting at a piece boundary', async (t) => {
    const dir = temp(t);
    const { root } = content(dir);
    const meta = await torrentFor(root, 'v2');
    const map = new PieceMap(meta);
    const sizes = meta.files.map((f) => Math.ceil(f.length / 32768));
    assert.equal(
      map.pieceCount,
      sizes.reduce((a, b) => a + b, 0),
    );
    for (let i = 0; i < map.pieceCount; i++) {
      const span = map.piece(i);
      const segs = map.segments(span.offset, span.length);
      assert.equal(segs.length, 1, `v2 piece ${i} lies in one file`);
      assert.equal(segs[0]!.fileOffset % 32768, 0);
    }
    assert.throws(() => map.piece(map.pieceCount), RangeError);
  });
});
