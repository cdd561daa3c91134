import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import type { Extensions } from './handshake.js';
import type { Message } from './messages.js';
import { checkBitfield, ProtocolRules, pieceGeometry, pieceSize } from './rules.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;
const ALL: Extensions = { extended: true, fast: true, dht: false };
const NONE: Extensions = { extended: false, fast: false, dht: false };
// 10 pieces of 32 KiB, the last one 1000 bytes.
const geometry = pieceGeometry(9 * 32768 + 1000, 32768);

function accepts(rules: ProtocolRules, ...messages: Message[]) {
  for (const m of messages) rules.check(m);
}

describe('protocol rules', () => {
  it('computes piece sizes with a short last piece', () => {
    assert.equal(geometry.pieceCount, 10);
    assert.equal(pieceSize(geometry, 0), 32768);
    assert.equal(pieceSize(geometry, 9), 1000);
    assert.equal(pieceGeometry(65536, 32768).pieceCount, 2);
    assert.equal(pieceSize(pieceGeometry(65536, 32768), 1), 32768);
  });

  it('accepts a bitfield after other messages, and later announcements as updates (aria2 sends them)', () => {
    const rules = new ProtocolRules(ALL, { geometry });
    accepts(
      rules,
      { type: 'extended', id: 0, payload: Buffer.alloc(2) },
      { type: 'unchoke' },
      { type: 'haveNone' },
      { type: 'allowedFast', index: 1 },
      { type: 'request', index: 0, begin: 0, length: 1 },
      { type: 'bitfield', bitfield: Buffer.from([0x08, 0x00]) },
      { type: 'have', index: 3 },
      { type: 'bitfield', bitfield: Buffer.from([0x88, 0x00]) },
      { type: 'haveAll' },
    );
    assert.throws(
      () => rules.check({ type: 'bitfield', bitfield: Buffer.from([0, 0, 0]) }),
      code('WIRE_MALFORMED'),
    );
  });

  it('rejects every Fast message when the Fast extension was not negotiated', () => {
    const fast: Message[] = [
      { type: 'suggest', index: 0 },
      { type: 'haveAll' },
      { type: 'haveNone' },
      { type: 'reject', index: 0, begin: 0, length: 16384 },
      { type: 'allowedFast', index: 0 },
    ];
    for (const m of fast) {
      assert.throws(() => new ProtocolRules(NONE).check(m), code('WIRE_PROTOCOL'), m.type);
      new ProtocolRules(ALL, { geometry }).check(m);
    }
  });

  it('rejects extended messages when the extension protocol was not negotiated', () => {
    const m: Message = { type: 'extended', id: 0, payload: Buffer.from('de') };
    assert.throws(() => new ProtocolRules(NONE).check(m), code('WIRE_PROTOCOL'));
  });

  it('rejects a bitfield of the wrong size or with spare bits set', () => {
    assert.throws(
      () => new ProtocolRules(ALL, { geometry }).check({ type: 'bitfield', bitfield: Buffer.alloc(1) }),
      code('WIRE_MALFORMED'),
    );
    assert.throws(() => checkBitfield(Buffer.from([0xff, 0xe0]), 10), /spare bits/);
    checkBitfield(Buffer.from([0xff, 0xc0]), 10);
    checkBitfield(Buffer.from([0xff]), 8);
  });

  it('rejects piece indexes past the last piece', () => {
    for (const m of [
      { type: 'have', index: 10 },
      { type: 'suggest', index: 10 },
      { type: 'allowedFast', index: 10 },
      { type: 'request', index: 10, begin: 0, length: 10 },
    ] as Message[]) {
      assert.throws(() => new ProtocolRules(ALL, { geometry }).check(m), code('WIRE_PROTOCOL'), m.type);
    }
  });

  it('rejects requests over 16 KiB, empty ones, and ones that run past their piece', () => {
    const rules = new ProtocolRules(ALL, { geometry });
    rules.check({ type: 'request', index: 0, begin: 16384, length: 16384 });
    rules.check({ type: 'request', index: 9, begin: 0, length: 1000 });
    const bad: Message[] = [
      { type: 'request', index: 0, begin: 0, length: 16385 },
      { type: 'request', index: 0, begin: 0, length: 0 },
      { type: 'request', index: 0, begin: 32768 - 100, length: 16384 },
      { type: 'request', index: 9, begin: 0, length: 1001 },
      { type: 'request', index: 0, begin: 0xffffffff, length: 1 },
      { type: 'cancel', index: 9, begin: 1000, length: 1 },
      { type: 'reject', index: 0, begin: 0, length: 20000 },
    ];
    for (const m of bad) assert.throws(() => rules.check(m), code('WIRE_PROTOCOL'), JSON.stringify(m));
  });

  it('checks request sizes even before the geometry is known, and ranges once it is set', () => {
    const rules = new ProtocolRules(ALL);
    rules.check({ type: 'request', index: 500, begin: 0, length: 16384 });
    assert.throws(
      () => rules.check({ type: 'request', index: 0, begin: 0, length: 16385 }),
      code('WIRE_PROTOCOL'),
    );
    rules.setGeometry(geometry);
    assert.throws(
      () => rules.check({ type: 'request', index: 500, begin: 0, length: 16384 }),
      code('WIRE_PROTOCOL'),
    );
  });

  it('rejects a block that runs past the end of its piece', () => {
    const rules = new ProtocolRules(ALL, { geometry });
    rules.check({ type: 'piece', index: 9, begin: 0, block: Buffer.alloc(1000) });
    assert.throws(
      () => rules.check({ type: 'piece', index: 9, begin: 500, block: Buffer.alloc(501) }),
      code('WIRE_PROTOCOL'),
    );
    assert.throws(
      () => rules.check({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(0) }),
      code('WIRE_PROTOCOL'),
    );
  });
});
