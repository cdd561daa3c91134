/**
 * A magnet link's exact source (`xs=`, BEP 9): the `.torrent` at an http(s) URL, fetched the way
 * libtorrent and aria2 may, so a magnet session can have its metadata without a peer that offers
 * ut_metadata. Fetched under the outbound policy (`outboundFetch`: every redirect hop checked),
 * with a size limit and a timeout; the torrent counts only if its info hash is the magnet's.
 * Transport only: the session decides what to do with the result (`session-metadata.ts`).
 */

import { type OutboundPolicy, outboundFetch } from '../net/index.js';
import { type Metainfo, parseTorrent } from '../torrent/index.js';

/** Largest `.torrent` taken from an `xs=` URL. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

/**
 * Fetch and parse the torrent at `url`; throws (with the reason) unless it is an http(s) URL that
 * answers 200 with a torrent of at most `MAX_SOURCE_BYTES` whose v1 info hash is `infoHash` (hex).
 */
export async function fetchTorrentSource(
  url: string,
  infoHash: string,
  options: { policy?: OutboundPolicy | undefined; signal?: AbortSignal | undefined } = {},
): Promise<Metainfo> {
  if (!/^https?:\/\//i.test(url)) throw new Error(`${url}: not an http(s) URL`);
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const { response } = await outboundFetch(url, { policy: options.policy, signal, timeoutMs: TIMEOUT_MS });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_SOURCE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`${url}: larger than ${MAX_SOURCE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const meta = parseTorrent(Buffer.concat(chunks));
  if (meta.infoHash !== infoHash)
    throw new Error(`${url}: a torrent for another info hash (${meta.infoHash})`);
  return meta;
}
