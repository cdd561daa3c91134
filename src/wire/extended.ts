/**
 * The extension protocol handshake (BEP 10), with the fields of BEP 9 (`metadata_size`).
 *
 * Sent as extended message id 0 right after the BitTorrent handshake, when both sides set the
 * extension bit; its payload is one bencoded dictionary, for example
 *   d1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei31235e1:pi6881e4:reqqi250e1:v9:Seedcast 06:yourip4:<4 bytes>e
 * Fields: `m` maps extension names to the ids *the sender* wants to receive them under (0 disables
 * one; a later handshake updates earlier ones); `p` the sender's listening port; `v` its client name;
 * `reqq` how many outstanding requests it queues; `yourip` our address as it sees it (4 or 16
 * bytes); `metadata_size` the info dictionary's size (BEP 9); `upload_only` a seed that won't download.
 * Unknown keys are ignored, and so are known ones of the wrong type, except what could hurt: an `m`
 * that is not a dictionary of ids 0..255, or a `metadata_size` out of range, is `WIRE_MALFORMED`.
 */

import {
  type BEncodable,
  decode,
  encode,
  isBytes,
  isDict,
  isInt,
  keyToText,
  textKey,
} from '../bencode/index.js';
import { SeedcastError } from '../errors.js';

export interface ExtendedHandshake {
  /** Extension name -> the id the sender receives it under; 0 means the sender disabled it. */
  m: Map<string, number>;
  /** Client name and version. */
  v?: string;
  /** The sender's listening TCP port. */
  p?: number;
  /** Outstanding requests the sender will queue. */
  reqq?: number;
  /** Our address as the sender sees it: 4 (IPv4) or 16 (IPv6) bytes. */
  yourip?: Uint8Array;
  /** Size of the info dictionary in bytes (BEP 9). */
  metadataSize?: number;
  /** The sender is only uploading (a seed, or a partial seed). */
  uploadOnly?: boolean;
}

/** Largest `metadata_size` accepted by default: 32 MiB. */
export const DEFAULT_MAX_METADATA_SIZE = 32 * 1024 * 1024;

/** Encode an extended handshake payload (the bytes after the extended id 0). */
export function encodeExtendedHandshake(handshake: Partial<ExtendedHandshake>): Buffer {
  const m = new Map<string, BEncodable>();
  for (const [name, id] of handshake.m ?? []) m.set(textKey(name), id);
  return encode({
    m,
    v: handshake.v,
    p: handshake.p,
    reqq: handshake.reqq,
    yourip: handshake.yourip,
    metadata_size: handshake.metadataSize,
    upload_only: handshake.uploadOnly === undefined ? undefined : handshake.uploadOnly ? 1 : 0,
  });
}

/** Parse an extended handshake payload. */
export function parseExtendedHandshake(
  payload: Uint8Array,
  options: { maxMetadataSize?: number } = {},
): ExtendedHandshake {
  let dict: ReturnType<typeof decode>;
  try {
    dict = decode(payload, { maxDepth: 8, lenient: true }); // as libtorrent: any key order
  } catch (err) {
    throw new SeedcastError('WIRE_MALFORMED', 'extended handshake is not valid bencode', { cause: err });
  }
  if (!isDict(dict)) throw new SeedcastError('WIRE_MALFORMED', 'extended handshake is not a dictionary');
  const out: ExtendedHandshake = { m: new Map() };
  const m = dict.get('m');
  if (m !== undefined) {
    if (!isDict(m)) throw new SeedcastError('WIRE_MALFORMED', 'extended handshake "m" is not a dictionary');
    for (const [key, id] of m) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255) {
        throw new SeedcastError('WIRE_MALFORMED', `extension ${JSON.stringify(keyToText(key))} has a bad id`);
      }
      out.m.set(keyToText(key), id);
    }
  }
  const v = dict.get('v');
  if (isBytes(v)) out.v = Buffer.from(v).toString('utf8');
  const p = dict.get('p');
  if (typeof p === 'number' && p > 0 && p <= 0xffff) out.p = p;
  const reqq = dict.get('reqq');
  if (typeof reqq === 'number' && reqq > 0) out.reqq = reqq;
  const yourip = dict.get('yourip');
  if (isBytes(yourip) && (yourip.byteLength === 4 || yourip.byteLength === 16))
    out.yourip = Buffer.from(yourip);
  const uploadOnly = dict.get('upload_only');
  if (isInt(uploadOnly)) out.uploadOnly = uploadOnly !== 0 && uploadOnly !== 0n;
  const size = dict.get('metadata_size');
  if (size !== undefined) {
    const max = options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE;
    if (typeof size !== 'number' || size <= 0 || size > max) {
      throw new SeedcastError('WIRE_MALFORMED', `metadata_size ${String(size)} out of range (1..${max})`);
    }
    out.metadataSize = size;
  }
  return out;
}
