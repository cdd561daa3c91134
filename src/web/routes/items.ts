/**
 * Items over HTTP: `POST /api/v1/items` (multipart: one or more `file` parts streamed into the blob
 * store while their torrent is hashed, or an `upload` field naming a finished tus upload, or one `torrent` part for torrent-only
 * publishing, and text fields) publishes through the `Publisher`; `GET /api/v1/items/:id` gives the
 * item with its links and swarm numbers (tracker counts, and bytes the site's peer and web seed
 * served), and for torrent-only items whether they are archived (with progress while archiving).
 */

import { createReadStream } from 'node:fs';
import type {} from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  canModerate,
  ITEM_FIELD_NAMES,
  type Item,
  type ItemRepository,
  itemFieldValues,
  type SiteLinks,
  type TokenRepository,
  type User,
} from '../../catalog/index.js';
import type { Seeding, Traffic } from '../../distribution/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { licenseInfo } from '../../licenses.js';
import type { MediaAnalyzer, ProcessingViews } from '../../media/index.js';
import {
  type Archiver,
  isArchived,
  MAX_TORRENT_BYTES,
  type Published,
  type Publisher,
  type PublishFields,
  type UploadDraft,
  type Uploads,
} from '../../publishing/index.js';
import type { TrackerService } from '../../tracker/index.js';
import { limitAction } from '../action-limits.js';
import { authenticate, type UserResolver } from '../auth.js';
import type { SiteLimits } from '../limits.js';
import { errors, idParams, ref, signedIn } from '../schemas/index.js';
import { itemFieldFormSchemas } from '../schemas/item-fields.js';
import { itemCheckRoutes } from './item-check.js';
import { itemTraffic } from './item-traffic.js';

export interface ItemRoutesOptions {
  items: ItemRepository;
  tokens: TokenRepository;
  /** When given, the site's pages may publish with the session cookie and `X-CSRF-Token`. */
  resolveUser?: UserResolver;
  publisher: Publisher;
  seeding: Seeding;
  links: SiteLinks;
  tracker?: TrackerService;
  archiver?: Archiver;
  /** Finished tus uploads, published with an `upload` field. */
  uploads: Uploads;
  limits: SiteLimits;
  /** When given, each published item is queued for media facts and a thumbnail. */
  media?: MediaAnalyzer;
  /** Items' processing and derivatives (issue 18): queues media work, adds both to the item. */
  processing?: ProcessingViews;
  /** Bytes per channel (issue 17); without it only the site peer's uploads are known. */
  traffic?: Pick<Traffic, 'counts'>;
}

/** The multipart text fields: the declared ones (`src/catalog/item-fields.ts`) and the others. */
const FIELDS = [...ITEM_FIELD_NAMES, 'license', 'tags', 'channel', 'upload', 'format'] as const;
const MAX_FIELD = 20_000;

interface Parts {
  fields: PublishFields;
  /** The `torrent` part's bytes (torrent-only publishing). */
  torrent?: Buffer;
}

/** Reads the multipart body: files into the `draft` (stored and hashed), a torrent into memory, text fields. */
async function readParts(request: FastifyRequest, draft: UploadDraft): Promise<Parts> {
  try {
    return await readPartsUnchecked(request, draft);
  } catch (err) {
    throw clientFault(err);
  }
}

/**
 * Errors of the multipart parser that carry no status (busboy's "Unexpected end of form",
 * "Malformed part header"...) are the client's fault: 400. Registry errors, errors with an HTTP
 * status (the plugin's limits: 413) and system errors (a full disk) pass through.
 */
function clientFault(err: unknown): unknown {
  if (isSeedcastError(err) || !(err instanceof Error)) return err;
  if (typeof (err as { statusCode?: unknown }).statusCode === 'number') return err;
  if (typeof (err as NodeJS.ErrnoException).syscall === 'string') return err;
  return new SeedcastError('HTTP_BAD_REQUEST', `multipart body: ${err.message.slice(0, 200)}`, {
    cause: err,
  });
}

