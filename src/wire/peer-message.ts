/**
 * Messages as the engine sees them: the wire messages (BEP 3, 6), with the extended messages we
 * announce (BEP 10) decoded: the extended handshake (id 0), ut_metadata (BEP 9) and ut_pex (BEP 11),
 * received under the ids of `LOCAL_EXTENSIONS`. Extended ids we did not announce stay `extended`.
 */

import { type ExtendedHandshake, parseExtendedHandshake } from './extended.js';
import type { Message } from './messages.js';
import { type MetadataMessage, parseMetadataMessage } from './metadata.js';
import { type PexMessage, parsePex } from './pex.js';

/** The extended message ids we receive each extension under (our handshake's `m`). */
export const LOCAL_EXTENSIONS: ReadonlyMap<string, number> = new Map([
  ['ut_metadata', 1],
  ['ut_pex', 2],
]);

export type PeerMessage =
  | Message
  | { type: 'extendedHandshake'; handshake: ExtendedHandshake }
  | { type: 'metadata'; message: MetadataMessage }
  | { type: 'pex'; pex: PexMessage };

/** Decode an extended message received under `id` (one of ours, or 0 for the handshake). */
export function decodeExtended(
  id: number,
  payload: Uint8Array,
  options: { maxMetadataSize?: number | undefined } = {},
): PeerMessage {
  const limits = { maxMetadataSize: options.maxMetadataSize };
  if (id === 0) return { type: 'extendedHandshake', handshake: parseExtendedHandshake(payload, limits) };
  if (id === LOCAL_EXTENSIONS.get('ut_metadata')) {
    return { type: 'metadata', message: parseMetadataMessage(payload, limits) };
  }
  if (id === LOCAL_EXTENSIONS.get('ut_pex')) return { type: 'pex', pex: parsePex(payload) };
  return { type: 'extended', id, payload };
}
