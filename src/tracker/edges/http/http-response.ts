/**
 * Bencoded HTTP tracker answers (BEP 3, 7, 23, 48).
 *
 * The compact announce answer is written directly, keys in canonical (byte) order:
 *
 *   d 8:complete i<seeders>e 10:downloaded i<n>e 10:incomplete i<leechers>e 8:interval i<s>e
 *     12:min interval i<s>e 5:peers <6n>:<IPv4 4 bytes + port 2 bytes, each peer>
 *     [6:peers6 <18n>:<IPv6 16 bytes + port 2 bytes, each peer>] [10:tracker id <len>:<id>] e
 *
 * The non-compact form (`peers` as a list of `{ip, peer id, port}` dictionaries), scrape answers
 * (`{files: {<20-byte hash>: {complete, downloaded, incomplete}}, flags: {min_request_interval}}`)
 * and failures (`{failure reason: <text>}`) go through the canonical bencode encoder.
 */

import { encode } from '../../../bencode/index.js';
import type { AnnounceResponse, ScrapeResponse } from '../../service/types.js';
import { ipText } from '../address.js';

/** Writes a compact announce answer. */
export function compactAnnounceBody(res: AnnounceResponse, options: { trackerId?: string } = {}): Buffer {
  const { v4, v6 } = res.peers;
  const head =
    `d8:completei${res.complete}e10:downloadedi${res.downloaded}e10:incompletei${res.incomplete}e` +
    `8:intervali${res.interval}e12:min intervali${res.minInterval}e5:peers${v4.length}:`;
  const mid = v6.length > 0 ? `6:peers6${v6.length}:` : '';
  let tail = '';
  if (options.trackerId) tail += `10:tracker id${Buffer.byteLength(options.trackerId)}:${options.trackerId}`;
  if (res.warning) tail += `15:warning message${Buffer.byteLength(res.warning)}:${res.warning}`;
  tail += 'e';
  if (mid === '' && v4.length === 0) return Buffer.from(head + tail, 'utf8');
  const out = Buffer.allocUnsafe(head.length + v4.length + mid.length + v6.length + Buffer.byteLength(tail));
  let pos = out.write(head, 0, 'latin1');
  pos += v4.copy(out, pos);
  if (mid) {
    pos += out.write(mid, pos, 'latin1');
    pos += v6.copy(out, pos);
  }
  out.write(tail, pos, 'utf8');
  return out;
}

/** Writes a non-compact announce answer (with peer ids unless `no_peer_id`). */
export function dictAnnounceBody(res: AnnounceResponse, options: { trackerId?: string } = {}): Buffer {
  const peers: Map<string, string | number | Buffer>[] = [];
  const add = (list: Buffer, ids: Buffer | undefined, size: number) => {
    for (let i = 0, n = 0; i + size <= list.length; i += size, n++) {
      const peer = new Map<string, string | number | Buffer>([
        ['ip', ipText(list.subarray(i, i + size - 2))],
        ['port', list.readUInt16BE(i + size - 2)],
      ]);
      if (ids) peer.set('peer id', ids.subarray(n * 20, n * 20 + 20));
      peers.push(peer);
    }
  };
  add(res.peers.v4, res.peers.ids4, 6);
  add(res.peers.v6, res.peers.ids6, 18);
  return encode({
    complete: res.complete,
    downloaded: res.downloaded,
    incomplete: res.incomplete,
    interval: res.interval,
    'min interval': res.minInterval,
    peers,
    'tracker id': options.trackerId,
    'warning message': res.warning,
  });
}

export function scrapeBody(res: ScrapeResponse): Buffer {
  const files = new Map<string, Map<string, number>>();
  for (const f of res.files) {
    files.set(
      f.infoHash.toString('latin1'),
      new Map([
        ['complete', f.counts.complete],
        ['downloaded', f.counts.downloaded],
        ['incomplete', f.counts.incomplete],
      ]),
    );
  }
  return encode({ files, flags: { min_request_interval: res.minInterval } });
}

export function failureBody(reason: string): Buffer {
  return encode({ 'failure reason': reason });
}
