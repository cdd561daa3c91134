/**
 * The P2P player's description of an item's torrent: `GET /api/v1/items/:id/p2p` (the original's
 * torrent) or `GET /api/v1/items/:id/p2p?torrent=derivatives` (the item's derivatives torrent, issue
 * 18: its web renditions, web seed `/items/:id/` + `derivatives/<file>`) ->
 * `{ infoHash, pieceLength, length, pieces, files: [{ path, length, offset, url }], trackers, webSeed }`,
 * read from the item's stored `.torrent` (BEP 3 v1 info: the v1 hash in hex, the piece length, the
 * length of the piece space including BEP 47 padding files, the concatenated SHA-1 piece hashes in
 * base64), the item's files in order with their offsets in that space and their HTTP URLs (the web
 * seed, BEP 19), and the site's WebSocket tracker. 404 for an item that is not ready, has no v1
 * info hash (v2-only), or whose files the site does not hold. Parsed torrents are kept for the next
 * requests (the last 128).
 */

import type { FastifyInstance } from 'fastify';
import type { DerivativeRepository, Item, ItemRepository, SiteLinks } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { type BlobStore, readAll } from '../../storage/index.js';
import { type Metainfo, parseTorrent } from '../../torrent/index.js';
import { errors } from '../schemas/index.js';

export interface P2pRoutesOptions {
  items: ItemRepository;
  blobs: BlobStore;
  links: SiteLinks;
  /** STUN server URLs for the player's `RTCPeerConnection`s (the site's setting). */
  stun?: readonly string[];
  /** The items' derivatives (issue 18); without it `?torrent=derivatives` is always 404. */
  derivatives?: Pick<DerivativeRepository, 'torrent' | 'list'>;
}

/** A file the description may list: its path in the item (or derivatives folder), URL, and whether held. */
export interface DescribedFile {
  path: string;
  url: string;
  held: boolean;
}

export interface P2pDescription {
  infoHash: string;
  pieceLength: number;
  length: number;
  pieces: string;
  files: Array<{ path: string; length: number; offset: number; url: string }>;
  trackers: string[];
  webSeed: string;
  /** `RTCConfiguration.iceServers` for the player: the site's STUN servers, or none. */
  iceServers: Array<{ urls: string[] }>;
}

const CACHE = 128;

