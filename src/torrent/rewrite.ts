/**
 * Rewrites the parts of a `.torrent` outside `info`: the site's trackers first in BEP 12
 * `announce-list` (and `announce`), and the site's web seed first in BEP 19 `url-list`. The `info`
 * dictionary is copied byte for byte, so the info hashes (BEP 3 v1, BEP 52 v2) never change; the
 * result is parsed again to prove it. Used when a torrent-only item is published, archived and
 * served.
 */

import { randomBytes } from 'node:crypto';
import { decode, decodeWithSpans, encode, isBytes, isDict, isList } from '../bencode/index.js';
import { SeedcastError } from '../errors.js';
import { parseTorrent } from './parse.js';

/** Largest `.torrent` accepted from a publisher, and read back when rewriting one. */
export const MAX_TORRENT_BYTES = 16 * 1024 * 1024;

/**
 * The torrent with the site's trackers first in its tracker list (`announce` and `announce-list`,
 * BEP 12: one tier for each of the site's trackers, in the order given, then the publisher's tiers)
 * and, when `webSeed` is given, that web seed first in `url-list`. `info` stays byte-identical.
 */
export function withSiteFirst(
  torrent: Uint8Array,
  options: { announce: string | readonly string[]; webSeed?: string },
): Buffer {
  const { value: top, spans } = decodeWithSpans(torrent, { lenient: true });
  if (!isDict(top)) throw new SeedcastError('TORRENT_INVALID', 'a torrent must be a dictionary');
  const span = spans.get('info');
  if (!span) throw new SeedcastError('TORRENT_INVALID', 'a torrent needs an info dictionary');
  const info = torrent.subarray(span.start, span.end);

  const own = typeof options.announce === 'string' ? [options.announce] : [...options.announce];
  const tiers: string[][] = own.map((url) => [url]);
  const seen = new Set(own);
  const list = top.get('announce-list');
  const lone = top.get('announce');
  const given = isList(list) ? list : isBytes(lone) ? [[lone]] : [];
  for (const tier of given) {
    if (!isList(tier)) continue;
    const urls = tier.filter(isBytes).map((u) => Buffer.from(u).toString('utf8'));
    const fresh = urls.filter((u) => !seen.has(u));
    for (const u of fresh) seen.add(u);
    if (fresh.length > 0) tiers.push(fresh);
  }
  const out = new Map(top) as Map<string, never>;
  out.set('announce', own[0] as never);
  out.set('announce-list', tiers as never);
  if (options.webSeed) {
    const urlList = top.get('url-list');
    const old = isList(urlList) ? urlList.filter(isBytes) : isBytes(urlList) ? [urlList] : [];
    const others = old.map((u) => Buffer.from(u).toString('utf8')).filter((u) => u !== options.webSeed);
    out.set('url-list', [options.webSeed, ...others] as never);
  }
  // Encode with a unique placeholder for `info`, then put the original bytes in its place.
  const marker = randomBytes(32);
  out.set('info', marker as never);
  const encoded = encode(out);
  const tagged = Buffer.concat([Buffer.from(`${marker.length}:`), marker]);
  const at = encoded.indexOf(tagged);
  if (at < 0) throw new SeedcastError('INTERNAL', 'info placeholder lost while re-encoding');
  const result = Buffer.concat([encoded.subarray(0, at), info, encoded.subarray(at + tagged.length)]);
  const before = parseTorrent(torrent, { maxSize: MAX_TORRENT_BYTES });
  const after = parseTorrent(result, { maxSize: MAX_TORRENT_BYTES + 1024 * 1024 });
  if (after.infoHash !== before.infoHash || after.infoHashV2 !== before.infoHashV2)
    throw new SeedcastError('INTERNAL', 'rewriting the torrent changed its info hash');
  return result;
}

/**
 * The torrent with its `url-list` (BEP 19) set to `url` alone; outside `info`, so the info hashes
 * stay the same. The whole torrent is decoded and written again (canonical bencode).
 */
export function withWebSeed(torrent: Uint8Array, url: string): Buffer {
  const top = decode(torrent);
  if (!isDict(top)) throw new SeedcastError('TORRENT_INVALID', 'not a dictionary');
  const out = new Map(top as Map<string, unknown>) as Map<string, never>;
  out.set('url-list', [url] as never);
  return Buffer.from(encode(out));
}
