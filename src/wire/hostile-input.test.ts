import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { ChunkQueue } from './chunks.js';
import { encodeExtendedHandshake } from './extended.js';
import { MessageFramer } from './framer.js';
import { encodeMessage, type Message } from './messages.js';
import { encodeMetadataMessage } from './metadata.js';
import { decodeExtended, LOCAL_EXTENSIONS } from './peer-message.js';
import { encodePex } from './pex.js';
import { ProtocolRules, pieceGeometry } from './rules.js';

/** A small deterministic PRNG (xorshift32), so every run feeds the same bytes. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const VALID: Message[] = [
  { type: 'keepAlive' },
  { type: 'unchoke' },
  { type: 'have', index: 3 },
  { type: 'bitfield', bitfield: Buffer.from([0xff, 0xc0]) },
  { type: 'request', index: 1, begin: 0, length: 16384 },
  { type: 'piece', index: 2, begin: 16384, block: Buffer.alloc(100, 1) },
  { type: 'haveAll' },
  { type: 'reject', index: 0, begin: 0, length: 10 },
  {
    type: 'extended',
    id: 0,
    payload: encodeExtendedHandshake({ m: new Map([['ut_pex', 2]]), metadataSize: 40000 }),
  },
  {
    type: 'extended',
    id: LOCAL_EXTENSIONS.get('ut_metadata')!,
    payload: encodeMetadataMessage({ kind: 'data', piece: 1, totalSize: 40000, data: Buffer.alloc(50) }),
  },
  {
    type: 'extended',
    id: LOCAL_EXTENSIONS.get('ut_pex')!,
    payload: encodePex({ added: [{ host: '1.2.3.4', port: 5, flags: 1 }] }),
  },
  { type: 'extended', id: 0, payload: encode({ m: { ut_metadata: 3 }, v: 'x' }) },
];

describe('hostile input', () => {
  it('turns random and mutated streams into messages or WIRE_* errors, never anything else', () => {
    const random = prng(0x5eed);
    const geometry = pieceGeometry(10 * 32768 - 5, 32768);
    const maxMessageLength = 64 * 1024;
    let errors = 0;
    let messages = 0;
    for (let run = 0; run < 3000; run++) {
      const parts: Buffer[] = [];
      for (let i = 0; i < 1 + random(6); i++) parts.push(encodeMessage(VALID[random(VALID.length)]!));
      const stream = Buffer.concat(parts);
      const mode = random(3);
      if (mode === 0) {
        for (let flips = 1 + random(4); flips > 0; flips--) stream[random(stream.length)] = random(256);
      } else if (mode === 1) {
        for (let i = random(stream.length); i < stream.length; i++) stream[i] = random(256);
      }
      const queue = new ChunkQueue();
      const framer = new MessageFramer(queue, { maxMessageLength });
      const rules = new ProtocolRules({ extended: true, fast: random(2) === 1, dht: false }, { geometry });
      try {
        for (let at = 0; at < stream.length; ) {
          const size = 1 + random(64);
          queue.push(stream.subarray(at, at + size));
          at += size;
          for (let m = framer.next(); m; m = framer.next()) {
            rules.check(m);
            if (m.type === 'extended') decodeExtended(m.id, m.payload);
            messages++;
          }
          assert.ok(queue.length <= maxMessageLength + 4 + 64, 'buffering stays bounded');
        }
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assert.ok(isSeedcastError(err), `run ${run}: expected a SeedcastError, got ${String(err)}`);
        assert.match(err.code, /^WIRE_/, `run ${run}: ${err.message}`);
        errors++;
      }
    }
    assert.ok(errors > 100, `the mutations produced errors (${errors})`);
    assert.ok(messages > 1000, `and valid messages got through (${messages})`);
  });
});
