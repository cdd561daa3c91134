/**
 * The player's description of an item, as `GET /api/v1/items/:id/p2p` returns it (the site's
 * `src/web/routes/p2p.ts`), checked and decoded: 20-byte info hash, piece hashes as bytes, files
 * with their offsets in the v1 piece space (BEP 47 padding files are not listed: their bytes are
 * zeros), the WebSocket trackers and the web seed.
 */

import type { Layout } from './pieces.js';

export interface P2pFile {
  path: string;
  length: number;
  offset: number;
  url: string;
}

export interface P2pDescription {
  infoHash: string;
  pieceLength: number;
  /** Bytes of the v1 piece space (padding files included). */
  length: number;
  pieces: string;
  files: P2pFile[];
  trackers: string[];
  webSeed: string;
  iceServers?: Array<{ urls: string[] }>;
}

export interface Torrent extends Layout {
  infoHash: Uint8Array;
  files: P2pFile[];
  trackers: string[];
  /** STUN servers only (`stun:`/`stuns:` URLs), as the site gave them. */
  iceServers: Array<{ urls: string[] }>;
}

function isNat(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Validates the JSON and decodes it; throws on anything inconsistent. */
export function decodeDescription(json: unknown): Torrent {
  const d = json as Partial<P2pDescription>;
  if (typeof d !== 'object' || d === null) throw new Error('description: not an object');
  if (typeof d.infoHash !== 'string' || !/^[0-9a-f]{40}$/.test(d.infoHash))
    throw new Error('description: infoHash');
  if (!isNat(d.pieceLength) || d.pieceLength < 16384 || !isNat(d.length) || d.length === 0)
    throw new Error('description: sizes');
  if (typeof d.pieces !== 'string') throw new Error('description: pieces');
  const hashes = Uint8Array.from(atob(d.pieces), (c) => c.charCodeAt(0));
  if (hashes.length !== Math.ceil(d.length / d.pieceLength) * 20) throw new Error('description: piece count');
  if (
    !Array.isArray(d.files) ||
    !d.files.every((f) => isNat(f?.length) && isNat(f?.offset) && typeof f?.url === 'string')
  )
    throw new Error('description: files');
  const trackers = Array.isArray(d.trackers)
    ? d.trackers.filter((t) => typeof t === 'string' && /^wss?:\/\//.test(t))
    : [];
  const stun = (Array.isArray(d.iceServers) ? d.iceServers : [])
    .flatMap((s) => (Array.isArray(s?.urls) ? s.urls : []))
    .filter((u): u is string => typeof u === 'string' && /^stuns?:[^\s]{1,253}$/.test(u))
    .slice(0, 8);
  const iceServers = stun.length > 0 ? [{ urls: stun }] : [];
  const infoHash = new Uint8Array(20);
  for (let i = 0; i < 20; i++) infoHash[i] = Number.parseInt(d.infoHash.slice(i * 2, i * 2 + 2), 16);
  return {
    infoHash,
    pieceLength: d.pieceLength,
    length: d.length,
    hashes,
    files: d.files,
    trackers,
    iceServers,
  };
}
