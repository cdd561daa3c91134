import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isSeedcastError } from '../errors.js';
import { decode, decodePrefix, decodeWithSpans, encode, keyToText, textKey } from './index.js';

const b = (s: string) => Buffer.from(s, 'latin1');

function rejects(input: string | Buffer, code: string, pattern?: RegExp, options = {}) {
  const bytes = typeof input === 'string' ? b(input) : input;
  assert.throws(
    () => decode(bytes, options),
    (err: unknown) => {
      assert.ok(isSeedcastError(err), `expected a SeedcastError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('bencode decode', () => {
  it('decodes integers, strings, lists and dictionaries', () => {
    assert.equal(decode(b('i42e')), 42);
    assert.equal(decode(b('i-7e')), -7);
    assert.equal(decode(b('i0e')), 0);
    assert.deepEqual(decode(b('4:spam')), b('spam'));
    assert.deepEqual(decode(b('0:')), b(''));
    assert.deepEqual(decode(b('l4:spami1ee')), [b('spam'), 1]);
    const d = decode(b('d3:cow3:moo4:spaml1:a1:bee'));
    assert.ok(d instanceof Map);
    assert.deepEqual(d.get('cow'), b('moo'));
    assert.deepEqual(d.get('spam'), [b('a'), b('b')]);
  });

  it('keeps byte strings as bytes, never text', () => {
    const raw = Buffer.from([0x03, 0xff, 0x00, 0x80]);
    const v = decode(Buffer.concat([b('4:'), raw]));
    assert.ok(v instanceof Uint8Array);
    assert.deepEqual(Buffer.from(v), raw);
  });

  it('returns bigint for integers beyond 2^53 and number otherwise', () => {
    assert.equal(decode(b('i9007199254740991e')), Number.MAX_SAFE_INTEGER);
    assert.equal(decode(b('i9007199254740993e')), 9007199254740993n);
    assert.equal(decode(b('i-9223372036854775808e')), -9223372036854775808n);
  });

  it('keeps binary dictionary keys exact and in byte order', () => {
    const key = textKey('naïve');
    const input = Buffer.concat([
      b('d'),
      b(`${Buffer.byteLength('naïve')}:`),
      Buffer.from('naïve'),
      b('i1ee'),
    ]);
    const d = decode(input) as Map<string, number>;
    assert.equal(d.get(key), 1);
    assert.equal(keyToText([...d.keys()][0]!), 'naïve');
    assert.deepEqual(encode(d), input);
  });

  it('reports the exact span of top-level values', () => {
    const input = b('d4:infod4:name1:xe3:zzzi1ee');
    const { spans } = decodeWithSpans(input);
    const span = spans.get('info')!;
    assert.equal(input.toString('latin1', span.start, span.end), 'd4:name1:xe');
  });

  describe('rejects malformed input with a typed error and its offset', () => {
    it('truncated input', () => {
      rejects('', 'BENCODE_TRUNCATED');
      rejects('i12', 'BENCODE_TRUNCATED', /offset 0/);
      rejects('5:abc', 'BENCODE_TRUNCATED', /runs past the end/);
      rejects('l4:spam', 'BENCODE_TRUNCATED', /unterminated list/);
      rejects('d3:cow3:moo', 'BENCODE_TRUNCATED', /unterminated dictionary/);
      rejects('d3:cow', 'BENCODE_TRUNCATED');
      rejects('12', 'BENCODE_TRUNCATED');
    });

    it('syntax errors', () => {
      rejects('x', 'BENCODE_SYNTAX', /unexpected byte 0x78 at offset 0/);
      rejects('ie', 'BENCODE_SYNTAX', /no digits/);
      rejects('i-e', 'BENCODE_SYNTAX', /no digits/);
      rejects('i1.5e', 'BENCODE_SYNTAX', /non-digit at offset 2/);
      rejects('i+1e', 'BENCODE_SYNTAX');
      rejects('3x', 'BENCODE_SYNTAX');
      rejects('di1ei2ee', 'BENCODE_SYNTAX', /key is not a string/);
      rejects('-3:abc', 'BENCODE_SYNTAX');
    });

    it('non-canonical forms', () => {
      rejects('i03e', 'BENCODE_NON_CANONICAL', /leading zero/);
      rejects('i-0e', 'BENCODE_NON_CANONICAL', /negative zero/);
      rejects('i-03e', 'BENCODE_NON_CANONICAL');
      rejects('04:spam', 'BENCODE_NON_CANONICAL', /leading zero/);
      rejects('d1:bi1e1:ai2ee', 'BENCODE_NON_CANONICAL', /out of order at offset 7/);
      rejects('d1:ai1e1:ai2ee', 'BENCODE_NON_CANONICAL', /duplicate/);
      rejects('d2:abi1e1:bi2e1:ai3ee', 'BENCODE_NON_CANONICAL');
    });

    it('trailing data', () => {
      rejects('i1ei2e', 'BENCODE_TRAILING', /offset 3/);
      rejects('4:spamx', 'BENCODE_TRAILING');
    });

    it('huge lengths and long numbers', () => {
      rejects('99999999999:x', 'BENCODE_LIMIT');
      rejects('9999999999999999:x', 'BENCODE_LIMIT', /too many digits/);
      rejects(`i${'9'.repeat(100)}e`, 'BENCODE_LIMIT');
      rejects('20:short', 'BENCODE_LIMIT', /exceeds the limit of 10/, { maxStringLength: 10 });
      rejects(Buffer.alloc(100, 0x30), 'BENCODE_LIMIT', /limit is 50/, { maxSize: 50 });
    });

    it('deep nesting', () => {
      rejects(`${'l'.repeat(100)}${'e'.repeat(100)}`, 'BENCODE_LIMIT', /deeper than 64/);
      rejects(`${'l'.repeat(1_000_000)}`, 'BENCODE_LIMIT');
      assert.deepEqual(decode(b(`${'l'.repeat(5)}${'e'.repeat(5)}`), { maxDepth: 5 }), [[[[[]]]]]);
      rejects(`${'l'.repeat(6)}${'e'.repeat(6)}`, 'BENCODE_LIMIT', undefined, { maxDepth: 5 });
    });

    it('too many values', () => {
      rejects(`l${'i1e'.repeat(20)}e`, 'BENCODE_LIMIT', /more than 10 values/, { maxValues: 10 });
    });
  });

  it('never throws anything but a SeedcastError on random input', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = b('ield0123456789:-x');
    for (let n = 0; n < 20_000; n++) {
      const len = rand() % 24;
      const buf = Buffer.alloc(len);
      for (let i = 0; i < len; i++) buf[i] = alphabet[rand() % alphabet.length]!;
      try {
        const v = decode(buf);
        assert.deepEqual(encode(v), buf, 'a value that decodes must re-encode to the same bytes');
      } catch (err) {
        assert.ok(isSeedcastError(err), `input ${buf.toString('latin1')} threw ${String(err)}`);
      }
    }
  });
});

describe('bencode decode, lenient (what libtorrent reads in a .torrent)', () => {
  const lenient = { lenient: true };
  it('reads keys out of order, repeated keys (the first wins), leading zeros, -0 and trailing bytes', () => {
    const v = decode(b('d1:bi1e1:ai2e1:bi3e3:leni007e4:zero3:abcee junk'), lenient) as Map<string, unknown>;
    assert.deepEqual([...v.keys()], ['b', 'a', 'len', 'zero']);
    assert.equal(v.get('b'), 1);
    assert.equal(v.get('len'), 7);
    assert.deepEqual(decode(b('003:abc'), lenient), b('abc'));
    assert.equal(decode(b('i-0e'), lenient), 0);
  });

  it('reports the first soft error inside each top-level value, as libtorrent has_soft_error', () => {
    const doc = decodeWithSpans(b('d1:ad1:bi1e1:ai2ee1:cd1:ai1ee1:dli01ee1:el003:abce1:fi-0ee'), lenient);
    assert.match(doc.nonCanonical.get('a')!, /keys out of order at offset 11/);
    assert.equal(doc.nonCanonical.has('c'), false);
    assert.match(doc.nonCanonical.get('d')!, /integer with a leading zero/);
    assert.match(doc.nonCanonical.get('e')!, /string length with a leading zero/);
    // libtorrent's check looks at the first digit after "i": a negative number never trips it.
    assert.equal(doc.nonCanonical.has('f'), false);
    // A repeated top-level key: the span and verdict of the first.
    const twice = decodeWithSpans(b('d4:infod1:ai1ee4:infod1:bi1e1:ai2eee'), lenient);
    assert.deepEqual(twice.spans.get('info'), { start: 7, end: 15 });
    assert.equal(twice.nonCanonical.has('info'), false);
  });

  it('still refuses what libtorrent refuses: truncation, non-string keys, bad digits, limits', () => {
    rejects('d1:ai1e', 'BENCODE_TRUNCATED', undefined, lenient);
    rejects('di1ei2ee', 'BENCODE_SYNTAX', undefined, lenient);
    rejects('i1x2e', 'BENCODE_SYNTAX', undefined, lenient);
    rejects('ie', 'BENCODE_SYNTAX', undefined, lenient);
    rejects('5:ab', 'BENCODE_TRUNCATED', undefined, lenient);
    // libtorrent's own limits: 20 digits in an integer, 16 in a string length (leading zeros count).
    assert.equal(decode(b(`i${'9'.repeat(20)}e`), lenient), 99999999999999999999n);
    rejects(`i${'0'.repeat(20)}5e`, 'BENCODE_LIMIT', /20 digits/, lenient);
    assert.deepEqual(decode(b(`${'0'.repeat(15)}2:ab`), lenient), b('ab'));
    rejects(`${'0'.repeat(16)}2:ab`, 'BENCODE_LIMIT', /too many digits/, lenient);
    rejects(`${'l'.repeat(10)}${'e'.repeat(10)}`, 'BENCODE_LIMIT', undefined, { ...lenient, maxDepth: 5 });
  });

  it('stays strict by default (the wire, KRPC and trackers)', () => {
    rejects('d1:bi1e1:ai2ee', 'BENCODE_NON_CANONICAL', /out of order/);
    rejects('i1e ', 'BENCODE_TRAILING');
  });
});

describe('bencode encode', () => {
  it('writes canonical bytes with sorted keys', () => {
    assert.equal(
      encode({ zeta: 1, alpha: 'x', mid: [1, 'b'] }).toString(),
      'd5:alpha1:x3:midli1e1:be4:zetai1ee',
    );
    assert.equal(encode(-0).toString(), 'i0e');
    assert.equal(encode(12345678901234567890n).toString(), 'i12345678901234567890e');
    assert.equal(encode('é').toString('latin1'), '2:\xc3\xa9');
  });

  it('sorts keys by raw bytes, not by UTF-16 code units', () => {
    // U+FF5E is 0xEF 0xBD 0x9E in UTF-8; U+1F600 is 0xF0...: byte order puts U+FF5E first, UTF-16 order would not.
    const out = encode({ '\u{1F600}': 1, '\uFF5E': 2 });
    assert.ok(out.indexOf(Buffer.from('\uFF5E')) < out.indexOf(Buffer.from('\u{1F600}')));
  });

  it('skips undefined members and rejects what cannot be encoded', () => {
    assert.equal(encode({ a: 1, b: undefined }).toString(), 'd1:ai1ee');
    assert.throws(() => encode(1.5), /not a safe integer/);
    assert.throws(() => encode(null as never), /cannot encode null/);
    assert.throws(() => encode(true as never), /cannot encode boolean/);
  });

  it('round-trips a decoded document byte for byte', () => {
    const doc = b(
      'd8:announce3:url4:infod6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
    );
    const { value, spans } = decodeWithSpans(doc);
    assert.deepEqual(encode(value), doc);
    const span = spans.get('info')!;
    const hash = createHash('sha1').update(doc.subarray(span.start, span.end)).digest('hex');
    const again = createHash('sha1')
      .update(encode((value as Map<string, never>).get('info')!))
      .digest('hex');
    assert.equal(hash, again);
  });
});

describe('bencode decodePrefix', () => {
  it('decodes the leading value and reports where it ends, leaving trailing bytes alone', () => {
    const input = Buffer.concat([b('d8:msg_typei1e5:piecei0ee'), Buffer.from([0xff, 0x00, 0x64])]);
    const { value, end } = decodePrefix(input);
    assert.equal(end, input.length - 3);
    assert.ok(value instanceof Map);
    assert.equal(value.get('msg_type'), 1);
    assert.deepEqual(decodePrefix(b('i7e')), { value: 7, end: 3 });
  });

  it('still rejects a truncated or non-canonical leading value', () => {
    assert.throws(
      () => decodePrefix(b('d8:msg_typei1e')),
      (e: unknown) => isSeedcastError(e, 'BENCODE_TRUNCATED'),
    );
    assert.throws(
      () => decodePrefix(b('i01exx')),
      (e: unknown) => isSeedcastError(e, 'BENCODE_NON_CANONICAL'),
    );
    assert.throws(
      () => decodePrefix(b('')),
      (e: unknown) => isSeedcastError(e, 'BENCODE_TRUNCATED'),
    );
  });
});