async function readPartsUnchecked(request: FastifyRequest, draft: UploadDraft): Promise<Parts> {
  const fields: PublishFields = {};
  let torrent: Buffer | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname === 'torrent') {
        if (torrent || draft.files.length > 0) {
          part.file.resume();
          throw new SeedcastError('ITEM_INVALID', 'torrent: send one torrent part and no file parts');
        }
        torrent = await readCapped(part.file, MAX_TORRENT_BYTES);
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new SeedcastError('HTTP_BAD_REQUEST', `unexpected file part "${part.fieldname.slice(0, 40)}"`);
      }
      if (torrent) {
        part.file.resume();
        throw new SeedcastError('ITEM_INVALID', 'file: send file parts or one torrent part, not both');
      }
      await draft.add(part.filename, part.file);
    } else if ((FIELDS as readonly string[]).includes(part.fieldname)) {
      if (typeof part.value !== 'string') throw new SeedcastError('ITEM_INVALID', `${part.fieldname}: text`);
      if (part.valueTruncated || part.value.length > MAX_FIELD)
        throw new SeedcastError('ITEM_INVALID', `${part.fieldname}: too long`);
      fields[part.fieldname as keyof PublishFields] = part.value;
      if (part.fieldname === 'format') draft.setFormat(part.value); // what the files are hashed for
    }
  }
  return torrent ? { fields, torrent } : { fields };
}

