/**
 * Input mutations in the manner of libFuzzer's: bit and byte changes, inserts and erasures, copies
 * within the input, a short piece repeated up to thousands of times (deep nesting, long runs),
 * "interesting" integers (binary, both byte orders), ASCII numbers rewritten (lengths and counts in
 * bencode, HTTP and XML are text), dictionary tokens, and splicing with another corpus entry. `mutate` stacks one to five of them and never exceeds `maxLen`.
 */

/** A small, fast, seedable PRNG (mulberry32: period 2^32, good enough to pick mutations). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** 0 <= n < max */
  below(max: number): number {
    return max <= 1 ? 0 : this.next() % max;
  }
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
}

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x40, 0x10];
const INTERESTING_32 = [
  0,
  1,
  2,
  0x7f,
  0x80,
  0xff,
  0x100,
  0x3fff,
  0x4000,
  0x7fff,
  0x8000,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  16384,
  16385,
  65535,
  1 << 20,
];
const ASCII_NUMBERS = [
  '0',
  '1',
  '-1',
  '-0',
  '00',
  '01',
  '9',
  '10',
  '255',
  '256',
  '16384',
  '65535',
  '65536',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '18446744073709551615',
  '99999999999999999999999',
  '1e3',
  '0x10',
  '',
];

export interface MutationSource {
  dictionary: readonly Buffer[];
  /** Another corpus entry, for splicing (undefined when the corpus has only one). */
  other(): Buffer | undefined;
  maxLen: number;
}

type Mutation = (d: Buffer, rng: Rng, src: MutationSource) => Buffer;

const ins = (d: Buffer, at: number, what: Buffer) => Buffer.concat([d.subarray(0, at), what, d.subarray(at)]);
const over = (d: Buffer, at: number, what: Buffer) => {
  const out = Buffer.from(d);
  what.copy(out, at, 0, Math.min(what.length, out.length - at));
  return out;
};
const randomBytes = (rng: Rng, n: number) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = rng.below(256);
  return b;
};

