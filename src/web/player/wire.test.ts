import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bitfield, encodeHandshake, encodeMessage, WireDecoder, WireError } from './wire.js';

const hash = new Uint8Array(20).fill(7);
const peerId = new Uint8Array(20).fill(9);

function handshaken(pieces = 10): WireDecoder {
  const d = new WireDecoder(hash, pieces);
  assert.equal(d.push(encodeHandshake(hash, peerId))[0]?.type, 'handshake');
  return d;
}

test('decodes a handshake and messages split across arbitrary chunks', () => {
  const stream = new Uint8Array([
    ...encodeHandshake(hash, peerId),
    ...encodeMessage({ type: 'bitfield', bits: new Uint8Array([0b1010_0000, 0b1100_0000]) }),
    ...encodeMessage({ type: 'unchoke' }),
    ...encodeMessage({ type: 'keep-alive' }),
    ...encodeMessage({ type: 'have', index: 9 }),
    ...encodeMessage({ type: 'request', index: 3, begin: 16384, length: 16384 }),
    ...encodeMessage({ type: 'piece', index: 2, begin: 0, block: new Uint8Array([1, 2, 3]) }),
    ...encodeMessage({ type: 'cancel', index: 3, begin: 16384, length: 16384 }),
  ]);
  for (const size of [1, 3, 7, 64, stream.length]) {
    const d = new WireDecoder(hash, 10);
    const got = [];
    for (let i = 0; i < stream.length; i += size) got.push(...d.push(stream.subarray(i, i + size)));
    assert.deepEqual(
      got.map((m) => m.type),
      ['handshake', 'bitfield', 'unchoke', 'keep-alive', 'have', 'request', 'piece', 'cancel'],
      `chunks of ${size}`,
    );
    const hs = got[0] as { peerId: Uint8Array; reserved: Uint8Array };
    assert.deepEqual([...hs.peerId], [...peerId]);
    assert.deepEqual(got[4], { type: 'have', index: 9 });
    assert.deepEqual(got[5], { type: 'request', index: 3, begin: 16384, length: 16384 });
    const piece = got[6] as { block: Uint8Array; index: number };
    assert.deepEqual([...piece.block], [1, 2, 3]);
  }
});

test('our handshake sets no reserved bits and carries hash and peer id', () => {
  const hs = encodeHandshake(hash, peerId);
  assert.equal(hs.length, 68);
  assert.equal(hs[0], 19);
  assert.equal(new TextDecoder().decode(hs.subarray(1, 20)), 'BitTorrent protocol');
  assert.deepEqual([...hs.subarray(20, 28)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...hs.subarray(28, 48)], [...hash]);
  assert.deepEqual([...hs.subarray(48, 68)], [...peerId]);
});

test('refuses another protocol and another info hash', () => {
  assert.throws(
    () => new WireDecoder(hash, 4).push(new TextEncoder().encode('GET / HTTP/1.1\r\n')),
    WireError,
  );
  const other = encodeHandshake(new Uint8Array(20).fill(1), peerId);
  assert.throws(() => new WireDecoder(hash, 4).push(other), /another torrent/);
});

test('refuses frames over the size limit before buffering them', () => {
  const d = handshaken();
  const header = new Uint8Array([0x00, 0x10, 0x00, 0x00, 7]);
  assert.throws(() => d.push(header), /over the limit/);
});

test('refuses malformed messages: wrong sizes, spare bitfield bits, indexes out of range, huge requests', () => {
  const bad: Uint8Array[] = [
    new Uint8Array([0, 0, 0, 2, 1, 0]), // unchoke with a payload
    new Uint8Array([0, 0, 0, 3, 5, 0xff, 0xc1]), // 10 pieces: a spare bit set
    new Uint8Array([0, 0, 0, 2, 5, 0xff]), // bitfield too short
    encodeMessage({ type: 'have', index: 10 }),
    encodeMessage({ type: 'request', index: 1, begin: 0, length: 1 << 20 }),
    encodeMessage({ type: 'request', index: 1, begin: 0, length: 0 }),
    new Uint8Array([0, 0, 0, 5, 7, 0, 0, 0, 1]), // piece too short
  ];
  for (const message of bad) assert.throws(() => handshaken().push(message), WireError, `${[...message]}`);
});

test('skips messages of unknown ids (extensions we did not ask for)', () => {
  const d = handshaken();
  const got = d.push(new Uint8Array([0, 0, 0, 3, 20, 0, 1, ...encodeMessage({ type: 'interested' })]));
  assert.deepEqual(got, [{ type: 'unknown', id: 20 }, { type: 'interested' }]);
});

test('bitfields set and test bits high bit first', () => {
  const b = new Bitfield(10);
  b.set(0);
  b.set(9);
  b.set(10);
  assert.deepEqual([...b.bytes], [0x80, 0x40]);
  assert.equal(b.has(9), true);
  assert.equal(b.has(8), false);
  assert.equal(b.size, 2);
});
