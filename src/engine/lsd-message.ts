/**
 * Local Service Discovery announces (BEP 14): encode ours, parse a neighbour's strictly.
 *
 * An announce is an HTTP-like request in one UDP datagram sent to a multicast group
 * (`239.192.152.143:6771` or `[ff15::efc0:988f]:6771`):
 *
 * ```
 * BT-SEARCH * HTTP/1.1\r\n
 * Host: 239.192.152.143:6771\r\n      the group the announce was sent to (RFC 2732 brackets for IPv6)
 * Port: 6881\r\n                       the sender's BitTorrent TCP port, decimal
 * Infohash: <40 hex digits>\r\n        one or more (consecutive) headers, one per torrent
 * cookie: 1a2b3c4d\r\n                 optional, opaque: lets a client drop its own looped-back announces
 * \r\n
 * \r\n
 * ```
 *
 * We send one `Infohash` per datagram, as libtorrent does: aria2 1.36 reads a datagram into a
 * 200-byte buffer and takes only the first `Infohash` header. We accept up to `MAX_INFOHASHES` per
 * datagram (BEP 14 allows several, under 1400 bytes). Parsing is transport-free and never throws:
 * anything malformed, oversized, for another group or carrying our own cookie is refused with a
 * reason (the caller drops it), so a hostile neighbour costs one bounded parse per datagram.
 */

/** Largest datagram looked at (BEP 14 keeps announces under 1400 bytes; libtorrent reads 1500). */
export const MAX_DATAGRAM = 1500;
/** Most `Infohash` headers accepted in one announce. */
export const MAX_INFOHASHES = 24;
const MAX_LINES = 64;
const MAX_COOKIE = 64;
const REQUEST_LINE = 'BT-SEARCH * HTTP/1.1';

export interface LsdAnnounce {
  /** The sender's TCP port for BitTorrent connections. */
  port: number;
  /** Announced info hashes, lower-case hex, without duplicates. */
  infoHashes: string[];
  cookie: string | undefined;
}

export type ParseResult = { ok: true; announce: LsdAnnounce } | { ok: false; reason: string };

/** `host:port` as the `Host` header writes it: IPv6 groups in brackets. */
export function hostHeader(group: { address: string; port: number }): string {
  return group.address.includes(':') ? `[${group.address}]:${group.port}` : `${group.address}:${group.port}`;
}

/** One announce for `infoHash` (40 hex digits) from a client listening on `port`. */
export function encodeAnnounce(options: {
  group: { address: string; port: number };
  port: number;
  infoHash: string;
  cookie: string;
}): Buffer {
  return Buffer.from(
    `${REQUEST_LINE}\r\nHost: ${hostHeader(options.group)}\r\nPort: ${options.port}\r\n` +
      `Infohash: ${options.infoHash}\r\ncookie: ${options.cookie}\r\n\r\n\r\n`,
    'latin1',
  );
}

/**
 * Parse a datagram received on the group `hosts` names (each as `hostHeader` writes it). Refused:
 * datagrams over `MAX_DATAGRAM` bytes, anything but `BT-SEARCH * HTTP/1.1`, a header block that does
 * not end with an empty line, a line that is not `Name: value`, a missing or repeated `Host` or `Port`,
 * a `Host` other than the group's, a port outside 1..65535, no `Infohash` or more than
 * `MAX_INFOHASHES`, an `Infohash` that is not 40 hex digits, our own `cookie`.
 */
export function parseAnnounce(
  datagram: Uint8Array,
  options: { hosts: readonly string[]; ownCookie?: string },
): ParseResult {
  if (datagram.length > MAX_DATAGRAM) return { ok: false, reason: `oversized (${datagram.length} bytes)` };
  const text = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.length).toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { ok: false, reason: 'no end of headers' };
  const lines = text.slice(0, end).split('\r\n');
  if (lines[0] !== REQUEST_LINE) return { ok: false, reason: 'not a BT-SEARCH request' };
  if (lines.length > MAX_LINES) return { ok: false, reason: 'too many header lines' };
  let host: string | undefined;
  let portText: string | undefined;
  let cookie: string | undefined;
  const hashes = new Set<string>();
  let hashHeaders = 0;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, reason: 'malformed header line' };
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!/^[a-z0-9-]+$/.test(name)) return { ok: false, reason: 'malformed header name' };
    if (name === 'host') {
      if (host !== undefined) return { ok: false, reason: 'repeated Host' };
      host = value.toLowerCase();
    } else if (name === 'port') {
      if (portText !== undefined) return { ok: false, reason: 'repeated Port' };
      portText = value;
    } else if (name === 'infohash') {
      if (++hashHeaders > MAX_INFOHASHES) return { ok: false, reason: 'too many Infohash headers' };
      if (!/^[0-9a-fA-F]{40}$/.test(value)) return { ok: false, reason: 'malformed Infohash' };
      hashes.add(value.toLowerCase());
    } else if (name === 'cookie') {
      if (cookie !== undefined || value.length > MAX_COOKIE) return { ok: false, reason: 'bad cookie' };
      cookie = value;
    }
  }
  if (host === undefined || !options.hosts.includes(host)) return { ok: false, reason: 'wrong Host' };
  if (cookie !== undefined && options.ownCookie !== undefined && cookie === options.ownCookie)
    return { ok: false, reason: 'our own announce' };
  const port = portText !== undefined && /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) return { ok: false, reason: 'bad Port' };
  if (hashes.size === 0) return { ok: false, reason: 'no Infohash' };
  return { ok: true, announce: { port, infoHashes: [...hashes], cookie } };
}
