/**
 * Bencode decoder (BEP 3): strict (canonical form only) by default, or lenient as libtorrent's bdecode.
 *
 * Grammar, byte by byte:
 *   integer  `i` [`-`] digits `e`      no leading zeros, no `-0`, no empty digits
 *   string   digits `:` bytes           length without leading zeros
 *   list     `l` value* `e`
 *   dict     `d` (string value)* `e`    keys strictly ascending by raw bytes (so no duplicates)
 *
 * Anything else is a `SeedcastError` that names the problem and its byte offset. With `lenient: true`
 * (what `.torrent` files get, issue 21) the decoder reads what libtorrent's bdecode reads: keys out of
 * order and duplicate keys (the first one wins, as libtorrent's `dict_find`), leading zeros in integers
 * and string lengths, `-0`, and bytes after the top-level value. It still reports, per top-level
 * value, the first of those "soft errors" (libtorrent's `has_soft_error`: a v2 `info` must have none).
 * The decoder enforces
 * limits on input size, string length, nesting depth and number of values, so hostile input costs
 * bounded memory and time. Byte strings are returned as views into the input (no copy); with
 * `decodeWithSpans` the exact byte span of each top-level dictionary value is reported, which is how
 * the info hash is computed over the original `info` bytes.
 */

import { SeedcastError } from '../errors.js';
import type { BDict, BValue } from './types.js';

export interface DecodeOptions {
  /** Largest input accepted, in bytes (default 64 MiB). */
  maxSize?: number;
  /** Longest byte string accepted (default: maxSize). */
  maxStringLength?: number;
  /** Deepest nesting of lists and dictionaries (default 64). */
  maxDepth?: number;
  /** Most values in the whole document (default 4,000,000). */
  maxValues?: number;
  /**
   * Read non-canonical bencode as libtorrent does (default false: the wire, KRPC, trackers stay strict).
   * Keys out of order or repeated (first wins), leading zeros, and trailing bytes are accepted.
   */
  lenient?: boolean;
}

export interface Span {
  start: number;
  end: number;
}

export interface DecodedDocument {
  value: BValue;
  /** For a top-level dictionary: the byte span of each of its values, by key. */
  spans: Map<string, Span>;
  /**
   * Lenient mode: for a top-level dictionary value that is not canonical bencode, by key, the first
   * reason (libtorrent's soft errors: leading zero, unsorted or duplicate key). Empty in strict mode.
   */
  nonCanonical: Map<string, string>;
}

const DEFAULT_MAX_SIZE = 64 * 1024 * 1024;
const MAX_INT_DIGITS = 40;
const MAX_LENGTH_DIGITS = 12;
/** libtorrent's bdecode: an integer of more than 20 digits overflows, leading zeros included. */
const LENIENT_INT_DIGITS = 20;
/** libtorrent's bdecode: a string header (length digits and ":") of at most 17 bytes. */
const LENIENT_LENGTH_DIGITS = 16;

const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;
const CH_D = 0x64;
const CH_E = 0x65;
const CH_I = 0x69;
const CH_L = 0x6c;

/** Decode one complete bencoded value; trailing bytes are an error. */
export function decode(input: Uint8Array, options: DecodeOptions = {}): BValue {
  return new Decoder(input, options, false).run().value;
}

/** Decode and also report the byte span of each top-level dictionary value. */
export function decodeWithSpans(input: Uint8Array, options: DecodeOptions = {}): DecodedDocument {
  return new Decoder(input, options, true).run();
}

/**
 * Decode the one value at the start of `input` and say where it ends; the bytes after it are left to
 * the caller (BEP 9 metadata messages are a dictionary followed by raw bytes).
 */
export function decodePrefix(input: Uint8Array, options: DecodeOptions = {}): { value: BValue; end: number } {
  return new Decoder(input, options, false).runPrefix();
}

class Decoder {
  private readonly buf: Buffer;
  private pos = 0;
  private values = 0;
  private readonly maxStringLength: number;
  private readonly maxDepth: number;
  private readonly maxValues: number;
  private readonly spans = new Map<string, Span>();
  private readonly nonCanonical = new Map<string, string>();
  private readonly lenient: boolean;
  /** Lenient mode: the first soft error seen since it was last cleared. */
  private soft: string | undefined;

