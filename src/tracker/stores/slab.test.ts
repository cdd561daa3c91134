import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunkOf, offsetOf, Slab } from './slab.js';

/** The bytes of the block at `address`, through its chunk's view. */
function bytesAt(slab: Slab, address: number, length: number): Uint8Array {
  const offset = offsetOf(address);
  return slab.u8[chunkOf(address)]!.subarray(offset, offset + length);
}

describe('slab', () => {
  test('blocks never overlap, and a released block is reused zero-filled by the next of its size', () => {
    const slab = new Slab();
    const sizes = Array.from({ length: 1000 }, (_, i) => 36 * (1 + (i % 4)));
    const blocks = sizes.map((n) => slab.allocate(n));
    for (const [i, b] of blocks.entries()) bytesAt(slab, b, sizes[i]!).fill(i % 251);
    for (const [i, b] of blocks.entries()) {
      assert.ok(
        bytesAt(slab, b, sizes[i]!).every((x) => x === i % 251),
        `block ${i} kept its bytes`,
      );
    }
    assert.equal(slab.chunkBytes, 4 << 20, 'small blocks share one chunk');
    const gone = blocks[5]!;
    slab.release(gone);
    assert.equal(slab.freeBytes(), sizes[5]! + 8, 'the block, its header and footer words');
    const again = slab.allocate(sizes[5]!);
    assert.equal(again, gone);
    assert.ok(bytesAt(slab, again, sizes[5]!).every((x) => x === 0));
    assert.equal(slab.freeBytes(), 0);
  });

  test('freed neighbours merge, so blocks left by growing tables serve larger ones', () => {
    const slab = new Slab();
    const small = Array.from({ length: 64 }, () => slab.allocate(36 * 4));
    slab.allocate(8); // keeps the freed run away from the chunk's unused end
    for (const b of small) slab.release(b);
    const block = 36 * 4 + 8; // header and footer words
    assert.equal(slab.freeBytes(), 64 * block);
    const big = slab.allocate(36 * 64);
    assert.equal(big, small[0], 'the merged run holds the larger block');
    assert.equal(slab.freeBytes(), 64 * block - (36 * 64 + 8), 'the rest stays free');
    // A block freed at the chunk's unused end goes back to it, not to a free list.
    const fresh = new Slab();
    const first = fresh.allocate(400);
    const tail = fresh.allocate(400);
    fresh.release(tail);
    assert.equal(fresh.freeBytes(), 0);
    fresh.release(first);
    assert.equal(fresh.freeBytes(), 0);
    assert.equal(offsetOf(fresh.allocate(800)), 4, 'from the chunk start, after the header word');
    assert.equal(fresh.usedBytes(), 808);
  });

  test('many random allocations and releases never hand out overlapping memory', () => {
    const slab = new Slab();
    const live = new Map<number, [number, number]>();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      if (live.size > 0 && rnd(3) === 0) {
        const [address, [length, mark]] = [...live][rnd(live.size)]!;
        assert.ok(
          bytesAt(slab, address, length).every((x) => x === mark),
          'a live block was never overwritten',
        );
        slab.release(address);
        live.delete(address);
      } else {
        const length = 4 * (1 + rnd(600));
        const address = slab.allocate(length);
        assert.ok(!live.has(address), 'a live address is not handed out again');
        const mark = 1 + (i % 250);
        bytesAt(slab, address, length).fill(mark);
        live.set(address, [length, mark]);
      }
    }
    for (const [address, [length, mark]] of live) {
      assert.ok(bytesAt(slab, address, length).every((x) => x === mark));
    }
    for (const address of live.keys()) slab.release(address);
    assert.equal(slab.usedBytes(), 0, 'every block came back');
  });

  test('blocks are 32-bit aligned; large blocks get their own buffer; bad sizes are refused', () => {
    const slab = new Slab();
    slab.allocate(36);
    const ints = slab.allocate(32);
    assert.equal(offsetOf(ints) % 4, 0);
    slab.i32[chunkOf(ints)]![(offsetOf(ints) >> 2) + 7] = -1;
    assert.equal(bytesAt(slab, ints, 32)[31], 0xff);
    const big = slab.allocate(2 << 20);
    assert.equal(offsetOf(big), 0);
    assert.equal(slab.u8[chunkOf(big)]!.length, 2 << 20);
    assert.equal(slab.chunkBytes, 4 << 20, 'a large block is not carved from a chunk');
    slab.release(big);
    assert.equal(slab.freeBytes(), 0, 'large blocks are left to the garbage collector');
    assert.equal(slab.u8[chunkOf(big)]!.length, 0, 'and their buffer is let go');
    const next = slab.allocate(3 << 20);
    assert.equal(chunkOf(next), chunkOf(big), 'its chunk number serves the next large block');
    assert.throws(() => slab.allocate(30), RangeError);
    assert.throws(() => slab.allocate(0), RangeError);
  });

  test('releasing a block twice is refused', () => {
    const slab = new Slab();
    const a = slab.allocate(40);
    slab.allocate(40);
    slab.release(a);
    assert.throws(() => slab.release(a), /released twice/);
  });

  test('a full chunk starts a new one, as large as all before together (up to 64 MiB)', () => {
    const slab = new Slab();
    for (let i = 0; i < 5; i++) slab.allocate(1 << 20);
    assert.equal(slab.chunkBytes, 2 * (4 << 20));
    for (let i = 0; i < 4; i++) slab.allocate(1 << 20);
    assert.equal(slab.chunkBytes, 16 << 20, 'then 8 MiB');
    const block = slab.allocate(1 << 20);
    slab.u8[chunkOf(block)]!.fill(7, offsetOf(block), offsetOf(block) + (1 << 20));
    assert.ok(offsetOf(block) + (1 << 20) <= 8 << 20, 'blocks stay inside their chunk');
  });
});
