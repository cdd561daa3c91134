import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import {
  encodeMetadataMessage,
  MetadataAssembler,
  metadataPiece,
  metadataPieceCount,
  parseMetadataMessage,
  verifyMetadata,
} from './metadata.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

describe('ut_metadata messages', () => {
  it('encodes request, data and reject as BEP 9 writes them', () => {
    assert.equal(
      encodeMetadataMessage({ kind: 'request', piece: 0 }).toString(),
      'd8:msg_typei0e5:piecei0ee',
    );
    assert.equal(encodeMetadataMessage({ kind: 'reject', piece: 2 }).toString(), 'd8:msg_typei2e5:piecei2ee');
    const data = encodeMetadataMessage({
      kind: 'data',
      piece: 1,
      totalSize: 20000,
      data: Buffer.from('xyz'),
    });
    assert.equal(data.toString('latin1'), 'd8:msg_typei1e5:piecei1e10:total_sizei20000eexyz');
  });

  it('parses data as the dictionary followed by the raw piece bytes', () => {
    const raw = randomBytes(16384);
    raw[0] = 0x64; // 'd': raw bytes that look like bencode must not confuse the parser
    const message = parseMetadataMessage(
      encodeMetadataMessage({ kind: 'data', piece: 0, totalSize: 40000, data: raw }),
    );
    assert.equal(message.kind, 'data');
    assert.ok(message.kind === 'data');
    assert.equal(message.totalSize, 40000);
    assert.deepEqual(Buffer.from(message.data), raw);
    assert.deepEqual(parseMetadataMessage(Buffer.from('d8:msg_typei0e5:piecei3ee')), {
      kind: 'request',
      piece: 3,
    });
    assert.deepEqual(parseMetadataMessage(Buffer.from('d8:msg_typei2e5:piecei1ee')), {
      kind: 'reject',
      piece: 1,
    });
  });

  it('reports an unknown msg_type so it can be ignored', () => {
    assert.deepEqual(parseMetadataMessage(Buffer.from('d8:msg_typei9e5:piecei0ee')), {
      kind: 'unknown',
      msgType: 9,
      piece: 0,
    });
  });

  it('rejects malformed messages', () => {
    const bad = [
      Buffer.from('d8:msg_typei1e'),
      Buffer.from('i1e'),
      encode({ msg_type: 0 }),
      encode({ msg_type: 0, piece: -1 }),
      Buffer.concat([encode({ msg_type: 0, piece: 0 }), Buffer.from('junk')]),
      encode({ msg_type: 1, piece: 0 }),
      Buffer.concat([encode({ msg_type: 1, piece: 2, total_size: 32768 }), Buffer.alloc(10)]),
      Buffer.concat([encode({ msg_type: 1, piece: 0, total_size: 40000 }), Buffer.alloc(16385)]),
      encode({ msg_type: 1, piece: 0, total_size: 64 * 1024 * 1024 }),
    ];
    for (const payload of bad) assert.throws(() => parseMetadataMessage(payload), code('WIRE_MALFORMED'));
  });
});

describe('metadata assembly', () => {
  const metadata = randomBytes(2 * 16384 + 123);

  it('cuts metadata into 16 KiB pieces with a short last one', () => {
    assert.equal(metadataPieceCount(metadata.length), 3);
    assert.equal(metadataPiece(metadata, 0).byteLength, 16384);
    assert.equal(metadataPiece(metadata, 2).byteLength, 123);
    assert.throws(() => metadataPiece(metadata, 3), code('WIRE_PROTOCOL'));
  });

  it('assembles pieces in any order and verifies them against a v1 or v2 info hash', () => {
    for (const infoHash of [sha1(metadata), sha256(metadata)]) {
      const assembler = new MetadataAssembler(infoHash, metadata.length);
      assert.deepEqual(assembler.missing(), [0, 1, 2]);
      assert.equal(assembler.add(2, metadataPiece(metadata, 2)), false);
      assert.equal(assembler.add(0, metadataPiece(metadata, 0)), false);
      assert.deepEqual(assembler.missing(), [1]);
      assert.equal(assembler.add(1, metadataPiece(metadata, 1)), true);
      assert.deepEqual(assembler.finish(), metadata);
    }
    assert.equal(verifyMetadata(metadata, sha1(metadata)), true);
    assert.equal(verifyMetadata(metadata, Buffer.alloc(20)), false);
  });

  it('rejects pieces of the wrong size and forgets everything when the hash does not match', () => {
    const assembler = new MetadataAssembler(sha1(metadata), metadata.length);
    assert.throws(() => assembler.add(2, Buffer.alloc(124)), code('WIRE_METADATA'));
    assert.throws(() => assembler.add(3, Buffer.alloc(10)), code('WIRE_METADATA'));
    assert.throws(() => assembler.finish(), code('WIRE_METADATA'));
    const forged = Buffer.from(metadata);
    forged[100] = forged[100]! ^ 1;
    for (let i = 0; i < 3; i++) assembler.add(i, metadataPiece(forged, i));
    assert.throws(() => assembler.finish(), /does not hash/);
    assert.deepEqual(assembler.missing(), [0, 1, 2]);
    assert.throws(() => new MetadataAssembler(sha1(metadata), 0), code('WIRE_METADATA'));
  });
});
