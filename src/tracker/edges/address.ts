/**
 * IP addresses as the tracker keeps them: 4 raw bytes for IPv4, 16 for IPv6 (RFC 4291 text forms,
 * `::` compression, embedded dotted quads and zone ids accepted). IPv4-mapped IPv6 addresses
 * (`::ffff:a.b.c.d`, what a dual-stack socket reports for IPv4 peers) become 4 bytes, so a peer has
 * one identity whichever socket it came through.
 */

const cache = new Map<string, Buffer>();
const CACHE_MAX = 4096;

function parseV4(text: string, out: Buffer, off: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return false;
    const v = Number(p);
    if (v > 255) return false;
    out[off + i] = v;
  }
  return true;
}

function parseV6(text: string): Buffer | null {
  const pct = text.indexOf('%');
  const s = pct >= 0 ? text.slice(0, pct) : text;
  const out = Buffer.alloc(16);
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const all = [...head, ...tail];
  let v4Tail: Buffer | null = null;
  const last = all[all.length - 1];
  if (last?.includes('.')) {
    v4Tail = Buffer.alloc(4);
    if (!parseV4(last, v4Tail, 0)) return null;
    if (tail.length > 0) tail.pop();
    else head.pop();
  }
  for (const g of [...head, ...tail]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  const total = head.length + tail.length + (v4Tail ? 2 : 0);
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  for (const g of head) words.push(Number.parseInt(g, 16));
  for (let i = 0; i < 8 - total; i++) words.push(0);
  for (const g of tail) words.push(Number.parseInt(g, 16));
  for (let i = 0; i < 8; i++) out.writeUInt16BE(words[i]!, i * 2);
  if (v4Tail) v4Tail.copy(out, 12);
  return out;
}

/** The raw bytes of a textual IP address (4 or 16), or null when it is not one. */
export function ipBytes(text: string): Buffer | null {
  const hit = cache.get(text);
  if (hit) return hit;
  let out: Buffer | null;
  if (text.includes(':')) {
    out = parseV6(text);
    if (out && isV4Mapped(out)) out = Buffer.from(out.subarray(12));
  } else {
    out = Buffer.alloc(4);
    if (!parseV4(text, out, 0)) out = null;
  }
  if (out) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(text, out);
  }
  return out;
}

function isV4Mapped(b: Buffer): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** The text form of 4 or 16 address bytes (IPv6 without compression). */
export function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return words.join(':');
}
