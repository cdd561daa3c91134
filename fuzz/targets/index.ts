/**
 * The fuzz targets, by name. Each module exports `target: FuzzTarget`; they are loaded on demand so
 * listing them costs nothing.
 */

import type { FuzzTarget } from '../engine/target.js';

type Entry = { description: string; load: () => Promise<{ target: FuzzTarget }> };

export const TARGETS: Record<string, Entry> = {
  bencode: { description: 'bencode decoder, encode round trip', load: () => import('./bencode.js') },
  metainfo: {
    description: 'parseTorrent (v1, v2, hybrid), magnet round trip',
    load: () => import('./metainfo.js'),
  },
  magnet: { description: 'parseMagnet, format round trip', load: () => import('./magnet.js') },
  wire: { description: 'handshake, framer, rules, extended messages', load: () => import('./wire.js') },
  'tracker-http': {
    description: 'tracker request head, announce and scrape queries',
    load: () => import('./tracker-http.js'),
  },
  'tracker-udp': { description: 'BEP 15 datagram decoder', load: () => import('./tracker-udp.js') },
  feeds: { description: 'parseFeed (RSS, RDF, Atom, JSON Feed)', load: () => import('./feeds.js') },
  opml: { description: 'parseOpml, build round trip', load: () => import('./opml.js') },
  tus: { description: 'tus Upload-Metadata and Upload-Checksum', load: () => import('./tus.js') },
  range: { description: 'HTTP Range header', load: () => import('./range.js') },
  krpc: { description: 'DHT KRPC datagrams (BEP 5)', load: () => import('./krpc.js') },
};

export async function loadTarget(name: string): Promise<FuzzTarget> {
  const entry = TARGETS[name];
  if (!entry) throw new Error(`unknown fuzz target ${name}`);
  return (await entry.load()).target;
}
