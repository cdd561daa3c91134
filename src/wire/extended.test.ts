import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../bencode/index.js';
import { isSeedcastError } from '../errors.js';
import { encodeExtendedHandshake, parseExtendedHandshake } from './extended.js';

const code = (c: string) => (e: unknown) => isSeedcastError(e) && e.code === c;

describe('extended handshake', () => {
  it('encodes a canonical dictionary with m, p, v, reqq, yourip and metadata_size', () => {
    const bytes = encodeExtendedHandshake({
      m: new Map([
        ['ut_metadata', 1],
        ['ut_pex', 2],
      ]),
      p: 6881,
      v: 'Seedcast 0.1',
      reqq: 250,
      yourip: Buffer.from([127, 0, 0, 1]),
      metadataSize: 31235,
    });
    assert.equal(
      bytes.toString('latin1'),
      'd1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei31235e1:pi6881e4:reqqi250e1:v12:Seedcast 0.16:yourip4:\x7f\x00\x00\x01e',
    );
    const parsed = parseExtendedHandshake(bytes);
    assert.deepEqual(
      [...parsed.m],
      [
        ['ut_metadata', 1],
        ['ut_pex', 2],
      ],
    );
    assert.equal(parsed.p, 6881);
    assert.equal(parsed.v, 'Seedcast 0.1');
    assert.equal(parsed.reqq, 250);
    assert.deepEqual([...parsed.yourip!], [127, 0, 0, 1]);
    assert.equal(parsed.metadataSize, 31235);
  });

  it('ignores unknown keys and known keys of the wrong type', () => {
    const parsed = parseExtendedHandshake(
      encode({
        m: { ut_metadata: 3 },
        p: 'x',
        v: 5,
        yourip: Buffer.alloc(5),
        e: 1,
        complete_ago: 7,
        upload_only: 1,
      }),
    );
    assert.deepEqual([...parsed.m], [['ut_metadata', 3]]);
    assert.equal(parsed.p, undefined);
    assert.equal(parsed.v, undefined);
    assert.equal(parsed.yourip, undefined);
    assert.equal(parsed.uploadOnly, true);
  });

  it('reads a handshake whose keys are out of order, as libtorrent does (other clients write them so)', () => {
    const hs = parseExtendedHandshake(Buffer.from('d1:v4:Test1:md6:ut_pexi2e11:ut_metadatai1ee1:pi6881ee'));
    assert.equal(hs.m.get('ut_metadata'), 1);
    assert.equal(hs.p, 6881);
  });

  it('keeps ids of 0, which disable an extension', () => {
    assert.equal(parseExtendedHandshake(encode({ m: { ut_pex: 0 } })).m.get('ut_pex'), 0);
  });

  it('rejects what is not a dictionary, a bad m, and a metadata_size out of range', () => {
    const bad = [
      Buffer.from('d1:m'),
      encode([1, 2]),
      encode({ m: [1] }),
      encode({ m: { ut_metadata: 256 } }),
      encode({ m: { ut_metadata: -1 } }),
      encode({ m: { ut_metadata: 'x' } }),
      encode({ m: {}, metadata_size: 0 }),
      encode({ m: {}, metadata_size: 33 * 1024 * 1024 }),
      encode({ m: {}, metadata_size: 'big' }),
    ];
    for (const payload of bad) {
      assert.throws(
        () => parseExtendedHandshake(payload),
        code('WIRE_MALFORMED'),
        payload.toString('latin1'),
      );
    }
    assert.throws(
      () => parseExtendedHandshake(encode({ metadata_size: 2000 }), { maxMetadataSize: 1000 }),
      code('WIRE_MALFORMED'),
    );
  });
});