/** A part's bytes, at most `max` (more is ITEM_INVALID naming the torrent field). */
async function readCapped(stream: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.resume();
      throw new SeedcastError('ITEM_INVALID', `torrent: larger than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Publishes a finished tus upload of `owner` (one file, named by its `filename` metadata): the file
 * is read once, into the blob store and the torrent hasher. The upload is consumed when the item is
 * published and kept when publishing fails.
 */
async function publishUpload(options: ItemRoutesOptions, owner: User, id: string, fields: PublishFields) {
  await options.publisher.check(owner, fields);
  return options.uploads.consume(owner.id, id, async (upload, path) => {
    const draft = await options.publisher.draftFor(owner, {
      ...draftLimits(options),
      totalBytes: upload.length ?? 0,
      exceptUpload: id,
      ...(fields.format?.trim() ? { format: fields.format } : {}),
    });
    try {
      await draft.add(upload.metadata.filename, createReadStream(path));
    } catch (err) {
      await draft.discard();
      throw err;
    }
    return options.publisher.publish(owner, draft, fields);
  });
}

function draftLimits(options: ItemRoutesOptions) {
  return { maxBytes: options.limits.uploadBytes, maxFiles: options.limits.uploadFiles };
}

export function itemView(item: Item, links: SiteLinks, archiver?: Archiver) {
  const archive = archiver?.status(item);
  return {
    id: item.id,
    url: links.itemPage(item.id),
    torrentUrl: links.torrent(item.id),
    // tr= the site's trackers, xs= the .torrent, ws= the web seed once the files are here (links.ts).
    magnet: links.magnet(item) ?? null,
    infoHash: item.infoHash,
    infoHashV2: item.infoHashV2,
    // title, description, creator, date, language, series, episode... (`src/catalog/item-fields.ts`)
    ...itemFieldValues(item),
    license: item.license,
    // The licence's name, link (deed or SPDX page), version and badge elements (issue 19).
    licenseInfo: licenseInfo(item.license),
    tags: item.tags,
    mediaType: item.mediaType,
    mimeType: item.mimeType,
    durationMs: item.durationMs,
    width: item.width,
    height: item.height,
    thumbnailUrl: item.thumbnailKey ? links.thumbnail(item.id) : null,
    status: item.status,
    torrentOnly: item.torrentOnly,
    /** The site holds every file (always true for uploaded items). */
    archived: isArchived(item),
    // Torrent-only items on an archiving site: queued, downloading (with progress), failed, gave-up, done.
    ...(archive ? { archive } : {}),
    length: item.totalLength,
    createdAt: new Date(item.createdAt).toISOString(),
    files: item.files.map((f) => ({
      path: f.path,
      length: f.length,
      mimeType: f.mimeType,
      /** The file's SHA-256 (hex), for integrity whatever the torrent's format; null until archived. */
      sha256: f.sha256,
      /** The file's SHA-384 as Subresource Integrity (`sha384-...`), once analysed (issue 18). */
      ...(f.integrity ? { integrity: f.integrity } : {}),
      // Served by the site only once it holds the bytes (a torrent-only item after archiving).
      url: f.blobKey ? links.file(item.id, f.path) : null,
    })),
  };
}

const text = (description: string, maxLength = MAX_FIELD) => ({ type: 'string', maxLength, description });

/** The publish form (documented; the handler reads the parts itself). */
const publishForm = {
  type: 'object',
  description:
    'One or more `file` parts, or one `torrent` part (torrent-only), or `upload` (a finished tus upload), with text fields',
  required: ['title'],
  properties: {
    file: {
      type: 'array',
      items: { type: 'string', format: 'binary' },
      description: "The item's files (repeat the part); their names become the paths",
    },
    torrent: { type: 'string', format: 'binary', description: 'A .torrent alone: a torrent-only item' },
    upload: text('The id of a finished tus upload (`/api/v1/uploads`)', 200),
    ...itemFieldFormSchemas(),
    license: text('An SPDX id or a Creative Commons URL', 200),
    tags: text('Comma-separated', 2000),
    channel: text("The name of one of the owner's channels", 64),
    format: {
      type: 'string',
      enum: ['v1', 'hybrid'],
      description: "The torrent's format (default: the site's)",
    },
  },
} as const;

export async function itemRoutes(app: FastifyInstance, options: ItemRoutesOptions): Promise<void> {
  const { items, links } = options;
  await app.register(itemCheckRoutes, options); // POST /api/v1/items/check (issue 19)

  app.post(
    '/api/v1/items',
    {
      schema: {
        summary: 'Publish files (multipart), a finished tus upload, or a .torrent alone',
        tags: ['items'],
        security: signedIn,
        headers: { type: 'object', properties: { authorization: { type: 'string' } } },
        multipartBody: publishForm,
        response: { 201: ref('Item', 'The published item'), ...errors },
      },
    },
    async (request, reply) => {
      const owner = await authenticate(request, options.tokens, options.resolveUser);
      limitAction(reply, { action: 'uploads', user: owner });
      if (!request.isMultipart()) throw new SeedcastError('HTTP_UNSUPPORTED', 'send multipart/form-data');
      const length = Number(request.headers['content-length']);
      // files stream straight into the blob store while their torrent is hashed
      const draft = await options.publisher.draftFor(owner, {
        ...draftLimits(options),
        expectedBytes: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
      });
      let published: Published;
      try {
        const { fields, torrent } = await readParts(request, draft);
        const upload = fields.upload?.trim();
        if (torrent && upload)
          throw new SeedcastError('ITEM_INVALID', 'upload: send an upload id or a torrent part, not both');
        if (upload && draft.files.length > 0)
          throw new SeedcastError('ITEM_INVALID', 'upload: send file parts or an upload, not both');
        published = torrent
          ? await options.publisher.publishTorrent(owner, torrent, fields)
          : upload === undefined || upload === ''
            ? await options.publisher.publish(owner, draft, fields)
            : await publishUpload(options, owner, upload, fields);
      } catch (err) {
        await draft.discard(); // a refused or failed upload leaves no blob
        // The rest of the body is not read: close the connection after answering rather than keep it.
        if (!request.raw.complete) reply.header('connection', 'close');
        throw err;
      }
      // Media work (facts, thumbnail, derivatives) through the job queue, else the in-process analyzer.
      if (options.processing?.enqueue) await options.processing.enqueue(published.item.id);
      else options.media?.add(published.item.id);
      reply.code(201);
      const media = options.processing ? await options.processing.view(published.item) : undefined;
      return {
        ...itemView(published.item, links, options.archiver),
        ...(media ? { processing: media.processing, derivatives: media.derivatives } : {}),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/items/:id',
    {
      schema: {
        summary: 'An item with its swarm numbers (451 when taken down, except to admins)',
        tags: ['items'],
        params: idParams,
        response: { 200: ref('Item', 'The item, with `swarm` and `traffic`'), ...errors },
      },
    },
    async (request) => {
      const item = await items.get(request.params.id);
      if (item?.status === 'taken_down') {
        // Admins see what was taken down and why; everyone else: unavailable for legal reasons.
        const viewer = await authenticate(request, options.tokens, options.resolveUser).catch(
          () => undefined,
        );
        if (!canModerate(viewer)) throw new SeedcastError('ITEM_TAKEN_DOWN', `item ${item.id}`);
        return { ...itemView(item, links), takedown: { reason: item.takedownReason, at: item.takenDownAt } };
      }
      if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${request.params.id}`);
      const counts =
        options.tracker && item.infoHash
          ? await options.tracker.stats(item.infoHash)
          : { seeders: 0, leechers: 0, completed: 0 };
      const traffic = await itemTraffic(options, item);
      const peer = traffic.tcp + traffic.webrtc;
      const http = traffic.httpPlayer + traffic.httpDownload;
      const archiving = options.archiver?.progress(item.id);
      // Pieces that failed their check in storage (bit rot, a lost blob): served by no one here.
      const damaged = options.seeding.damaged(item.id).length;
      const media = options.processing ? await options.processing.view(item) : undefined;
      return {
        ...itemView(item, links, options.archiver),
        ...(media ? { processing: media.processing, derivatives: media.derivatives } : {}),
        ...(archiving ? { archiving } : {}),
        ...(damaged > 0 ? { damaged: { pieces: damaged } } : {}),
        swarm: {
          ...counts,
          served: { peer, webSeed: traffic.webSeed, http, total: traffic.site },
          saved: traffic.saved,
        },
        traffic,
      };
    },
  );
}
