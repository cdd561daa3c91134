/**
 * Bencode (BEP 3): the canonical encoder, the decoder (strict, or lenient as libtorrent for .torrent
 * files) with limits and value spans, and the plain types they share. Imports nothing else of Seedcast's but the error registry.
 */

export {
  type DecodedDocument,
  type DecodeOptions,
  decode,
  decodePrefix,
  decodeWithSpans,
  type Span,
} from './decode.js';
export { encode } from './encode.js';
export {
  type BDict,
  type BEncodable,
  type BValue,
  isBytes,
  isDict,
  isInt,
  isList,
  keyToText,
  textKey,
} from './types.js';
