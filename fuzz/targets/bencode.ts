/**
 * The bencode decoder (BEP 3, canonical form). Contract: a value or a SeedcastError. Property: the
 * decoder accepts only canonical input, so re-encoding what it returns gives back the same bytes;
 * `decodePrefix` agrees with `decode` on where the value ends; spans point at the values they name.
 */

import assert from 'node:assert/strict';
import { decode, decodePrefix, decodeWithSpans, encode } from '../../src/bencode/index.js';
import type { FuzzTarget } from '../engine/target.js';

export const target: FuzzTarget = {
  description: 'bencode decode/decodePrefix/decodeWithSpans, round trip through encode',
  cover: ['/src/bencode/'],
  dictionary: ['d', 'e', 'l', 'i', ':', '0:', '1:a', 'i0e', 'i-1e', 'de', 'le', '4:info', '6:pieces', '12:'],
  make: () => (data) => {
    const small = { maxDepth: 32, maxValues: 10_000 };
    let value: ReturnType<typeof decode> | undefined;
    let refused: unknown;
    try {
      value = decode(data, small);
    } catch (err) {
      refused = err;
    }
    // decodePrefix must agree: where decode succeeds, the prefix is the whole input.
    let prefix: ReturnType<typeof decodePrefix> | undefined;
    try {
      prefix = decodePrefix(data, small);
    } catch (err) {
      if (refused === undefined) throw err;
    }
    if (refused !== undefined) {
      if (prefix) assert.ok(prefix.end < data.length, 'decodePrefix accepts what decode refused as a whole');
      throw refused;
    }
    assert.equal(prefix?.end, data.length, 'decodePrefix stops early');
    assert.ok(Buffer.from(encode(value!)).equals(data), 'encode(decode(x)) differs from x');
    const doc = decodeWithSpans(data, small);
    for (const [, span] of doc.spans) {
      assert.ok(span.start >= 0 && span.start < span.end && span.end <= data.length, 'span out of range');
      decode(data.subarray(span.start, span.end), small);
    }
  },
};
