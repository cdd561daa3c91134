/**
 * A set of piece indices as the BEP 3 `bitfield` lays it out: byte 0's high bit is piece 0, spare
 * bits at the end are zero. Counts the set bits as it goes so "how many pieces" is O(1).
 */

export class Bitfield {
  readonly bytes: Uint8Array;
  private setCount = 0;

  constructor(
    readonly length: number,
    bytes?: Uint8Array,
  ) {
    this.bytes = new Uint8Array(Math.ceil(length / 8));
    if (bytes) {
      this.bytes.set(bytes.subarray(0, this.bytes.length));
      const spare = this.bytes.length * 8 - length;
      if (spare > 0) this.bytes[this.bytes.length - 1]! &= 0xff << spare;
      for (const b of this.bytes) this.setCount += popcount(b);
    }
  }

  static full(length: number): Bitfield {
    const b = new Bitfield(length);
    for (let i = 0; i < length; i++) b.set(i);
    return b;
  }

  has(index: number): boolean {
    return ((this.bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number): void {
    if (index < 0 || index >= this.length || this.has(index)) return;
    this.bytes[index >> 3]! |= 0x80 >> (index & 7);
    this.setCount++;
  }

  clear(index: number): void {
    if (!this.has(index)) return;
    this.bytes[index >> 3]! &= ~(0x80 >> (index & 7));
    this.setCount--;
  }

  get count(): number {
    return this.setCount;
  }

  get complete(): boolean {
    return this.setCount === this.length;
  }
}

function popcount(byte: number): number {
  let n = byte;
  let c = 0;
  while (n) {
    n &= n - 1;
    c++;
  }
  return c;
}
