import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Slab } from './slab.js';

describe('slab', () => {
  test('blocks never overlap, and a released block is reused zero-filled by the next of its size', () => {
    const slab = new Slab();
    const blocks = Array.from({ length: 1000 }, (_, i) => slab.bytes(36 * (1 + (i % 4))));
    for (const [i, b] of blocks.entries()) b.fill(i % 251);
    for (const [i, b] of blocks.entries()) {
      assert.ok(
        b.every((x) => x === i % 251),
        `block ${i} kept its bytes`,
      );
    }
    assert.equal(slab.chunkBytes, 4 << 20, 'small blocks share one chunk');
    const gone = blocks[5]!;
    const where = [gone.buffer, gone.byteOffset];
    slab.release(gone);
    assert.equal(slab.freeBytes(), gone.byteLength + 8, 'the block, its header and footer words');
    const again = slab.bytes(gone.byteLength);
    assert.deepEqual([again.buffer, again.byteOffset], where);
    assert.ok(again.every((x) => x === 0));
    assert.equal(slab.freeBytes(), 0);
  });

  test('freed neighbours merge, so blocks left by growing tables serve larger ones', () => {
    const slab = new Slab();
    const small = Array.from({ length: 64 }, () => slab.bytes(36 * 4));
    const keep = slab.bytes(8); // keeps the freed run away from the chunk's unused end
    for (const b of small) slab.release(b);
    const block = 36 * 4 + 8; // header and footer words
    assert.equal(slab.freeBytes(), 64 * block);
    const big = slab.bytes(36 * 64);
    assert.equal(big.buffer, small[0]!.buffer);
    assert.equal(big.byteOffset, small[0]!.byteOffset, 'the merged run holds the larger block');
    assert.equal(slab.freeBytes(), 64 * block - (36 * 64 + 8), 'the rest stays free');
    assert.equal(keep.length, 8);
    // A block freed at the chunk's unused end goes back to it, not to a free list.
    const fresh = new Slab();
    const first = fresh.bytes(400);
    const tail = fresh.bytes(400);
    fresh.release(tail);
    assert.equal(fresh.freeBytes(), 0);
    fresh.release(first);
    assert.equal(fresh.freeBytes(), 0);
    assert.equal(fresh.bytes(800).byteOffset, 4, 'from the chunk start, after the header word');
    assert.equal(fresh.usedBytes(), 808);
  });

  test('many random allocations and releases never hand out overlapping memory', () => {
    const slab = new Slab();
    const live = new Map<Uint8Array, number>();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      if (live.size > 0 && rnd(3) === 0) {
        const [view, mark] = [...live][rnd(live.size)]!;
        assert.ok(
          view.every((x) => x === mark),
          'a live block was never overwritten',
        );
        slab.release(view);
        live.delete(view);
      } else {
        const view = slab.bytes(4 * (1 + rnd(600)));
        const mark = 1 + (i % 250);
        view.fill(mark);
        live.set(view, mark);
      }
    }
    for (const [view, mark] of live) assert.ok(view.every((x) => x === mark));
  });

  test('32-bit blocks are aligned; large blocks get their own buffer; bad sizes are refused', () => {
    const slab = new Slab();
    slab.bytes(36);
    const ints = slab.int32s(8);
    assert.equal(ints.byteOffset % 4, 0);
    ints[7] = -1;
    assert.equal(ints[7], -1);
    const big = slab.bytes(2 << 20);
    assert.equal(big.byteOffset, 0);
    assert.equal(big.buffer.byteLength, 2 << 20);
    slab.release(big);
    assert.equal(slab.freeBytes(), 0, 'large blocks are left to the garbage collector');
    assert.throws(() => slab.bytes(30), RangeError);
    assert.throws(() => slab.bytes(0), RangeError);
  });

  test('releasing a block twice is refused', () => {
    const slab = new Slab();
    const a = slab.bytes(40);
    slab.bytes(40);
    slab.release(a);
    assert.throws(() => slab.release(a), /released twice/);
  });

  test('a full chunk starts a new one', () => {
    const slab = new Slab();
    for (let i = 0; i < 5; i++) slab.bytes(1 << 20);
    assert.equal(slab.chunkBytes, 2 * (4 << 20));
  });
});
