/**
 * Fetching an item through the swarm with the engine (BEP 3; magnet links BEP 9; web seeds BEP 19):
 * the `.torrent` is fetched over HTTP with a size limit and parsed, its content placed in the library
 * under a name made from the item's title and, inside a multi-file torrent's folder, under each file's
 * sanitised `storagePath` (the info dictionary is untouched, so hashes and info hash stay the same;
 * web seeds are asked for the torrent's own paths), and the transfer watched: when
 * no peer or web seed delivers anything within the timeout, or progress stops, it is an
 * AGGREGATOR_STALLED error (the caller falls back to HTTP); repeated hash failures are AGGREGATOR_VERIFY.
 */

import { basename, dirname, extname } from 'node:path';
import { type Engine, FileStore, PieceMap, PieceVerifier, type TorrentSession } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import type { OutboundPolicy } from '../net/index.js';
import { type MagnetLink, type Metainfo, parseTorrent } from '../torrent/index.js';
import { httpGet, readLimited } from './http.js';
import { inside } from './paths.js';

/** A peer to try first (`host:port` of a magnet link's `x.pe`, parsed). */
export interface PeerHint {
  host: string;
  port: number;
}

const MAX_TORRENT_BYTES = 16 * 1024 * 1024;

/** Fetch and parse a `.torrent` file (every hop under `policy` when given). */
export async function fetchTorrent(
  url: string,
  policy?: OutboundPolicy,
): Promise<{ bytes: Buffer; meta: Metainfo }> {
  const { response, url: finalUrl } = await httpGet(url, { timeoutMs: 30_000, policy });
  const bytes = await readLimited(response, { maxBytes: MAX_TORRENT_BYTES, url: finalUrl });
  return { bytes, meta: parseTorrent(bytes) };
}

/** A `.torrent` holding just an info dictionary: `d4:info<info>e` (BEP 3), for content from a magnet link. */
export function torrentFromInfo(infoBytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('d4:info'), infoBytes, Buffer.from('e')]);
}

/** The file name a single-file torrent gets: `name` plus the torrent file's own extension. */
function singleName(meta: Metainfo, name: string): string {
  const ext = extname(meta.files[0]?.storagePath.at(-1) ?? '').toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(ext) ? `${name}${ext}` : name;
}

/**
 * The metainfo with its content stored as `name` (a single file keeps its extension): only
 * `storagePath` changes, and only its first component, so the sanitised, collision-free names inside
 * the folder (`torrent/sanitize.ts`) stay as they are; `path` stays the torrent's own, for the wire
 * and web-seed URLs.
 */
export function placeMeta(meta: Metainfo, name: string): Metainfo {
  if (!meta.multiFile)
    return { ...meta, files: meta.files.map((f) => ({ ...f, storagePath: [singleName(meta, name)] })) };
  return {
    ...meta,
    files: meta.files.map((f) => ({ ...f, storagePath: [name, ...f.storagePath.slice(1)] })),
  };
}

/** Where the placed content is: the file, or the folder of a multi-file torrent. */
export function placedPath(meta: Metainfo, root: string, name: string): string {
  return inside(root, meta.multiFile ? name : singleName(meta, name));
}

export interface SwarmOptions {
  /** Library folder of the feed. */
  root: string;
  /** Name for the content (made safe by the caller). */
  name: string;
  /** Seconds to wait for a first byte from a peer or web seed. */
  timeoutSec: number;
  /** Seconds without progress after which the transfer is given up. */
  stallSec?: number;
  /** Extra trackers, web seeds and peers (a magnet link's `tr`, `ws`, `x.pe`). */
  trackers?: string[][];
  webSeeds?: string[];
  peers?: PeerHint[];
  /** Check the content once its metadata is known (throw to refuse it). */
  accept?: (meta: Metainfo) => void;
  onStats?: (session: TorrentSession) => void;
  readOnly?: boolean;
  /** Abort the transfer (the session is removed; what is on disk stays for a resume). */
  signal?: AbortSignal;
}

