import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, decodePrefix, encode } from './index.js';
import type { BValue } from './types.js';

/** Any bencodable value: integers of any size, byte strings, lists, dictionaries with binary keys. */
const value = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.uint8Array({ maxLength: 8 }), tie('v')), { maxLength: 5 })
      .map((entries) => new Map(entries.map(([k, v]) => [Buffer.from(k).toString('latin1'), v]))),
  ),
})).v;

test('encode then decode gives back the same bytes, and decodePrefix ends where the value ends', () => {
  fc.assert(
    fc.property(value, fc.uint8Array({ maxLength: 8 }), (v, tail) => {
      const bytes = Buffer.from(encode(v));
      assert.ok(Buffer.from(encode(decode(bytes))).equals(bytes));
      const withTail = Buffer.concat([bytes, tail]);
      assert.equal(decodePrefix(withTail).end, bytes.length);
    }),
    { numRuns: 500 },
  );
});
