/**
 * What `download` and `seed` accept as a torrent: a `.torrent` file, a magnet link (BEP 9), or an
 * http(s) URL of a `.torrent` (fetched with a size limit and a timeout).
 */

import { readFile } from 'node:fs/promises';
import { SeedcastError } from '../errors.js';
import { type MagnetLink, type Metainfo, parseMagnet, parseTorrent } from '../torrent/index.js';

const MAX_TORRENT = 32 * 1024 * 1024;

export type TorrentInput = { kind: 'torrent'; meta: Metainfo } | { kind: 'magnet'; link: MagnetLink };

export async function readTorrentInput(input: string): Promise<TorrentInput> {
  if (/^magnet:/i.test(input)) {
    return { kind: 'magnet', link: parseMagnet(input) };
  }
  if (/^https?:\/\//i.test(input)) return { kind: 'torrent', meta: parseTorrent(await fetchTorrent(input)) };
  return { kind: 'torrent', meta: await readTorrentFile(input) };
}

/** Read and parse a `.torrent` file; a missing or unreadable file is `NOT_FOUND` with the reason. */
export async function readTorrentFile(path: string): Promise<Metainfo> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new SeedcastError(
      'NOT_FOUND',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  return parseTorrent(bytes);
}

async function fetchTorrent(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
  } catch (err) {
    throw new SeedcastError('NOT_FOUND', `cannot fetch ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new SeedcastError('NOT_FOUND', `cannot fetch ${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_TORRENT)
    throw new SeedcastError('TORRENT_INVALID', `${url} is larger than ${MAX_TORRENT} bytes`);
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_TORRENT) {
      await reader.cancel();
      throw new SeedcastError('TORRENT_INVALID', `${url} is larger than ${MAX_TORRENT} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
