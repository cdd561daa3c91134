/**
 * From the bytes of a response to text, with the size limit enforced first: a byte-order mark wins
 * (UTF-8, UTF-16 LE/BE), then the XML declaration's `encoding` (XML 1.0 section 4.3.3 and appendix F),
 * then UTF-8 (which is also what JSON Feed and RFC 8259 require). ISO-8859-1 is decoded as the WHATWG
 * Encoding Standard does (as windows-1252, a superset), so "smart quotes" in such feeds survive.
 */

import { SeedcastError } from '../errors.js';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

function tooLarge(size: number, max: number): SeedcastError {
  return new SeedcastError('FEED_TOO_LARGE', `${size} bytes, more than the limit of ${max}`);
}

const LATIN1_LABELS = new Set([
  'iso-8859-1',
  'iso8859-1',
  'latin1',
  'l1',
  'us-ascii',
  'ascii',
  'iso_8859-1',
  'cp819',
]);

function sniffEncoding(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0x3c && bytes[1] === 0x00) return 'utf-16le';
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) return 'utf-16be';
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/.exec(head);
  const label = m ? m[1]!.toLowerCase() : 'utf-8';
  // WHATWG, and every browser, read these labels as windows-1252, which is what the feeds that declare
  // them were written in.
  return LATIN1_LABELS.has(label) ? 'windows-1252' : label;
}

/** Characters of windows-1252 bytes 0x80-0x9F (undefined ones stay C1 controls, as WHATWG maps them). */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * windows-1252 by hand: Node 20's TextDecoder decodes this label as plain latin1, losing the curly quotes
 * and dashes that such feeds are full of.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/**
 * The text of a feed or OPML document given as bytes or as a string. Throws FEED_TOO_LARGE above
 * `maxBytes` (checked before anything is decoded) and FEED_INVALID for an unknown encoding.
 */
export function decodeDocument(input: Uint8Array | string, options: { maxBytes?: number } = {}): string {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof input === 'string') {
    if (input.length > max) throw tooLarge(input.length, max);
    const size = Buffer.byteLength(input, 'utf8');
    if (size > max) throw tooLarge(size, max);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.byteLength > max) throw tooLarge(input.byteLength, max);
  const label = sniffEncoding(input);
  if (label === 'windows-1252' || label === 'cp1252') return decodeWindows1252(input);
  let decoder: InstanceType<typeof globalThis.TextDecoder>;
  try {
    decoder = new TextDecoder(label); // strips a BOM of the same encoding; bad bytes become U+FFFD
  } catch {
    throw new SeedcastError('FEED_INVALID', `unknown character encoding "${label}"`);
  }
  const text = decoder.decode(input);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
