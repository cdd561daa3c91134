/**
 * The `Range` header parser for file downloads and web seeds (src/web/range.ts, RFC 9110 §14).
 * The first 6 bytes give the file size (up to 2^48), the rest is the header (Latin-1). Contract: a
 * RangeAnswer whose partial range lies inside the file, or a SeedcastError.
 */

import assert from 'node:assert/strict';
import { parseRange } from '../../src/web/range.js';
import type { FuzzTarget } from '../engine/target.js';

export const target: FuzzTarget = {
  description: 'HTTP Range header parser',
  cover: ['/src/web/range'],
  maxLen: 512,
  dictionary: [
    'bytes=',
    'bytes',
    '=',
    '-',
    ',',
    ' ',
    '0',
    '00',
    '9007199254740993',
    '99999999999999999999',
    'items=',
  ],
  make: () => (data) => {
    const size = data.length >= 6 ? data.readUIntBE(0, 6) % (data[0]! & 1 ? 1000 : 2 ** 48) : 0;
    const header = data.length > 6 ? data.subarray(6).toString('latin1') : undefined;
    const r = parseRange(header, size);
    assert.ok(['whole', 'partial', 'unsatisfiable'].includes(r.kind));
    if (r.kind === 'partial') {
      assert.ok(Number.isSafeInteger(r.offset) && r.offset >= 0, `offset ${r.offset}`);
      assert.ok(Number.isSafeInteger(r.length) && r.length >= 1, `length ${r.length}`);
      assert.ok(r.offset + r.length <= size, `range ${r.offset}+${r.length} past ${size}`);
    }
  },
};
