import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { ChunkQueue } from './chunks.js';
import { MessageFramer } from './framer.js';
import { uncleCount } from './hash-messages.js';
import { encodeMessage, type Message } from './messages.js';
import { parseFrame } from './parse.js';

const root = Buffer.alloc(32, 0xab);
const request = { piecesRoot: root, baseLayer: 1, index: 512, length: 512, proofLayers: 12 };

function roundTrip(message: Message): Message {
  const bytes = encodeMessage(message);
  assert.equal(bytes.readUInt32BE(0), bytes.length - 4);
  return parseFrame(bytes.subarray(4));
}

function frame(id: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out.writeUInt32BE(1 + payload.length, 0);
  out[4] = id;
  payload.copy(out, 5);
  return out;
}

function header(fields: { base?: number; index?: number; length?: number; proof?: number } = {}): Buffer {
  const out = Buffer.alloc(48);
  root.copy(out);
  out.writeUInt32BE(fields.base ?? 1, 32);
  out.writeUInt32BE(fields.index ?? 0, 36);
  out.writeUInt32BE(fields.length ?? 4, 40);
  out.writeUInt32BE(fields.proof ?? 3, 44);
  return out;
}

/** Feed raw bytes through the framer; the error it throws, if any. */
function framed(bytes: Buffer): Message | Error {
  const queue = new ChunkQueue();
  queue.push(bytes);
  try {
    return new MessageFramer(queue).next()!;
  } catch (err) {
    return err as Error;
  }
}

describe('BEP 52 hash messages on the wire', () => {
  it('hash request and hash reject are 49-byte frames with ids 21 and 23', () => {
    const bytes = encodeMessage({ type: 'hashRequest', ...request });
    assert.equal(bytes.length, 4 + 49);
    assert.equal(bytes[4], 21);
    assert.deepEqual(bytes.subarray(5, 37), root);
    assert.equal(bytes.readUInt32BE(37), 1);
    assert.equal(bytes.readUInt32BE(41), 512);
    assert.equal(bytes.readUInt32BE(45), 512);
    assert.equal(bytes.readUInt32BE(49), 12);
    const back = roundTrip({ type: 'hashRequest', ...request });
    assert.equal(back.type, 'hashRequest');
    if (back.type !== 'hashRequest') return;
    assert.deepEqual(
      { ...back, piecesRoot: Buffer.from(back.piecesRoot) },
      { type: 'hashRequest', ...request },
    );
    const reject = roundTrip({ type: 'hashReject', ...request });
    assert.equal(reject.type, 'hashReject');
    assert.equal(encodeMessage({ type: 'hashReject', ...request })[4], 23);
  });

  it('hashes carry the run then the uncles; the count follows the proof layers', () => {
    // 512 hashes prove 8 layers themselves (log2(512) - 1); 12 proof layers add 4 uncles.
    assert.equal(uncleCount(512, 12), 4);
    assert.equal(uncleCount(2, 0), 0);
    assert.equal(uncleCount(2, 3), 3);
    const hashes = Buffer.alloc(512 * 32, 1);
    const uncles = Buffer.alloc(4 * 32, 2);
    const bytes = encodeMessage({ type: 'hashes', ...request, hashes, uncles });
    assert.equal(bytes.length, 4 + 49 + 516 * 32);
    assert.equal(bytes[4], 22);
    const back = roundTrip({ type: 'hashes', ...request, hashes, uncles });
    assert.equal(back.type, 'hashes');
    if (back.type !== 'hashes') return;
    assert.ok(Buffer.from(back.hashes).equals(hashes));
    assert.ok(Buffer.from(back.uncles).equals(uncles));
  });

  it('hostile hash messages are errors that drop the peer, never crashes', () => {
    const cases: [string, Buffer][] = [
      ['a short hash request', frame(21, header().subarray(0, 47))],
      ['a long hash reject', frame(23, Buffer.concat([header(), Buffer.alloc(1)]))],
      ['hashes without their header', frame(22, Buffer.alloc(20))],
      ['hashes not in 32-byte units', frame(22, Buffer.concat([header(), Buffer.alloc(33)]))],
      [
        'hashes fewer than announced',
        frame(22, Buffer.concat([header({ length: 4, proof: 3 }), Buffer.alloc(32 * 4)])),
      ],
      [
        'hashes more than announced',
        frame(22, Buffer.concat([header({ length: 4, proof: 1 }), Buffer.alloc(32 * 5)])),
      ],
      ['a run of zero hashes', frame(21, header({ length: 0 }))],
      ['a run of 2^32 - 1 hashes', frame(21, header({ length: 0xffffffff }))],
      ['absurd proof layers', frame(21, header({ proof: 0xffffffff }))],
      ['absurd base layer', frame(23, header({ base: 1000 }))],
    ];
    for (const [what, bytes] of cases) {
      const result = framed(bytes);
      assert.ok(result instanceof Error, what);
      assert.ok(isSeedcastError(result, 'WIRE_MALFORMED') || isSeedcastError(result, 'WIRE_PROTOCOL'), what);
    }
    // A well-formed one passes the same path.
    const ok = framed(frame(22, Buffer.concat([header({ length: 4, proof: 3 }), Buffer.alloc(32 * 6)])));
    assert.equal((ok as Message).type, 'hashes');
  });
});
