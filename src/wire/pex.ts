/**
 * Peer exchange (BEP 11, extension name `ut_pex`): peers tell each other which peers they connected
 * to and dropped since the last message (about once a minute).
 *
 * The payload is one bencoded dictionary of compact peer lists (see `address.ts`):
 *   added     n × 6 bytes   IPv4 peers connected to     added.f   n flag bytes, one per added peer
 *   added6    n × 18 bytes  IPv6 peers connected to     added6.f  n flag bytes
 *   dropped   n × 6 bytes   IPv4 peers dropped          dropped6  n × 18 bytes  IPv6 peers dropped
 * Flag bits: 0x01 prefers encryption, 0x02 seed or upload-only, 0x04 supports uTP, 0x08 supports
 * ut_holepunch, 0x10 reachable (we connected out to it). A list whose length is not a multiple of its
 * entry size is `WIRE_MALFORMED`; missing flags count as 0; past `maxPeers` per list, peers are
 * dropped (BEP 11 asks senders for at most 50 added and 50 dropped).
 */

import { decode, encode, isBytes, isDict } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import { encodeCompactPeers, type PeerAddress, parseCompactPeers } from './address.js';

export const PexFlags = {
  encryption: 0x01,
  seed: 0x02,
  utp: 0x04,
  holepunch: 0x08,
  reachable: 0x10,
} as const;

export interface PexPeer extends PeerAddress {
  flags: number;
}

export interface PexMessage {
  added: PexPeer[];
  dropped: PeerAddress[];
}

/** Encode a ut_pex payload; IPv4 and IPv6 peers go to their own lists. */
export function encodePex(message: { added?: readonly PexPeer[]; dropped?: readonly PeerAddress[] }): Buffer {
  const added4: PexPeer[] = [];
  const added6: PexPeer[] = [];
  for (const p of message.added ?? []) (p.host.includes(':') ? added6 : added4).push(p);
  const dropped4: PeerAddress[] = [];
  const dropped6: PeerAddress[] = [];
  for (const p of message.dropped ?? []) (p.host.includes(':') ? dropped6 : dropped4).push(p);
  const flags = (peers: PexPeer[]) => Buffer.from(peers.map((p) => p.flags & 0xff));
  return encode({
    added: encodeCompactPeers(added4, 6),
    'added.f': flags(added4),
    added6: encodeCompactPeers(added6, 18),
    'added6.f': flags(added6),
    dropped: encodeCompactPeers(dropped4, 6),
    dropped6: encodeCompactPeers(dropped6, 18),
  });
}

/** Parse a ut_pex payload. */
export function parsePex(payload: Uint8Array, options: { maxPeers?: number } = {}): PexMessage {
  let dict: ReturnType<typeof decode>;
  try {
    dict = decode(payload, { maxDepth: 4, lenient: true }); // as libtorrent: any key order
  } catch (err) {
    throw new SeedcastError('WIRE_MALFORMED', 'ut_pex message is not valid bencode', { cause: err });
  }
  if (!isDict(dict)) throw new SeedcastError('WIRE_MALFORMED', 'ut_pex message is not a dictionary');
  const maxPeers = options.maxPeers ?? 200;
  const list = (key: string, size: 6 | 18): PeerAddress[] => {
    const value = dict.get(key);
    if (value === undefined) return [];
    if (!isBytes(value)) throw new SeedcastError('WIRE_MALFORMED', `ut_pex "${key}" is not a byte string`);
    if (value.byteLength % size !== 0) {
      throw new SeedcastError(
        'WIRE_MALFORMED',
        `ut_pex "${key}" of ${value.byteLength} bytes (entries are ${size})`,
      );
    }
    return parseCompactPeers(value.subarray(0, Math.min(value.byteLength, maxPeers * size)), size);
  };
  const withFlags = (peers: PeerAddress[], key: string): PexPeer[] => {
    const value = dict.get(key);
    const flags = isBytes(value) ? value : new Uint8Array(0);
    return peers.map((p, i) => ({ ...p, flags: flags[i] ?? 0 }));
  };
  return {
    added: [...withFlags(list('added', 6), 'added.f'), ...withFlags(list('added6', 18), 'added6.f')],
    dropped: [...list('dropped', 6), ...list('dropped6', 18)],
  };
}