  constructor(
    input: Uint8Array,
    options: DecodeOptions,
    private readonly wantSpans: boolean,
  ) {
    const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
    if (input.byteLength > maxSize) {
      throw new SeedcastError('BENCODE_LIMIT', `input is ${input.byteLength} bytes, the limit is ${maxSize}`);
    }
    this.buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.maxStringLength = options.maxStringLength ?? maxSize;
    this.maxDepth = options.maxDepth ?? 64;
    this.maxValues = options.maxValues ?? 4_000_000;
    this.lenient = options.lenient ?? false;
  }

  /** A departure from canonical form: an error in strict mode, remembered in lenient mode. */
  private nonCanonicalAt(what: string, at: number): void {
    if (!this.lenient) throw this.error('BENCODE_NON_CANONICAL', what, at);
    this.soft ??= `${what} at offset ${at}`;
  }

  run(): DecodedDocument {
    if (this.buf.length === 0) throw this.error('BENCODE_TRUNCATED', 'empty input');
    const value = this.value(0);
    if (this.pos !== this.buf.length && !this.lenient) {
      throw this.error('BENCODE_TRAILING', `${this.buf.length - this.pos} byte(s) after the value`);
    }
    return { value, spans: this.spans, nonCanonical: this.nonCanonical };
  }

  runPrefix(): { value: BValue; end: number } {
    if (this.buf.length === 0) throw this.error('BENCODE_TRUNCATED', 'empty input');
    const value = this.value(0);
    return { value, end: this.pos };
  }

  private error(
    code:
      | 'BENCODE_TRUNCATED'
      | 'BENCODE_SYNTAX'
      | 'BENCODE_NON_CANONICAL'
      | 'BENCODE_LIMIT'
      | 'BENCODE_TRAILING',
    what: string,
    at = this.pos,
  ): SeedcastError {
    return new SeedcastError(code, `${what} at offset ${at}`);
  }

  private value(depth: number): BValue {
    if (++this.values > this.maxValues)
      throw this.error('BENCODE_LIMIT', `more than ${this.maxValues} values`);
    const c = this.buf[this.pos];
    if (c === undefined) throw this.error('BENCODE_TRUNCATED', 'expected a value');
    if (c === CH_I) return this.integer();
    if (c >= CH_0 && c <= CH_9) return this.bytes();
    if (c === CH_L || c === CH_D) {
      if (depth >= this.maxDepth) throw this.error('BENCODE_LIMIT', `nesting deeper than ${this.maxDepth}`);
      return c === CH_L ? this.list(depth + 1) : this.dict(depth + 1);
    }
    throw this.error('BENCODE_SYNTAX', `unexpected byte 0x${c.toString(16).padStart(2, '0')}`);
  }

  private integer(): number | bigint {
    const start = this.pos;
    const buf = this.buf;
    let p = start + 1;
    let negative = false;
    if (buf[p] === CH_MINUS) {
      negative = true;
      p++;
    }
    const digitsStart = p;
    let n = 0;
    while (p < buf.length) {
      const c = buf[p]!;
      if (c < CH_0 || c > CH_9) break;
      n = n * 10 + (c - CH_0);
      p++;
    }
    if (p >= buf.length) throw this.error('BENCODE_TRUNCATED', 'unterminated integer', start);
    if (buf[p] !== CH_E) throw this.error('BENCODE_SYNTAX', 'integer contains a non-digit', p);
    const digits = p - digitsStart;
    if (digits === 0) throw this.error('BENCODE_SYNTAX', 'integer has no digits', start);
    const maxDigits = this.lenient ? LENIENT_INT_DIGITS : MAX_INT_DIGITS;
    if (digits > maxDigits)
      throw this.error('BENCODE_LIMIT', `integer longer than ${maxDigits} digits`, start);
    if (buf[digitsStart] === CH_0 && (digits > 1 || negative)) {
      // libtorrent's bdecode reads both; its soft-error check only looks at unsigned integers.
      if (!this.lenient) {
        throw this.error(
          'BENCODE_NON_CANONICAL',
          negative ? 'negative zero' : 'integer with a leading zero',
          start,
        );
      }
      if (!negative) this.nonCanonicalAt('integer with a leading zero', start);
    }
    this.pos = p + 1;
    if (digits <= 15) return negative && n !== 0 ? -n : n;
    const big = BigInt(buf.toString('latin1', digitsStart, p));
    const signed = negative ? -big : big;
    return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(signed)
      : signed;
  }

