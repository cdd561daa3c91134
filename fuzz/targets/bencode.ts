/**
 * The bencode decoder (BEP 3), strict and lenient. Contract: a value or a SeedcastError. Properties:
 * the strict decoder accepts only canonical input, so re-encoding what it returns gives back the same
 * bytes; `decodePrefix` agrees with `decode` on where the value ends; spans point at the values they
 * name; the lenient decoder (libtorrent's grammar, for .torrent files) accepts everything the strict
 * one does (but integers over libtorrent's 20 digits), with the same value and no soft error. Seeds include the wild-torrent corpus (issue 21).
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
    let loose: ReturnType<typeof decodeWithSpans> | undefined;
    let looseRefusal: unknown;
    try {
      loose = decodeWithSpans(data, { ...small, lenient: true });
      for (const [, span] of loose.spans) {
        assert.ok(
          span.start >= 0 && span.start < span.end && span.end <= data.length,
          'lenient span out of range',
        );
      }
    } catch (err) {
      if (!(err instanceof Error) || !('code' in err)) throw err;
      looseRefusal = err;
    }
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
    if (loose) {
      assert.deepEqual(loose.value, value, 'lenient and strict decoders disagree');
      assert.equal(loose.nonCanonical.size, 0, 'a soft error in canonical input');
    } else {
      // Only libtorrent's tighter digit limits (20 in an integer) may refuse canonical input.
      const code = (looseRefusal as { code?: string }).code;
      assert.equal(code, 'BENCODE_LIMIT', 'the lenient decoder refuses canonical input');
    }
    const doc = decodeWithSpans(data, small);
    for (const [, span] of doc.spans) {
      assert.ok(span.start >= 0 && span.start < span.end && span.end <= data.length, 'span out of range');
      decode(data.subarray(span.start, span.end), small);
    }
  },
};
