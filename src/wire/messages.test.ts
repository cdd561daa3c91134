import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { encodeMessage, encodePieceHeader } from './messages.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

describe('message encoder', () => {
  it('writes the BEP 3 byte layouts', () => {
    assert.deepEqual([...encodeMessage({ type: 'keepAlive' })], [0, 0, 0, 0]);
    assert.deepEqual([...encodeMessage({ type: 'interested' })], [0, 0, 0, 1, 2]);
    assert.deepEqual([...encodeMessage({ type: 'have', index: 258 })], [0, 0, 0, 5, 4, 0, 0, 1, 2]);
    assert.deepEqual(
      [...encodeMessage({ type: 'request', index: 1, begin: 2, length: 16384 })],
      [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x40, 0],
    );
    assert.deepEqual([...encodeMessage({ type: 'port', port: 0x1ae1 })], [0, 0, 0, 3, 9, 0x1a, 0xe1]);
    assert.deepEqual([...encodeMessage({ type: 'haveAll' })], [0, 0, 0, 1, 0x0e]);
    assert.deepEqual([...encodeMessage({ type: 'allowedFast', index: 5 })], [0, 0, 0, 5, 0x11, 0, 0, 0, 5]);
    assert.deepEqual(
      [...encodeMessage({ type: 'extended', id: 0, payload: Buffer.from('de') })],
      [0, 0, 0, 4, 20, 0, 0x64, 0x65],
    );
  });

  it('sends a piece as header + block with the same bytes as the one-buffer encoding', () => {
    const block = Buffer.alloc(16384, 0x5a);
    const whole = encodeMessage({ type: 'piece', index: 9, begin: 32768, block });
    const header = encodePieceHeader(9, 32768, block.length);
    assert.equal(header.length, 13);
    assert.deepEqual(Buffer.concat([header, block]), whole);
  });

  it('refuses to encode values that do not fit their fields', () => {
    assert.throws(() => encodeMessage({ type: 'have', index: -1 }), code('WIRE_MALFORMED'));
    assert.throws(() => encodeMessage({ type: 'have', index: 2 ** 32 }), code('WIRE_MALFORMED'));
    assert.throws(() => encodeMessage({ type: 'port', port: 70000 }), code('WIRE_MALFORMED'));
    assert.throws(
      () => encodeMessage({ type: 'extended', id: 256, payload: Buffer.alloc(0) }),
      code('WIRE_MALFORMED'),
    );
  });
});
