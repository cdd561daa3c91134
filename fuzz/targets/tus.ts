/**
 * The tus 1.0 header parsers of uploads (src/publishing/uploads.ts): `Upload-Metadata` (comma-separated
 * `key base64value` pairs) and `Upload-Checksum` (`<algorithm> <base64 digest>`). The input is one
 * header value as Node hands it over (Latin-1). Contract: a value of the right shape or a
 * SeedcastError. Property: metadata re-encoded the way the server echoes it parses back the same.
 */

import assert from 'node:assert/strict';
import {
  CHECKSUM_ALGORITHMS,
  parseUploadChecksum,
  parseUploadMetadata,
} from '../../src/publishing/uploads.js';
import type { FuzzTarget } from '../engine/target.js';

export const target: FuzzTarget = {
  description: 'tus Upload-Metadata and Upload-Checksum header parsers',
  cover: ['/src/publishing/uploads'],
  maxLen: 9000,
  dictionary: [
    'filename ',
    'filetype ',
    'name ',
    ',',
    ' ',
    '=',
    '==',
    'sha1 ',
    'sha256 ',
    'SHA1 ',
    'md5 ',
    '/+',
    '__proto__ ',
    'constructor ',
  ],
  make: () => (data) => {
    const text = data.subarray(1).toString('latin1');
    if ((data[0] ?? 0) & 1) {
      const c = parseUploadChecksum(text);
      if (c) {
        assert.ok(CHECKSUM_ALGORITHMS.includes(c.algorithm));
        assert.ok(Buffer.isBuffer(c.digest));
      }
      return;
    }
    const meta = parseUploadMetadata(text);
    assert.equal(Object.getPrototypeOf(meta), Object.prototype);
    for (const [k, v] of Object.entries(meta)) {
      assert.match(k, /^[\x21-\x2b\x2d-\x7e]+$/);
      assert.equal(typeof v, 'string');
    }
    const echoed = Object.entries(meta)
      .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
      .join(',');
    assert.deepEqual(parseUploadMetadata(echoed), meta, 'metadata does not survive an echo');
  },
};