const MUTATIONS: Mutation[] = [
  // flip one bit
  (d, rng) => {
    if (d.length === 0) return randomBytes(rng, 1);
    const out = Buffer.from(d);
    const i = rng.below(out.length);
    out[i] = out[i]! ^ (1 << rng.below(8));
    return out;
  },
  // set a byte to a random or interesting value
  (d, rng) => {
    if (d.length === 0) return randomBytes(rng, 1);
    const out = Buffer.from(d);
    out[rng.below(out.length)] = rng.chance(0.5)
      ? rng.below(256)
      : INTERESTING_8[rng.below(INTERESTING_8.length)]!;
    return out;
  },
  // add or subtract a little from a byte
  (d, rng) => {
    if (d.length === 0) return randomBytes(rng, 1);
    const out = Buffer.from(d);
    const i = rng.below(out.length);
    out[i] = (out[i]! + rng.below(35) - 17) & 0xff;
    return out;
  },
  // insert random bytes (or one repeated byte)
  (d, rng) => {
    const n = 1 + rng.below(rng.chance(0.2) ? 128 : 8);
    const what = rng.chance(0.5)
      ? randomBytes(rng, n)
      : Buffer.alloc(n, d.length ? d[rng.below(d.length)]! : 0);
    return ins(d, rng.below(d.length + 1), what);
  },
  // erase a range
  (d, rng) => {
    if (d.length < 2) return d;
    const at = rng.below(d.length);
    const n = 1 + rng.below(Math.min(d.length - at, rng.chance(0.8) ? 8 : d.length));
    return Buffer.concat([d.subarray(0, at), d.subarray(at + n)]);
  },
  // copy a range of the input elsewhere (insert or overwrite)
  (d, rng) => {
    if (d.length < 2) return d;
    const from = rng.below(d.length);
    const n = 1 + rng.below(Math.min(d.length - from, 64));
    const part = Buffer.from(d.subarray(from, from + n));
    return rng.chance(0.5) ? ins(d, rng.below(d.length + 1), part) : over(d, rng.below(d.length), part);
  },
  // an interesting 16- or 32-bit integer, either byte order
  (d, rng) => {
    const v = INTERESTING_32[rng.below(INTERESTING_32.length)]!;
    const size = rng.chance(0.5) ? 2 : 4;
    const b = Buffer.alloc(size);
    if (size === 2) rng.chance(0.5) ? b.writeUInt16BE(v & 0xffff) : b.writeUInt16LE(v & 0xffff);
    else rng.chance(0.5) ? b.writeUInt32BE(v >>> 0) : b.writeUInt32LE(v >>> 0);
    if (d.length < size) return ins(d, 0, b);
    return over(d, rng.below(d.length - size + 1), b);
  },
  // rewrite an ASCII number found in the input
  (d, rng) => {
    const starts: number[] = [];
    for (let i = 0; i < d.length; i++) {
      const c = d[i]!;
      if (c >= 0x30 && c <= 0x39 && (i === 0 || d[i - 1]! < 0x30 || d[i - 1]! > 0x39)) starts.push(i);
    }
    if (starts.length === 0) return ins(d, rng.below(d.length + 1), Buffer.from(String(rng.below(100000))));
    const s = starts[rng.below(starts.length)]!;
    let e = s;
    while (e < d.length && d[e]! >= 0x30 && d[e]! <= 0x39) e++;
    const n = Number(d.subarray(s, e).toString('latin1'));
    const choices = [
      String(n + 1),
      String(Math.max(0, n - 1)),
      String(n * 2),
      String(rng.next()),
      ASCII_NUMBERS[rng.below(ASCII_NUMBERS.length)]!,
    ];
    const rep = Buffer.from(choices[rng.below(choices.length)]!, 'latin1');
    return Buffer.concat([d.subarray(0, s), rep, d.subarray(e)]);
  },
  // insert or overwrite with a dictionary token
  (d, rng, src) => {
    if (src.dictionary.length === 0) return d;
    const t = src.dictionary[rng.below(src.dictionary.length)]!;
    return rng.chance(0.6) || d.length < t.length
      ? ins(d, rng.below(d.length + 1), t)
      : over(d, rng.below(d.length - t.length + 1), t);
  },
  // repeat a short piece many times (deep nesting, long runs: where superlinear costs hide)
  (d, rng, src) => {
    if (d.length === 0) return d;
    const from = rng.below(d.length);
    const n = 1 + rng.below(Math.min(d.length - from, 16));
    const room = Math.floor((src.maxLen - d.length) / n);
    if (room < 2) return d;
    const times = Math.min(room, 2 ** (1 + rng.below(14)));
    const part = d.subarray(from, from + n);
    return ins(d, from, Buffer.concat(Array.from({ length: times }, () => part)));
  },
  // splice with another corpus entry
  (d, rng, src) => {
    const o = src.other();
    if (!o || o.length === 0) return d;
    const a = rng.below(d.length + 1);
    const b = rng.below(o.length);
    return rng.chance(0.5)
      ? Buffer.concat([d.subarray(0, a), o.subarray(b)])
      : ins(d, a, o.subarray(b, b + 1 + rng.below(Math.min(o.length - b, 128))));
  },
  // shuffle a few bytes
  (d, rng) => {
    if (d.length < 2) return d;
    const out = Buffer.from(d);
    const at = rng.below(out.length - 1);
    const n = Math.min(2 + rng.below(7), out.length - at);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      const t = out[at + i]!;
      out[at + i] = out[at + j]!;
      out[at + j] = t;
    }
    return out;
  },
];

export function mutate(input: Buffer, rng: Rng, src: MutationSource): Buffer {
  let d = input;
  const rounds = 1 + rng.below(5);
  for (let i = 0; i < rounds; i++) d = MUTATIONS[rng.below(MUTATIONS.length)]!(d, rng, src);
  return d.length > src.maxLen ? d.subarray(0, src.maxLen) : d;
}
