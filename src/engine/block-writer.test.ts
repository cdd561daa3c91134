import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BlockWriter, MAX_GATHERED_BLOCKS } from './block-writer.js';
import type { PieceStore } from './file-store.js';
import { BLOCK_SIZE } from './picker.js';
import type { PieceCheck } from './verify.js';

/** A store in memory that records its writes (copying `data`, which the writer reuses). */
function memoryStore(size: number) {
  const bytes = Buffer.alloc(size);
  const writes: [number, number][] = [];
  const store: PieceStore = {
    read: async (offset, length) => Buffer.from(bytes.subarray(offset, offset + length)),
    write: async (offset, data) => {
      writes.push([offset, data.byteLength]);
      bytes.set(data, offset);
    },
    close: async () => undefined,
  };
  return { store, bytes, writes };
}

/** An in-order SHA-1 check, as verify.ts's (only the prefix can be added). */
function sha1Check(length: number, expected: Buffer): PieceCheck & { hashedTo: () => number } {
  const hash = createHash('sha1');
  let to = 0;
  return {
    add: (begin, data) => {
      if (begin !== to) return false;
      hash.update(data);
      to += data.byteLength;
      return true;
    },
    missing: () => (to < length ? [[to, length]] : []),
    matches: () => to === length && hash.digest().equals(expected),
    hashedTo: () => to,
  };
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();

describe('BlockWriter', () => {
  it('hashes a piece whose blocks arrive out of order, and writes it once', async () => {
    const piece = randomBytes(4 * BLOCK_SIZE - 100); // a short last block
    const { store, bytes, writes } = memoryStore(piece.length + 1000);
    const writer = new BlockWriter(() => store, 4 * BLOCK_SIZE);
    const check = sha1Check(piece.length, sha1(piece));
    const p = writer.piece(1000, piece.length, check);
    const order = [2, 0, 3, 1];
    for (const [k, b] of order.entries()) {
      const block = Buffer.from(piece.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE));
      await writer.add(p, b * BLOCK_SIZE, block, k === order.length - 1);
      block.fill(0); // the caller's buffer is reused at once
    }
    assert.equal(check.hashedTo(), piece.length, 'hashed on arrival: nothing to read back');
    assert.ok(check.matches());
    assert.deepEqual(writes, [[1000, piece.length]], 'one write of the whole window');
    assert.ok(bytes.subarray(1000).equals(piece));
    assert.equal(writer.inFlight, 0);
  });

  it('writes windows of a large piece as each fills, and bounds what it holds', async () => {
    const window = 2 * BLOCK_SIZE;
    const piece = randomBytes(6 * BLOCK_SIZE);
    const { store, bytes, writes } = memoryStore(piece.length);
    const writer = new BlockWriter(() => store, window);
    const check = sha1Check(piece.length, sha1(piece));
    const p = writer.piece(0, piece.length, check);
    for (const b of [1, 0, 3, 5, 2, 4]) {
      await writer.add(p, b * BLOCK_SIZE, piece.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE), b === 4);
    }
    assert.deepEqual(
      writes.map(([o]) => o / BLOCK_SIZE),
      [0, 2, 4],
      'one write per window',
    );
    assert.ok(check.matches() && bytes.equals(piece));

    // Many pieces left half done: past the bound everything held is written out, holes and all.
    const many = memoryStore((MAX_GATHERED_BLOCKS + 8) * 2 * BLOCK_SIZE);
    const bounded = new BlockWriter(() => many.store, 2 * BLOCK_SIZE);
    const pieces = Array.from({ length: MAX_GATHERED_BLOCKS + 8 }, (_, i) =>
      bounded.piece(i * 2 * BLOCK_SIZE, 2 * BLOCK_SIZE, sha1Check(2 * BLOCK_SIZE, Buffer.alloc(20))),
    );
    for (const p2 of pieces) await bounded.add(p2, BLOCK_SIZE, Buffer.alloc(BLOCK_SIZE, 1), false);
    await new Promise((r) => setImmediate(r));
    assert.ok(bounded.inFlight <= MAX_GATHERED_BLOCKS, `${bounded.inFlight} blocks held`);
    assert.ok(many.writes.length >= MAX_GATHERED_BLOCKS, 'the held blocks were written where they go');
    assert.ok(many.writes.every(([o, n]) => o % (2 * BLOCK_SIZE) === BLOCK_SIZE && n === BLOCK_SIZE));
  });
});
