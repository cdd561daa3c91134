import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { encodeExtendedHandshake } from './extended.js';
import { encodeMetadataMessage } from './metadata.js';
import { decodeExtended, LOCAL_EXTENSIONS } from './peer-message.js';
import { encodePex } from './pex.js';

describe('extended message decoding', () => {
  it('decodes the extended handshake (id 0) and our own extensions under their local ids', () => {
    const hs = decodeExtended(0, encodeExtendedHandshake({ m: new Map([['ut_metadata', 7]]) }));
    assert.ok(hs.type === 'extendedHandshake');
    assert.equal(hs.handshake.m.get('ut_metadata'), 7);
    const md = decodeExtended(
      LOCAL_EXTENSIONS.get('ut_metadata')!,
      encodeMetadataMessage({ kind: 'request', piece: 2 }),
    );
    assert.deepEqual(md, { type: 'metadata', message: { kind: 'request', piece: 2 } });
    const pex = decodeExtended(
      LOCAL_EXTENSIONS.get('ut_pex')!,
      encodePex({ dropped: [{ host: '1.1.1.1', port: 1 }] }),
    );
    assert.deepEqual(pex, { type: 'pex', pex: { added: [], dropped: [{ host: '1.1.1.1', port: 1 }] } });
  });

  it('leaves ids we did not announce undecoded', () => {
    const m = decodeExtended(99, Buffer.from('anything'));
    assert.ok(m.type === 'extended');
    assert.equal(m.id, 99);
  });

  it('passes the metadata size limit on to the decoders', () => {
    const payload = encodeExtendedHandshake({ metadataSize: 5000 });
    assert.throws(
      () => decodeExtended(0, payload, { maxMetadataSize: 4000 }),
      (e: unknown) => isSeedcastError(e, 'WIRE_MALFORMED'),
    );
  });
});
