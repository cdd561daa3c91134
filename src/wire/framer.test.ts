import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { ChunkQueue } from './chunks.js';
import { MessageFramer } from './framer.js';
import { encodeMessage, type Message, MessageId } from './messages.js';
import { parseFrame } from './parse.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

/** One of every message, with payloads that exercise every byte of their fields. */
const ALL: Message[] = [
  { type: 'keepAlive' },
  { type: 'choke' },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'notInterested' },
  { type: 'have', index: 0xfedcba98 },
  { type: 'bitfield', bitfield: Buffer.from([0xff, 0x01, 0x80]) },
  { type: 'request', index: 1, begin: 0x4000, length: 0x4000 },
  { type: 'piece', index: 7, begin: 0x8000, block: Buffer.from('a block of data') },
  { type: 'cancel', index: 0x01020304, begin: 0x05060708, length: 0x090a0b0c },
  { type: 'port', port: 6881 },
  { type: 'suggest', index: 42 },
  { type: 'haveAll' },
  { type: 'haveNone' },
  { type: 'reject', index: 3, begin: 16384, length: 100 },
  { type: 'allowedFast', index: 1313 },
  { type: 'extended', id: 3, payload: Buffer.from('d1:ai1ee') },
];

function frameAll(bytes: Buffer, chunkSize: number, limits = {}): Message[] {
  const q = new ChunkQueue();
  const framer = new MessageFramer(q, limits);
  const out: Message[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    q.push(bytes.subarray(at, at + chunkSize));
    for (let m = framer.next(); m; m = framer.next()) out.push(m);
  }
  assert.equal(q.length, 0, 'nothing left over');
  return out;
}

/** Normalise byte payloads to plain arrays so deepEqual compares content, not Buffer vs view. */
function plain(m: Message): unknown {
  return JSON.parse(JSON.stringify(m, (_k, v) => (v?.type === 'Buffer' ? v.data : v)));
}

describe('message framing', () => {
  it('round-trips every message, each as its own frame', () => {
    for (const message of ALL) {
      const bytes = encodeMessage(message);
      assert.equal(bytes.readUInt32BE(0), bytes.length - 4, `${message.type}: length prefix`);
      assert.deepEqual(plain(parseFrame(bytes.subarray(4))), plain(message));
    }
  });

  it('frames a stream fed byte by byte, and in odd-sized chunks', () => {
    const stream = Buffer.concat(ALL.map(encodeMessage));
    for (const size of [1, 2, 3, 7, 13, 64, stream.length]) {
      assert.deepEqual(frameAll(stream, size).map(plain), ALL.map(plain), `chunks of ${size}`);
    }
  });

  it('returns a block inside one chunk as a view of it', () => {
    const chunk = encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(1000, 1) });
    const [message] = frameAll(chunk, chunk.length);
    assert.ok(message?.type === 'piece');
    chunk[13] = 2;
    assert.equal(message.block[0], 2, 'the block shares memory with the chunk');
  });
});

describe('message framer limits', () => {
  const lengthAndId = (length: number, id: number) => {
    const b = Buffer.alloc(5);
    b.writeUInt32BE(length, 0);
    b[4] = id;
    return b;
  };

  it('rejects each fixed-size message with the wrong length, before its body arrives', () => {
    const fixed: [number, number][] = [
      [MessageId.choke, 1],
      [MessageId.unchoke, 1],
      [MessageId.interested, 1],
      [MessageId.notInterested, 1],
      [MessageId.have, 5],
      [MessageId.request, 13],
      [MessageId.cancel, 13],
      [MessageId.port, 3],
      [MessageId.suggest, 5],
      [MessageId.haveAll, 1],
      [MessageId.haveNone, 1],
      [MessageId.reject, 13],
      [MessageId.allowedFast, 5],
    ];
    for (const [id, length] of fixed) {
      for (const wrong of [length - 1, length + 1]) {
        if (wrong === 0) continue;
        const q = new ChunkQueue();
        q.push(lengthAndId(wrong, id));
        assert.throws(() => new MessageFramer(q).next(), code('WIRE_MALFORMED'), `id ${id} length ${wrong}`);
        assert.throws(
          () => parseFrame(Buffer.concat([Buffer.from([id]), Buffer.alloc(wrong - 1)])),
          code('WIRE_MALFORMED'),
        );
      }
    }
  });

  it('rejects a piece shorter than its header and an extended message without an id', () => {
    for (const [length, id] of [
      [8, MessageId.piece],
      [1, MessageId.extended],
    ] as const) {
      const q = new ChunkQueue();
      q.push(lengthAndId(length, id));
      assert.throws(() => new MessageFramer(q).next(), code('WIRE_MALFORMED'));
    }
  });

  it('refuses an oversized piece, bitfield or unknown message from its header alone', () => {
    const cases: [number, number, object][] = [
      [9 + 16384 + 1, MessageId.piece, {}],
      [9 + 32768 + 1, MessageId.piece, { maxBlockLength: 32768 }],
      [1 + 1024 + 1, MessageId.bitfield, { maxMessageLength: 1025 }],
      [3 * 1024 * 1024, MessageId.extended, {}],
      [3 * 1024 * 1024, 0x77, {}],
      [0xffffffff, MessageId.bitfield, {}],
    ];
    for (const [length, id, limits] of cases) {
      const q = new ChunkQueue();
      q.push(lengthAndId(length, id));
      assert.throws(
        () => new MessageFramer(q, limits).next(),
        code('WIRE_OVERSIZE'),
        `id ${id} of ${length}`,
      );
    }
    const huge = new ChunkQueue();
    huge.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.throws(() => new MessageFramer(huge).next(), code('WIRE_OVERSIZE'), 'even before the id arrives');
  });

  it('accepts messages right at the limits', () => {
    const block = Buffer.alloc(16384);
    const [piece] = frameAll(encodeMessage({ type: 'piece', index: 0, begin: 0, block }), 1000);
    assert.equal(piece?.type, 'piece');
    const bitfield = Buffer.alloc(1024);
    const [bf] = frameAll(encodeMessage({ type: 'bitfield', bitfield }), 100, { maxMessageLength: 1025 });
    assert.equal(bf?.type, 'bitfield');
  });
});
