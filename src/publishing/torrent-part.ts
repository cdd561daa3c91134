/**
 * The `.torrent` a publisher sends for torrent-only publishing ("publish without uploading"): read
 * it into a `Metainfo` (BEP 3 v1 or BEP 52 hybrid; the parser loads what libtorrent loads, bencode
 * out of canonical form included, and odd paths are stored under their sanitised `storagePath`),
 * and refuse what the site will not host (`torrent-policy.ts`: each refusal names its rule and the
 * path). The publisher then stores it with the site's trackers first (`withSiteFirst`, in
 * `src/torrent/rewrite.ts`).
 */

import { isSeedcastError, SeedcastError } from '../errors.js';
import { checkPieceLayers, MAX_TORRENT_BYTES, type Metainfo, parseTorrent } from '../torrent/index.js';
import { checkTorrentPolicy } from './torrent-policy.js';

export { MAX_TORRENT_BYTES };

/** Parses a publisher's torrent; every refusal is ITEM_INVALID naming the `torrent` field. */
export function readTorrentPart(bytes: Uint8Array): Metainfo {
  if (bytes.length === 0) throw new SeedcastError('ITEM_INVALID', 'torrent: empty file');
  if (bytes.length > MAX_TORRENT_BYTES)
    throw new SeedcastError('ITEM_INVALID', `torrent: larger than ${MAX_TORRENT_BYTES} bytes`);
  let meta: Metainfo;
  try {
    meta = parseTorrent(bytes, { maxSize: MAX_TORRENT_BYTES });
    checkPieceLayers(meta); // the site seeds it: a layer that is not its file's is refused now
  } catch (err) {
    if (isSeedcastError(err) && /^(TORRENT|BENCODE)_/.test(err.code))
      throw new SeedcastError(
        'ITEM_INVALID',
        `torrent: ${err.message.replace(/^(torrent|bencode): /, '')}`.slice(0, 300),
        { cause: err },
      );
    throw err;
  }
  checkTorrentPolicy(meta);
  return meta;
}
