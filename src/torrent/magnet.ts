/**
 * Magnet links (BEP 9, BEP 52's `urn:btmh`), both ways.
 *
 *   magnet:?xt=urn:btih:<40 hex | 32 base32>      v1 info hash
 *          &xt=urn:btmh:1220<64 hex>              v2 info hash as a multihash (0x12 sha2-256, 0x20 bytes)
 *          &dn=<name>&xl=<length>&tr=<tracker>...&ws=<web seed>...&x.pe=<host:port>...
 *          &xs=<URL of the .torrent>...                (exact source: libtorrent, aria2 and
 *                                                      Seedcast may fetch the metadata from it)
 *
 * Parameters may carry a numeric suffix (`tr.1`, `xt.2`); unknown ones are ignored.
 */

import { SeedcastError } from '../errors.js';
import type { MagnetLink, Metainfo } from './types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MAX_LINK = 64 * 1024;

function bad(detail: string): SeedcastError {
  return new SeedcastError('MAGNET_INVALID', detail);
}

/** Decode RFC 4648 base32 (no padding), as used for 32-character btih hashes. */
export function base32Decode(input: string): Buffer {
  const s = input.toUpperCase().replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of s) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw bad(`invalid base32 character "${ch}"`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/**
 * Replaces lone UTF-16 surrogates with U+FFFD, as a UTF-8 decoder would: `encodeURIComponent`
 * throws a URIError on them (found by fuzzing: a link typed with one parsed, then failed to format).
 */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function decodeComponent(value: string): string {
  try {
    return wellFormed(decodeURIComponent(value.replace(/\+/g, ' ')));
  } catch {
    throw bad(`bad percent-encoding in "${value.slice(0, 40)}"`);
  }
}

/** Parse a magnet link. Throws MAGNET_INVALID unless it names a v1 or v2 info hash. */
export function parseMagnet(link: string): MagnetLink {
  if (link.length > MAX_LINK) throw bad('link is too long');
  if (!/^magnet:\?/i.test(link)) throw bad('must start with "magnet:?"');
  const out: MagnetLink = { trackers: [], webSeeds: [], peers: [] };
  for (const part of link.slice(8).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const key = rawKey.toLowerCase().replace(/\.\d+$/, '');
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    switch (key) {
      case 'xt':
        readExactTopic(value, out);
        break;
      case 'dn':
        out.name = value;
        break;
      case 'tr':
        if (value && !out.trackers.includes(value)) out.trackers.push(value);
        break;
      case 'ws':
        if (value && !out.webSeeds.includes(value)) out.webSeeds.push(value);
        break;
      case 'x.pe':
        if (value) out.peers.push(value);
        break;
      case 'xs':
        if (value && !out.sources?.includes(value)) out.sources = [...(out.sources ?? []), value];
        break;
      case 'xl': {
        if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)))
          throw bad(`invalid xl "${value}"`);
        out.length = Number(value);
        break;
      }
    }
  }
  if (!out.infoHash && !out.infoHashV2) throw bad('no urn:btih or urn:btmh info hash');
  return out;
}

function readExactTopic(value: string, out: MagnetLink): void {
  const lower = value.toLowerCase();
  if (lower.startsWith('urn:btih:')) {
    const hash = value.slice(9);
    if (/^[0-9a-fA-F]{40}$/.test(hash)) out.infoHash = hash.toLowerCase();
    else if (/^[A-Za-z2-7]{32}$/.test(hash)) out.infoHash = base32Decode(hash).toString('hex');
    else throw bad(`btih must be 40 hex or 32 base32 characters, got "${hash.slice(0, 80)}"`);
  } else if (lower.startsWith('urn:btmh:')) {
    const multihash = lower.slice(9);
    if (!/^1220[0-9a-f]{64}$/.test(multihash)) throw bad('btmh must be a SHA-256 multihash (1220 + 64 hex)');
    out.infoHashV2 = multihash.slice(4);
  }
}

/** Format a magnet link; the v1 hash comes first, so clients that know only v1 still find it. */
export function formatMagnet(link: MagnetLink): string {
  const enc = (s: string) => encodeURIComponent(wellFormed(s));
  const params: string[] = [];
  if (link.infoHash) params.push(`xt=urn:btih:${link.infoHash}`);
  if (link.infoHashV2) params.push(`xt=urn:btmh:1220${link.infoHashV2}`);
  if (link.name !== undefined) params.push(`dn=${enc(link.name)}`);
  if (link.length !== undefined) params.push(`xl=${link.length}`);
  for (const tr of link.trackers) params.push(`tr=${enc(tr)}`);
  for (const ws of link.webSeeds) params.push(`ws=${enc(ws)}`);
  for (const pe of link.peers) params.push(`x.pe=${enc(pe)}`);
  for (const xs of link.sources ?? []) params.push(`xs=${enc(xs)}`);
  return `magnet:?${params.join('&')}`;
}

/** The magnet link of a parsed torrent. */
export function magnetFromMetainfo(meta: Metainfo): MagnetLink {
  const link: MagnetLink = {
    name: meta.name,
    length: meta.length,
    trackers: meta.announce.flat(),
    webSeeds: meta.urlList,
    peers: [],
  };
  if (meta.version !== 'v2') link.infoHash = meta.infoHash;
  if (meta.infoHashV2) link.infoHashV2 = meta.infoHashV2;
  return link;
}

/**
 * What a magnet link names, as the engine looks it up: the v1 info hash, or for a v2-only link
 * (BEP 52 `btmh` alone) the truncated v2 hash peers know it by, with the whole SHA-256 to check the
 * metadata against; and the display name.
 */
export function magnetTarget(link: MagnetLink): { infoHash: string; infoHashV2?: string; name?: string } {
  if (!link.infoHash && !link.infoHashV2)
    throw new SeedcastError('MAGNET_INVALID', 'the link names no info hash');
  return {
    infoHash: link.infoHash ?? link.infoHashV2!.slice(0, 40),
    ...(link.infoHash ? {} : { infoHashV2: link.infoHashV2! }),
    ...(link.name ? { name: link.name } : {}),
  };
}