  private bytesSpan(): Span {
    const start = this.pos;
    const buf = this.buf;
    let p = start;
    let len = 0;
    while (p < buf.length) {
      const c = buf[p]!;
      if (c < CH_0 || c > CH_9) break;
      len = len * 10 + (c - CH_0);
      p++;
      if (p - start > (this.lenient ? LENIENT_LENGTH_DIGITS : MAX_LENGTH_DIGITS))
        throw this.error('BENCODE_LIMIT', 'string length has too many digits', start);
    }
    if (p >= buf.length) throw this.error('BENCODE_TRUNCATED', 'unterminated string length', start);
    if (buf[p] !== CH_COLON) throw this.error('BENCODE_SYNTAX', 'expected ":" after string length', p);
    if (buf[start] === CH_0 && p - start > 1) this.nonCanonicalAt('string length with a leading zero', start);
    if (len > this.maxStringLength) {
      throw this.error(
        'BENCODE_LIMIT',
        `string of ${len} bytes exceeds the limit of ${this.maxStringLength}`,
        start,
      );
    }
    const dataStart = p + 1;
    if (dataStart + len > buf.length) {
      throw this.error('BENCODE_TRUNCATED', `string of ${len} bytes runs past the end`, start);
    }
    this.pos = dataStart + len;
    return { start: dataStart, end: dataStart + len };
  }

  private bytes(): Uint8Array {
    const { start, end } = this.bytesSpan();
    return this.buf.subarray(start, end);
  }

  private list(depth: number): BValue[] {
    const out: BValue[] = [];
    this.pos++;
    for (;;) {
      const c = this.buf[this.pos];
      if (c === undefined) throw this.error('BENCODE_TRUNCATED', 'unterminated list');
      if (c === CH_E) {
        this.pos++;
        return out;
      }
      out.push(this.value(depth));
    }
  }

  private dict(depth: number): BDict {
    const out: BDict = new Map();
    const topLevel = depth === 1 && this.wantSpans;
    this.pos++;
    let prev: Span | undefined;
    for (;;) {
      const c = this.buf[this.pos];
      if (c === undefined) throw this.error('BENCODE_TRUNCATED', 'unterminated dictionary');
      if (c === CH_E) {
        this.pos++;
        return out;
      }
      if (c < CH_0 || c > CH_9) throw this.error('BENCODE_SYNTAX', 'dictionary key is not a string');
      const keyAt = this.pos;
      const key = this.bytesSpan();
      if (prev) {
        const order = compareRanges(this.buf, key, prev);
        if (order === 0) this.nonCanonicalAt('duplicate dictionary key', keyAt);
        else if (order < 0) this.nonCanonicalAt('dictionary keys out of order', keyAt);
      }
      prev = key;
      const name = keyString(this.buf, key);
      const valueStart = this.pos;
      if (topLevel) this.soft = undefined;
      const value = this.value(depth);
      // A repeated key (lenient mode only): the first value stays, as libtorrent's dict_find finds it.
      if (out.has(name)) continue;
      out.set(name, value);
      if (topLevel) {
        this.spans.set(name, { start: valueStart, end: this.pos });
        if (this.soft !== undefined) this.nonCanonical.set(name, this.soft);
      }
    }
  }
}

/** Byte order of two ranges of `buf` (as Buffer.compare: 1 when `a` sorts after `b`), by hand for short keys. */
function compareRanges(buf: Buffer, a: Span, b: Span): number {
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la > 64 || lb > 64) return buf.compare(buf, b.start, b.end, a.start, a.end);
  const n = Math.min(la, lb);
  for (let i = 0; i < n; i++) {
    const d = buf[a.start + i]! - buf[b.start + i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

/** A dictionary key as a binary string (one character per byte); short keys without a native call. */
function keyString(buf: Buffer, key: Span): string {
  const len = key.end - key.start;
  if (len > 32) return buf.toString('latin1', key.start, key.end);
  let s = '';
  for (let i = key.start; i < key.end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}