/** Add the torrent or magnet to `engine` with its content placed under `root`. */
export async function addPlaced(
  engine: Engine,
  source: { meta: Metainfo } | { magnet: MagnetLink },
  options: SwarmOptions,
): Promise<TorrentSession> {
  const readOnly = options.readOnly ?? false;
  const storeFor = (meta: Metainfo) =>
    new FileStore(placeMeta(meta, options.name), options.root, { readOnly });
  const extra = {
    trackers: options.trackers ?? [],
    webSeeds: options.webSeeds ?? [],
    peers: options.peers ?? [],
  };
  if ('meta' in source)
    return engine.add({ meta: source.meta }, { path: options.root, storeFor, readOnly, ...extra });
  const link = source.magnet;
  if (!link.infoHash && !link.infoHashV2)
    throw new SeedcastError('MAGNET_INVALID', 'the magnet link has no info hash');
  return engine.add(
    {
      // A v2-only magnet (BEP 52 `btmh`): peers know it by the truncated v2 hash.
      infoHash: link.infoHash ?? link.infoHashV2!.slice(0, 40),
      ...(link.infoHash ? {} : { infoHashV2: link.infoHashV2! }),
      ...(link.name ? { name: link.name } : {}),
    },
    {
      path: options.root,
      storeFor,
      trackers: [...extra.trackers, ...link.trackers.map((t) => [t])],
      webSeeds: [...extra.webSeeds, ...link.webSeeds],
      peers: [...extra.peers, ...link.peers.map(parsePeer).filter((p): p is PeerHint => p !== undefined)],
    },
  );
}

/** "host:port" or "[v6]:port" (a magnet link's `x.pe`), or undefined when malformed. */
function parsePeer(text: string): PeerHint | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : 0;
  return m && port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}

/** Download through the swarm; resolves with the (still running, now seeding) session once complete. */
export async function downloadSwarm(
  engine: Engine,
  source: { meta: Metainfo } | { magnet: MagnetLink },
  options: SwarmOptions,
): Promise<TorrentSession> {
  if ('meta' in source) options.accept?.(source.meta);
  const session = await addPlaced(engine, source, options);
  if (session.complete) return session;
  const timeoutMs = options.timeoutSec * 1000;
  const stallMs = (options.stallSec ?? Math.max(120, options.timeoutSec)) * 1000;
  return new Promise<TorrentSession>((resolve, reject) => {
    const started = Date.now();
    let last = -1;
    let lastProgressAt = started;
    let accepted = 'meta' in source;
    const onAbort = () => finish(new SeedcastError('AGGREGATOR_STALLED', 'interrupted'));
    const finish = (err?: Error) => {
      clearInterval(timer);
      options.signal?.removeEventListener('abort', onAbort);
      session.off('complete', onComplete);
      if (!err) {
        resolve(session);
        return;
      }
      void engine.remove(session).finally(() => reject(err));
    };
    const onComplete = () => finish();
    session.on('complete', onComplete);
    const timer = setInterval(() => {
      const s = session.stats();
      options.onStats?.(session);
      if (!accepted && session.meta) {
        accepted = true;
        try {
          options.accept?.(session.meta);
        } catch (err) {
          finish(err as Error);
          return;
        }
      }
      const now = Date.now();
      const progress = s.downloaded + s.have;
      if (progress > last) {
        if (last >= 0) lastProgressAt = now;
        last = progress;
      }
      if (session.meta && s.wasted > session.meta.length + 4 * session.meta.pieceLength) {
        finish(new SeedcastError('AGGREGATOR_VERIFY', `${s.wasted} bytes failed the torrent's hashes`));
      } else if (s.downloaded === 0 && s.have === 0 && now - started > timeoutMs) {
        finish(new SeedcastError('AGGREGATOR_STALLED', `nothing within ${options.timeoutSec} s`));
      } else if (now - lastProgressAt > stallMs) {
        finish(new SeedcastError('AGGREGATOR_STALLED', `no progress for ${Math.round(stallMs / 1000)} s`));
      }
    }, 1000);
    options.signal?.addEventListener('abort', onAbort);
    if (session.complete) finish();
    else if (options.signal?.aborted) onAbort();
  });
}

/**
 * True when the single file at `path` is exactly the content of the single-file torrent `meta`: every
 * piece checked against the torrent's hashes (BEP 3; BEP 52 for v2), so a file fetched over HTTP as the
 * fallback is held to what the swarm would have delivered.
 */
export async function matchesTorrent(meta: Metainfo, path: string): Promise<boolean> {
  if (meta.multiFile) return false;
  const named = { ...meta, files: meta.files.map((f) => ({ ...f, storagePath: [basename(path)] })) };
  const map = new PieceMap(named);
  const verifier = new PieceVerifier(named, map);
  const store = new FileStore(named, dirname(path), { readOnly: true });
  try {
    for (let i = 0; i < map.pieceCount; i++) {
      const span = map.piece(i);
      if (!verifier.verify(i, await store.read(span.offset, span.length))) return false;
    }
    return true;
  } finally {
    await store.close();
  }
}
