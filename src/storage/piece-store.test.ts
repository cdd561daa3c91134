/**
 * The seeding peer's read path over blob storage: every piece of a torrent made by `createTorrent`
 * from the same files verifies when read through `BlobPieceStore`, from local disk and from S3; a
 * damaged or missing blob fails exactly the pieces over it; and a second engine downloads the whole
 * item from an engine that seeds straight out of S3.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type S3Server, startS3 } from '../../test/helpers/s3.js';
import { Engine, PieceMap, PieceVerifier } from '../engine/index.js';
import { isSeedcastError } from '../errors.js';
import { createTorrent, type Metainfo, parseTorrent, type TorrentVersion } from '../torrent/index.js';
import type { BlobStore } from './blob-store.js';
import { LocalDiskStore } from './local-disk.js';
import { BlobPieceStore } from './piece-store.js';
import { S3Store } from './s3.js';

/** Awkward sizes: smaller than a block, exactly one piece, one byte over, empty. */
const SIZES: Record<string, number> = {
  'a.bin': 100_000,
  'b.txt': 1000,
  'sub/c.bin': 32_768,
  'sub/d.bin': 70_001,
  'z-empty': 0,
};

let dir = '';
let s3: S3Server | undefined;
let files: { path: string; data: Buffer }[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seedcast-blobpieces-'));
  s3 = await startS3();
  const root = join(dir, 'pack');
  mkdirSync(join(root, 'sub'), { recursive: true });
  files = Object.entries(SIZES).map(([path, size]) => {
    const data = randomBytes(size);
    writeFileSync(join(root, path), data);
    return { path, data };
  });
});
after(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let stores = 0;
const backends: [string, () => BlobStore][] = [
  ['local disk', () => new LocalDiskStore(join(dir, `blobs-${++stores}`))],
  ['S3', () => new S3Store(s3!.url().replace('?', `/pieces-${++stores}?`))],
];

/** Stores each file of the torrent (in torrent order) as a blob; returns the keys in that order. */
async function publish(store: BlobStore, version: TorrentVersion, pieceLength = 32_768) {
  const created = await createTorrent(join(dir, 'pack'), { version, pieceLength, creationDate: null });
  const meta = parseTorrent(created.torrent);
  const keys: string[] = [];
  for (const [i, f] of created.files.entries()) {
    const data = files.find((x) => x.path === f.path.join('/'))!.data;
    keys.push(`items/1/files/${i}`);
    await store.put(keys[i]!, data, { size: data.length });
  }
  return { meta, keys };
}

function verifyAll(meta: Metainfo, pieces: Buffer[]): boolean[] {
  const verifier = new PieceVerifier(meta, new PieceMap(meta));
  return pieces.map((data, i) => verifier.verify(i, data));
}

async function readAllPieces(pieceStore: BlobPieceStore, meta: Metainfo): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < meta.pieceCount; i++) {
    const span = pieceStore.map.piece(i);
    out.push(await pieceStore.read(span.offset, span.length));
  }
  return out;
}

for (const [name, make] of backends) {
  describe(`BlobPieceStore over ${name}`, () => {
    for (const version of ['v1', 'v2', 'hybrid'] as const) {
      test(`every piece of a ${version} torrent verifies when read from blobs`, async () => {
        const store = make();
        try {
          const { meta, keys } = await publish(store, version);
          const pieces = new BlobPieceStore(meta, store, { keys });
          assert.equal(await pieces.isEmpty(), false);
          const ok = verifyAll(meta, await readAllPieces(pieces, meta));
          assert.ok(ok.length > 5);
          assert.deepEqual(
            ok.map((v, i) => (v ? -1 : i)).filter((i) => i >= 0),
            [],
            'pieces that failed',
          );
        } finally {
          await store.close();
        }
      });
    }

    test('a damaged or missing blob fails exactly the pieces over it', async () => {
      const store = make();
      try {
        const { meta, keys } = await publish(store, 'hybrid');
        const map = new PieceMap(meta);
        const fileIndex = (path: string) => meta.files.findIndex((f) => f.path.slice(1).join('/') === path);
        const piecesOf = (path: string) => {
          const f = meta.files[fileIndex(path)]!;
          const out: number[] = [];
          for (let i = 0; i < meta.pieceCount; i++) {
            const p = map.piece(i);
            if (p.offset < f.offset + f.length && f.offset < p.offset + p.length) out.push(i);
          }
          return out;
        };
        const order = meta.files.filter((f) => !f.padding).map((f) => f.path.slice(1).join('/'));
        const damaged = Buffer.from(files.find((f) => f.path === 'sub/d.bin')!.data);
        damaged[50_000]! ^= 0xff;
        await store.put(keys[order.indexOf('sub/d.bin')]!, damaged);
        await store.delete(keys[order.indexOf('b.txt')]!);
        const ok = verifyAll(meta, await readAllPieces(new BlobPieceStore(meta, store, { keys }), meta));
        const failed = ok.map((v, i) => (v ? -1 : i)).filter((i) => i >= 0);
        const expected = [
          ...new Set([...piecesOf('b.txt'), piecesOf('sub/d.bin')[Math.floor(50_000 / 32_768)]!]),
        ];
        assert.deepEqual(failed.sort(), expected.sort());
      } finally {
        await store.close();
      }
    });
  });
}

describe('BlobPieceStore in the engine', () => {
  test('refuses writes, and needs one key per file', async () => {
    const store = new LocalDiskStore(join(dir, 'refuse'));
    const { meta, keys } = await publish(store, 'v1');
    const pieces = new BlobPieceStore(meta, store, { keys: keys.map(() => undefined) });
    assert.equal(await pieces.isEmpty(), true);
    await assert.rejects(pieces.write(0, Buffer.alloc(1)), (err) =>
      isSeedcastError(err, 'STORAGE_READ_ONLY'),
    );
    assert.throws(
      () => new BlobPieceStore(meta, store, { keys: keys.slice(1) }),
      (err) => isSeedcastError(err, 'STORAGE_KEY_INVALID'),
    );
    assert.throws(
      () => new BlobPieceStore(meta, store, { keys: keys.map(() => '../escape') }),
      (err) => isSeedcastError(err, 'STORAGE_KEY_INVALID'),
    );
  });

  test('a second engine downloads the whole item from an engine seeding out of S3', async (t) => {
    const store = new S3Store(s3!.url().replace('?', '/engine?'));
    t.after(() => store.close());
    const { meta, keys } = await publish(store, 'hybrid', 16_384);
    const seeder = new Engine();
    const leecher = new Engine();
    t.after(() => Promise.all([seeder.close(), leecher.close()]));
    await seeder.listen(0);
    await leecher.listen(0);
    const seed = await seeder.add(
      { meta },
      { path: join(dir, 'unused'), storeFor: (m) => new BlobPieceStore(m, store, { keys }) },
    );
    assert.equal(seed.complete, true, 'the seeder verified every piece out of S3');
    const out = join(dir, 'downloaded');
    const got = await leecher.add({ meta }, { path: out, peers: [{ host: '127.0.0.1', port: seeder.port }] });
    if (!got.complete) await new Promise<void>((r) => got.once('complete', () => r()));
    for (const f of files) {
      if (f.data.length === 0) continue;
      assert.ok(readFileSync(join(out, 'pack', f.path)).equals(f.data), f.path);
    }
  });
});
