/**
 * Writing repaired pieces back, on local disk (a positional write) and on S3 (s3rver: a new put of
 * the patched object): the repair store reads through to the blobs except the pieces being
 * repaired, refuses writes elsewhere, and its commit makes every blob whole again (same SHA-256 as
 * published); a rewrite that would not match the recorded SHA-256 is refused and the old object stays.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type S3Server, startS3 } from '../../test/helpers/s3.js';
import { PieceMap, PieceVerifier } from '../engine/index.js';
import { isSeedcastError } from '../errors.js';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { type BlobStore, readAll } from './blob-store.js';
import { LocalDiskStore } from './local-disk.js';
import { BlobPieceStore } from './piece-store.js';
import { RepairStore, writeBlobRanges } from './piece-writer.js';
import { S3Store } from './s3.js';

const PIECE = 32_768;
const data: Record<string, Buffer> = { 'a.bin': randomBytes(150_000), 'b.bin': randomBytes(40_000) };
let dir = '';
let s3: S3Server | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seedcast-piece-writer-'));
  mkdirSync(join(dir, 'pack'));
  for (const [name, bytes] of Object.entries(data)) writeFileSync(join(dir, 'pack', name), bytes);
  s3 = await startS3();
});
after(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let n = 0;
const backends: [string, () => BlobStore, 'positional' | 'rewrite'][] = [
  ['local disk', () => new LocalDiskStore(join(dir, `blobs-${++n}`)), 'positional'],
  ['S3', () => new S3Store(s3!.url().replace('?', `/writer-${++n}?`)), 'rewrite'],
];

for (const [name, make, how] of backends) {
  describe(`repaired pieces written back to ${name}`, () => {
    test('the repair store overlays the pieces; commit makes the blobs whole', async (t) => {
      const blobs = make();
      t.after(() => blobs.close());
      // Hybrid: a padding file between a.bin and b.bin (BEP 47), never stored.
      const created = await createTorrent(join(dir, 'pack'), {
        version: 'hybrid',
        pieceLength: PIECE,
        creationDate: null,
      });
      const meta = parseTorrent(created.torrent);
      const keys = created.files.map((_, i) => `items/1/files/${i}`);
      const names = created.files.map((f) => f.path.join('/'));
      for (const [i, key] of keys.entries()) await blobs.put(key, data[names[i]!]!);
      const base = new BlobPieceStore(meta, blobs, { keys });
      const map = new PieceMap(meta);
      const verifier = new PieceVerifier(meta, map);
      const good = [1, 4, 5].map((i) => base.read(map.piece(i).offset, map.piece(i).length));
      const goodPieces = await Promise.all(good);
      // Damage: a byte in piece 1 and in piece 4 (a.bin), and b.bin's first piece (5).
      const a = Buffer.from(data['a.bin']!);
      a[PIECE + 10]! ^= 1;
      a[4 * PIECE + 7]! ^= 1;
      await blobs.put(keys[names.indexOf('a.bin')]!, a);
      const b = Buffer.from(data['b.bin']!);
      b[3]! ^= 1;
      await blobs.put(keys[names.indexOf('b.bin')]!, b);
      const store = new RepairStore(meta, base, blobs, [1, 4, 5], {
        keys,
        sha256: names.map((f) => sha(data[f]!)),
        tmpRoot: join(dir, 'tmp'),
      });
      assert.equal(store.readOnly, false);
      await assert.rejects(store.write(0, Buffer.alloc(16)), (err) => isSeedcastError(err, 'FIXITY_REPAIR'));
      // Blocks arrive in any order.
      for (const [k, i] of [1, 4, 5].entries()) {
        const { offset, length } = map.piece(i);
        for (let at = length - (length % 16_384 || 16_384); at >= 0; at -= 16_384)
          await store.write(offset + at, goodPieces[k]!.subarray(at, at + 16_384));
      }
      for (const i of [0, 1, 2, 3, 4, 5]) {
        const { offset, length } = map.piece(i);
        assert.ok(
          verifier.verify(i, await store.read(offset, length)),
          `piece ${i} through the repair store`,
        );
      }
      assert.equal(
        verifier.verify(1, await base.read(map.piece(1).offset, PIECE)),
        false,
        'not written back yet',
      );
      const written = await store.commit();
      assert.deepEqual(
        written.map((w) => w.how),
        [how, how],
      );
      for (const [i, key] of keys.entries())
        assert.equal(sha(await readAll(await blobs.get(key))), sha(data[names[i]!]!), `${key} whole again`);
    });

    test('a patch outside the blob, or onto a missing blob, is refused', async (t) => {
      const blobs = make();
      t.after(() => blobs.close());
      await blobs.put('items/2/x', Buffer.alloc(100));
      await assert.rejects(
        writeBlobRanges(blobs, 'items/2/x', [{ offset: 90, data: Buffer.alloc(11) }]),
        (err) => isSeedcastError(err, 'STORAGE_RANGE'),
      );
      await assert.rejects(
        writeBlobRanges(blobs, 'items/2/none', [{ offset: 0, data: Buffer.alloc(1) }]),
        (err) => isSeedcastError(err, 'STORAGE_NOT_FOUND'),
      );
    });
  });
}

test('on S3 a rewrite that would not match the recorded SHA-256 is refused; the old object stays', async (t) => {
  const blobs = new S3Store(s3!.url().replace('?', '/writer-sha?'));
  t.after(() => blobs.close());
  const old = randomBytes(5000);
  await blobs.put('items/3/x', old);
  await assert.rejects(
    writeBlobRanges(blobs, 'items/3/x', [{ offset: 10, data: Buffer.from('wrong') }], { sha256: sha(old) }),
    (err) => isSeedcastError(err, 'STORAGE_INTEGRITY'),
  );
  assert.equal(sha(await readAll(await blobs.get('items/3/x'))), sha(old));
  await writeBlobRanges(blobs, 'items/3/x', [{ offset: 10, data: old.subarray(10, 15) }], {
    sha256: sha(old),
  });
  assert.equal(sha(await readAll(await blobs.get('items/3/x'))), sha(old));
});
