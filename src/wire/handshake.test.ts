import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { ChunkQueue } from './chunks.js';
import {
  encodeHandshake,
  negotiate,
  parseHandshake,
  parseReserved,
  readHandshakeHead,
  readPeerId,
  reservedBytes,
} from './handshake.js';

const infoHash = Buffer.alloc(20, 0xab);
const peerId = Buffer.from('-SC0001-abcdefghijkl');

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

describe('handshake', () => {
  it('encodes pstrlen, pstr, reserved bits, info hash and peer id at their offsets', () => {
    const bytes = encodeHandshake(infoHash, peerId, {
      extensions: { extended: true, fast: true, dht: true },
    });
    assert.equal(bytes.length, 68);
    assert.equal(bytes[0], 19);
    assert.equal(bytes.subarray(1, 20).toString('latin1'), 'BitTorrent protocol');
    assert.deepEqual([...bytes.subarray(20, 28)], [0, 0, 0, 0, 0, 0x10, 0, 0x05]);
    assert.deepEqual(bytes.subarray(28, 48), infoHash);
    assert.deepEqual(bytes.subarray(48, 68), peerId);
    const parsed = parseHandshake(bytes);
    assert.deepEqual(parsed.extensions, { extended: true, fast: true, dht: true });
    assert.deepEqual(parsed.infoHash, infoHash);
    assert.deepEqual(parsed.peerId, peerId);
  });

  it('announces no extension when none is asked for, and negotiates only what both announce', () => {
    assert.deepEqual([...reservedBytes({})], [0, 0, 0, 0, 0, 0, 0, 0]);
    const theirs = parseReserved(reservedBytes({ fast: true, dht: true }));
    assert.deepEqual(negotiate({ extended: true, fast: true }, theirs), {
      extended: false,
      fast: true,
      dht: false,
    });
  });

  it('reads a handshake that arrives one byte at a time, head first, leaving later bytes queued', () => {
    const bytes = Buffer.concat([
      encodeHandshake(infoHash, peerId, { extensions: { fast: true } }),
      Buffer.from([9, 9]),
    ]);
    const q = new ChunkQueue();
    let head = null;
    let at = 0;
    for (; at < bytes.length && !head; at++) {
      q.push(bytes.subarray(at, at + 1));
      head = readHandshakeHead(q);
    }
    assert.equal(at, 48, 'the head is complete after exactly 48 bytes');
    assert.ok(head);
    assert.deepEqual(head.infoHash, infoHash);
    assert.equal(head.extensions.fast, true);
    let id = null;
    for (; at < bytes.length && !id; at++) {
      q.push(bytes.subarray(at, at + 1));
      id = readPeerId(q);
    }
    assert.equal(at, 68);
    assert.deepEqual(id, peerId);
    q.push(bytes.subarray(at));
    assert.equal(q.length, 2);
  });

  it('rejects a wrong protocol as soon as the first wrong byte arrives', () => {
    const q = new ChunkQueue();
    q.push(Buffer.from([18]));
    assert.throws(() => readHandshakeHead(q), code('WIRE_HANDSHAKE'));
    const http = new ChunkQueue();
    http.push(Buffer.from('GET / HTTP/1.1\r\n'));
    assert.throws(() => readHandshakeHead(http), code('WIRE_HANDSHAKE'));
    const almost = new ChunkQueue();
    almost.push(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocoX')]));
    assert.throws(() => readHandshakeHead(almost), /BitTorrent protocol/);
  });

  it('rejects a handshake of the wrong size and ids of the wrong size', () => {
    assert.throws(() => parseHandshake(Buffer.alloc(67)), code('WIRE_HANDSHAKE'));
    assert.throws(() => encodeHandshake(Buffer.alloc(32), peerId), code('WIRE_HANDSHAKE'));
    assert.throws(() => encodeHandshake(infoHash, Buffer.alloc(19)), code('WIRE_HANDSHAKE'));
  });
});
