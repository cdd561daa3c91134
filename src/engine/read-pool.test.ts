import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTorrent, parseTorrent } from '../torrent/index.js';
import { FileStore } from './file-store.js';
import { pooledBytes, returnBuffer, takeBuffer } from './read-pool.js';

describe('read pool', () => {
  it('hands back a returned buffer of the same size class', () => {
    const a = takeBuffer(20_000);
    assert.equal(a.length, 32 * 1024, 'rounded up to a power of two from 16 KiB');
    const before = pooledBytes();
    returnBuffer(a);
    assert.equal(pooledBytes(), before + a.length);
    assert.equal(takeBuffer(30_000), a);
    assert.notEqual(takeBuffer(30_000), a, 'taken once only');
    returnBuffer(Buffer.alloc(1000)); // not from the pool: ignored
    assert.equal(pooledBytes(), before);
  });

  for (const version of ['v1', 'hybrid'] as const) {
    it(`FileStore reads a ${version} torrent into a dirty buffer exactly as into a fresh one (zeros for padding, missing and short files)`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'seedcast-pool-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const root = join(dir, 'pack');
      mkdirSync(root);
      for (const [name, size] of [
        ['a.bin', 50_000],
        ['b.bin', 70_001],
        ['c.bin', 40_000],
      ] as const)
        writeFileSync(join(root, name), randomBytes(size));
      const meta = parseTorrent((await createTorrent(root, { version, pieceLength: 32768 })).torrent);
      rmSync(join(root, 'b.bin')); // missing
      truncateSync(join(root, 'c.bin'), 10_000); // short
      const store = new FileStore(meta, dir, { readOnly: true });
      t.after(() => store.close());
      for (let i = 0; i < meta.pieceCount; i++) {
        const span = store.map.piece(i);
        const fresh = await store.read(span.offset, span.length);
        const dirty = Buffer.alloc(span.length + 100, 0xab);
        const reused = await store.read(span.offset, span.length, dirty);
        assert.equal(reused.buffer, dirty.buffer, 'read into the given buffer');
        assert.deepEqual(reused, fresh, `piece ${i}`);
      }
    });
  }
});
