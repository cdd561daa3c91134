import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { encodeMessage } from './messages.js';
import { parseFrame } from './parse.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

describe('frame parser', () => {
  it('reads an empty frame as a keep-alive', () => {
    assert.deepEqual(parseFrame(Buffer.alloc(0)), { type: 'keepAlive' });
  });

  it('reports unknown ids with their payload so they can be ignored', () => {
    const bytes = encodeMessage({ type: 'unknown', id: 0x40, payload: Buffer.from([1, 2, 3]) });
    const message = parseFrame(bytes.subarray(4));
    assert.ok(message.type === 'unknown');
    assert.equal(message.id, 0x40);
    assert.deepEqual([...message.payload], [1, 2, 3]);
  });

  it('returns byte payloads as views of the frame', () => {
    const frame = encodeMessage({ type: 'bitfield', bitfield: Buffer.from([0xf0]) }).subarray(4);
    const message = parseFrame(frame);
    assert.ok(message.type === 'bitfield');
    frame[1] = 0x0f;
    assert.equal(message.bitfield[0], 0x0f);
  });

  it('rejects a frame whose length does not fit its id', () => {
    assert.throws(() => parseFrame(Buffer.from([4, 0, 0, 1])), code('WIRE_MALFORMED'));
    assert.throws(() => parseFrame(Buffer.from([6, 0, 0, 0, 1])), code('WIRE_MALFORMED'));
    assert.throws(() => parseFrame(Buffer.from([7, 0, 0, 0, 0, 0, 0, 0])), code('WIRE_MALFORMED'));
    assert.throws(() => parseFrame(Buffer.from([20])), code('WIRE_MALFORMED'));
    assert.throws(() => parseFrame(Buffer.from([0, 0])), code('WIRE_MALFORMED'));
  });
});