const schema = {
  summary:
    "The P2P player's description of the item's torrent, or with torrent=derivatives of its derivatives torrent",
  tags: ['p2p'],
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } },
  },
  querystring: {
    type: 'object',
    properties: {
      torrent: {
        type: 'string',
        enum: ['original', 'derivatives'],
        description: 'original (the default) or derivatives (the web renditions)',
      },
    },
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      description: 'The torrent as the player needs it',
      required: ['infoHash', 'pieceLength', 'length', 'pieces', 'files', 'trackers', 'webSeed'],
      properties: {
        infoHash: { type: 'string', description: 'v1 info hash, hex' },
        pieceLength: { type: 'integer' },
        length: { type: 'integer', description: 'Bytes of the v1 piece space (BEP 47 padding included)' },
        pieces: { type: 'string', description: 'The SHA-1 piece hashes, concatenated, base64' },
        files: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'length', 'offset', 'url'],
            properties: {
              path: { type: 'string' },
              length: { type: 'integer' },
              offset: { type: 'integer', description: 'Where the file starts in the piece space' },
              url: { type: 'string', description: 'Its HTTP URL (Range), the web seed for its pieces' },
            },
          },
        },
        trackers: {
          type: 'array',
          items: { type: 'string' },
          description: "WebSocket trackers (the site's /announce)",
        },
        webSeed: { type: 'string', description: 'BEP 19 web seed base' },
        iceServers: {
          type: 'array',
          description: "RTCConfiguration.iceServers: the site's STUN servers, or none",
          items: {
            type: 'object',
            properties: { urls: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    ...errors,
  },
} as const;

/**
 * The description of a parsed torrent whose real files are `files` in order (the item's files, or
 * its derivatives), or undefined when the player cannot use it.
 */
export function describeTorrent(
  meta: Metainfo,
  files: readonly DescribedFile[],
  options: { links: SiteLinks; webSeed: string; stun?: readonly string[] },
): P2pDescription | undefined {
  if (meta.version === 'v2' || meta.pieces.length === 0) return undefined;
  const real = meta.files.filter((f) => !f.padding);
  if (real.length !== files.length || files.some((f) => !f.held)) return undefined;
  const last = meta.files[meta.files.length - 1];
  const length = last ? last.offset + last.length : 0;
  if (length === 0 || Math.ceil(length / meta.pieceLength) * 20 !== meta.pieces.length) return undefined;
  const stun = options.stun ?? [];
  return {
    infoHash: meta.infoHash,
    pieceLength: meta.pieceLength,
    length,
    pieces: Buffer.from(meta.pieces).toString('base64'),
    files: real.map((f, i) => ({
      path: files[i]!.path,
      length: f.length,
      offset: f.offset,
      url: files[i]!.url,
    })),
    trackers: [options.links.wsAnnounce()],
    webSeed: options.webSeed,
    iceServers: stun.length > 0 ? [{ urls: [...stun] }] : [],
  };
}

/** The description of `item` from its parsed torrent, or undefined when the player cannot use it. */
export function describe(
  item: Item,
  meta: Metainfo,
  links: SiteLinks,
  stun: readonly string[] = [],
): P2pDescription | undefined {
  const files = item.files.map((f) => ({
    path: f.path,
    url: links.file(item.id, f.path),
    held: f.blobKey !== null,
  }));
  return describeTorrent(meta, files, { links, webSeed: links.webSeed(item.id), stun });
}

/**
 * The description of an item's derivatives torrent: its files (`derivatives/<file>` in the torrent)
 * matched to the item's derivatives by name, each at `/items/:id/derivatives/<file>`.
 */
export function describeDerivatives(
  item: Item,
  meta: Metainfo,
  derivatives: ReadonlyArray<{ path: string }>,
  options: { links: SiteLinks; stun?: readonly string[] },
): P2pDescription | undefined {
  const names = new Set(derivatives.map((d) => d.path));
  const files = meta.files
    .filter((f) => !f.padding)
    .map((f) => {
      const path = f.path.slice(1).join('/');
      return { path, url: options.links.derivative(item.id, path), held: names.has(path) };
    });
  return describeTorrent(meta, files, {
    links: options.links,
    webSeed: options.links.derivativesWebSeed(item.id),
    ...(options.stun ? { stun: options.stun } : {}),
  });
}

export async function p2pRoutes(app: FastifyInstance, options: P2pRoutesOptions): Promise<void> {
  const cache = new Map<string, Metainfo>();
  const metainfo = async (torrentKey: string): Promise<Metainfo> => {
    const known = cache.get(torrentKey);
    if (known) return known;
    const meta = parseTorrent(await readAll(await options.blobs.get(torrentKey)));
    cache.set(torrentKey, meta);
    if (cache.size > CACHE) cache.delete(cache.keys().next().value!);
    return meta;
  };

  const derivativesOf = async (item: Item): Promise<P2pDescription | undefined> => {
    const torrent = await options.derivatives?.torrent(item.id);
    if (!options.derivatives || !torrent?.infoHash)
      throw new SeedcastError('NOT_FOUND', `item ${item.id} has no derivatives torrent (yet)`);
    const rows = await options.derivatives.list(item.id);
    return describeDerivatives(item, await metainfo(torrent.torrentKey), rows, {
      links: options.links,
      ...(options.stun ? { stun: options.stun } : {}),
    });
  };

  app.get<{ Params: { id: string }; Querystring: { torrent?: 'original' | 'derivatives' } }>(
    '/api/v1/items/:id/p2p',
    { schema },
    async (request, reply) => {
      const item = await options.items.get(Number(request.params.id));
      if (item?.status !== 'ready' || !item.infoHash || !item.torrentKey)
        throw new SeedcastError('NOT_FOUND', `no P2P description for item ${request.params.id}`);
      const description =
        request.query.torrent === 'derivatives'
          ? await derivativesOf(item)
          : describe(item, await metainfo(item.torrentKey), options.links, options.stun);
      if (!description) throw new SeedcastError('NOT_FOUND', `item ${item.id} cannot be streamed from peers`);
      reply.header('cache-control', 'public, max-age=60');
      return description;
    },
  );
}
