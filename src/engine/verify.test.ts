import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTorrent, parseTorrent, type TorrentVersion } from '../torrent/index.js';
import type { PieceStore } from './file-store.js';
import { FileStore } from './file-store.js';
import { PieceMap } from './piece-map.js';
import { PieceVerifier } from './verify.js';

const PIECE = 4 * 1024 * 1024; // 256 blocks: read back in 1 MiB slices
const BLOCK = 16384;

async function setup(t: TestContext, version: TorrentVersion) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-verify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = randomBytes(PIECE + 100_000); // a full piece and a short last one
  writeFileSync(join(dir, 'a.bin'), data);
  const meta = parseTorrent(
    (await createTorrent(join(dir, 'a.bin'), { version, pieceLength: PIECE })).torrent,
  );
  const map = new PieceMap(meta);
  const store = new FileStore(meta, dir, { readOnly: true });
  t.after(() => store.close());
  return { data, meta, map, store, verifier: new PieceVerifier(meta, map) };
}

/** Records the size of every read: a piece is never read whole. */
function counting(store: PieceStore): { store: PieceStore; reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    store: {
      read: (offset, length) => {
        reads.push(length);
        return store.read(offset, length);
      },
      write: (offset, data) => store.write(offset, data),
      close: () => store.close(),
    },
  };
}

for (const version of ['v1', 'v2'] as const) {
  describe(`PieceVerifier (${version})`, () => {
    it('hashes blocks fed in order and accepts the piece without reading the store', async (t) => {
      const { data, verifier, store } = await setup(t, version);
      const check = verifier.check(0);
      for (let at = 0; at < PIECE; at += BLOCK)
        assert.equal(check.add(at, data.subarray(at, at + BLOCK)), true);
      assert.deepEqual(check.missing(), []);
      const { store: spy, reads } = counting(store);
      assert.equal(await verifier.complete(0, check, spy), true);
      assert.deepEqual(reads, []);
    });

    it('reads back what arrived out of order, in slices of at most 1 MiB', async (t) => {
      const { data, verifier, store } = await setup(t, version);
      const check = verifier.check(0);
      // The second half first, then the first block.
      for (let at = PIECE / 2; at < PIECE; at += BLOCK) check.add(at, data.subarray(at, at + BLOCK));
      check.add(0, data.subarray(0, BLOCK));
      const { store: spy, reads } = counting(store);
      assert.equal(await verifier.complete(0, check, spy), true);
      assert.ok(reads.length > 0 && reads.every((n) => n <= 1024 * 1024), `reads: ${reads}`);
      // SHA-1 needs order: everything after the first block is read back; v2 hashes leaves in any order.
      const readBytes = reads.reduce((a, b) => a + b, 0);
      assert.equal(readBytes, version === 'v1' ? PIECE - BLOCK : PIECE / 2 - BLOCK);
    });

    it('refuses a piece with a wrong block, and a short last piece checks too', async (t) => {
      const { data, verifier, store } = await setup(t, version);
      const check = verifier.check(0);
      check.add(0, randomBytes(BLOCK));
      assert.equal(await verifier.complete(0, check, store), false);
      assert.equal(await verifier.verifyStored(1, store), true);
      assert.equal(verifier.verify(1, data.subarray(PIECE)), true);
      assert.equal(verifier.verify(1, data.subarray(PIECE, PIECE + 10)), false);
    });
  });
}
