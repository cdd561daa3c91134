import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkQueue } from './chunks.js';

describe('ChunkQueue', () => {
  it('hands out a view, not a copy, when the bytes lie in one chunk', () => {
    const q = new ChunkQueue();
    const chunk = Buffer.from('hello world');
    q.push(chunk);
    const view = q.take(5);
    assert.equal(view.toString(), 'hello');
    chunk[0] = 0x4a; // 'J': a view sees the change
    assert.equal(view.toString(), 'Jello');
    assert.equal(q.length, 6);
  });

  it('copies only a range that spans chunks, and keeps the rest queued', () => {
    const q = new ChunkQueue();
    const a = Buffer.from('abc');
    const b = Buffer.from('defg');
    const c = Buffer.from('hij');
    q.push(a);
    q.push(b);
    q.push(c);
    q.skip(1);
    const spanned = q.take(7);
    assert.equal(spanned.toString(), 'bcdefgh');
    a[1] = 0x42; // a copy does not see it
    assert.equal(spanned.toString(), 'bcdefgh');
    assert.equal(q.length, 2);
    assert.equal(q.take(2).toString(), 'ij');
    assert.equal(q.length, 0);
  });

  it('reads bytes and 32-bit integers across chunk boundaries', () => {
    const q = new ChunkQueue();
    const whole = Buffer.from([0x00, 0xde, 0xad, 0xbe, 0xef, 0x42]);
    for (const byte of whole) q.push(Buffer.from([byte]));
    assert.equal(q.uint32At(1), 0xdeadbeef);
    assert.equal(q.byteAt(5), 0x42);
    assert.throws(() => q.byteAt(6), RangeError);
    assert.throws(() => q.take(7), RangeError);
  });

  it('drains what is left from the read position', () => {
    const q = new ChunkQueue();
    q.push(Buffer.from('abcd'));
    q.push(Buffer.from('ef'));
    q.skip(2);
    assert.equal(Buffer.concat(q.drain()).toString(), 'cdef');
    assert.equal(q.length, 0);
  });
});

describe('ChunkQueue with a transient chunk', () => {
  it('copies what is kept of a transient chunk, and only that', () => {
    const q = new ChunkQueue();
    const readBuffer = Buffer.from('abcdefghij');
    q.push(readBuffer.subarray(0, 8), true);
    const view = q.take(2); // a view: valid until the buffer is reused
    const owned = q.takeOwned(3);
    q.settle(); // 'fgh' is still queued: copied
    readBuffer.fill(0x2e); // the socket reads into the buffer again
    assert.equal(view.toString(), '..', 'take gave a view of the read buffer');
    assert.equal(owned.toString(), 'cde', 'takeOwned copied');
    q.push(Buffer.from('XY'));
    assert.equal(q.take(5).toString(), 'fghXY', 'the unread tail survived');
  });
});
