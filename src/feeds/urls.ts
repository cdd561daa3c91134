/**
 * URLs in feeds: resolving relative references (RFC 3986 section 5, as the WHATWG URL parser does it) against
 * the feed URL or the in-scope xml:base (XML Base), and telling what an enclosure is: an HTTP(S) media file,
 * a `.torrent` (BitTorrent metainfo, `application/x-bittorrent`) or a magnet link (BEP 9).
 */

import type { EnclosureKind } from './types.js';

export const TORRENT_TYPE = 'application/x-bittorrent';

/**
 * An absolute http(s) URL that the WHATWG URL parser would return unchanged: a lower-case host whose last
 * label starts with a letter (so never an IPv4 address in disguise, like `0x7f.1`), no port, a path, and
 * only characters that are never percent-encoded. The fast path for the common case.
 */
const SIMPLE_ABSOLUTE = /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\/[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)|%(?![0-9A-Fa-f]{2})|%2e/i;

/**
 * Resolve `ref` against `base`. Magnet links are kept exactly as written; other absolute and relative
 * references become absolute URLs. Returns undefined for an empty or unparseable reference.
 */
export function resolveUrl(ref: string, base: string | undefined): string | undefined {
  const s = ref.trim();
  if (s === '') return undefined;
  if (/^magnet:/i.test(s)) return `magnet:${s.slice(7)}`;
  if (SIMPLE_ABSOLUTE.test(s) && !DOT_SEGMENT.test(s)) return s; // already what the URL parser would give
  try {
    return new URL(s, base || undefined).href;
  } catch {
    return undefined;
  }
}

/**
 * Resolve a link or image reference, keeping it only when it is HTTP(S): a feed's `javascript:` or
 * `data:` link must never reach a page or a terminal as something to open.
 */
export function resolveHttpUrl(ref: string, base: string | undefined): string | undefined {
  const url = resolveUrl(ref, base);
  return url !== undefined && isHttpUrl(url) ? url : undefined;
}

/** True for an http: or https: URL. */
export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * What an enclosure URL with a declared MIME type points at, or undefined when it is nothing Seedcast can
 * fetch (ipfs:, ftp:, data: ...). A `.torrent` is recognised by its type or by a path ending in `.torrent`.
 */
export function enclosureKind(url: string, type: string | undefined): EnclosureKind | undefined {
  if (/^magnet:\?/i.test(url)) return 'magnet';
  if (!isHttpUrl(url)) return undefined;
  if (type?.trim().toLowerCase().startsWith(TORRENT_TYPE)) return 'torrent';
  const q = url.search(/[?#]/);
  return (q < 0 ? url : url.slice(0, q)).toLowerCase().endsWith('.torrent') ? 'torrent' : 'http';
}
