/**
 * Plain types for bencoded values (BEP 3).
 *
 * - integers decode to `number` when they fit in a safe integer and to `bigint` otherwise;
 * - byte strings decode to `Uint8Array` (never silently to text);
 * - dictionaries decode to a `Map` whose keys are *binary strings*: one JS character per byte
 *   (latin1), so any byte sequence round-trips exactly and string order equals byte order.
 *   Use `keyToText` / `textKey` to move between UTF-8 text and these keys.
 */

export type BValue = number | bigint | Uint8Array | BValue[] | BDict;
export type BDict = Map<string, BValue>;

/** What the encoder accepts: decoded values, plus JS strings (encoded as UTF-8) and plain objects. */
export type BEncodable =
  | number
  | bigint
  | string
  | Uint8Array
  | readonly BEncodable[]
  | ReadonlyMap<string, BEncodable>
  | { readonly [key: string]: BEncodable | undefined };

/** The UTF-8 text of a binary dictionary key. */
export function keyToText(key: string): string {
  return Buffer.from(key, 'latin1').toString('utf8');
}

/** The binary dictionary key for UTF-8 text. */
export function textKey(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map;
}

export function isBytes(v: BValue | undefined): v is Uint8Array {
  return v instanceof Uint8Array;
}

export function isList(v: BValue | undefined): v is BValue[] {
  return Array.isArray(v);
}

export function isInt(v: BValue | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}
