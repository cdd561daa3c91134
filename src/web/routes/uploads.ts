/**
 * tus 1.0 resumable uploads over HTTP at `/api/v1/uploads` (https://tus.io/protocols/resumable-upload):
 * core (HEAD, PATCH with `application/offset+octet-stream`, OPTIONS), creation, creation-with-upload,
 * creation-defer-length, termination, expiration and checksum (sha1, sha256). Every answer carries
 * `Tus-Resumable: 1.0.0`; a request with another version is 412. `X-HTTP-Method-Override` on a POST to
 * an upload's URL stands for PATCH, HEAD or DELETE. Only the parsing of headers lives here; the
 * `Uploads` service (`src/publishing/uploads.ts`) does the rest.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ItemRepository, SiteLinks, TokenRepository, Upload, User } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import {
  CHECKSUM_ALGORITHMS,
  parseUploadChecksum,
  parseUploadMetadata,
  type Uploads,
} from '../../publishing/index.js';
import { limitAction } from '../action-limits.js';
import { authenticate, type UserResolver } from '../auth.js';
import type { SiteLimits } from '../limits.js';
import { tusSchemas } from '../schemas/tus.js';
import { refuseKnownContent } from './item-check.js';

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'termination',
  'expiration',
  'checksum',
];
const OCTETS = 'application/offset+octet-stream';

export interface UploadRoutesOptions {
  uploads: Uploads;
  tokens: TokenRepository;
  links: SiteLinks;
  limits: SiteLimits;
  /** Published content by SHA-256: a creation whose `Upload-Metadata` names known content is 409. */
  items?: Pick<ItemRepository, 'withContent'>;
  /** Another way to find the request's user (e.g. a session cookie), tried when there is no Bearer token. */
  resolveUser?: UserResolver;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** A header's single value (a repeated header is refused). */
function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) throw new SeedcastError('UPLOAD_INVALID', `${name}: sent more than once`);
  return value;
}

/** A non-negative whole number header. */
function count(request: FastifyRequest, name: string): number | undefined {
  const value = header(request, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value.trim())) throw new SeedcastError('UPLOAD_INVALID', `${name}: a whole number`);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n)) throw new SeedcastError('UPLOAD_INVALID', `${name}: too large`);
  return n;
}

function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([k, v]) => (v === '' ? k : `${k} ${Buffer.from(v, 'utf8').toString('base64')}`))
    .join(',');
}

function setUploadHeaders(reply: FastifyReply, upload: Upload): void {
  reply.header('Upload-Offset', String(upload.offset));
  if (upload.expiresAt !== null && upload.completedAt === null) {
    reply.header('Upload-Expires', new Date(upload.expiresAt).toUTCString());
  }
}

export async function uploadRoutes(app: FastifyInstance, options: UploadRoutesOptions): Promise<void> {
  const { uploads, limits } = options;
  const user = (request: FastifyRequest): Promise<User> =>
    authenticate(request, options.tokens, options.resolveUser);

  // PATCH bodies (and creation-with-upload) are read as streams by the handler, never buffered.
  app.addContentTypeParser(OCTETS, (_request, _payload, done) => done(null));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Tus-Resumable', TUS_VERSION);
    if (request.method === 'OPTIONS') return;
    if (header(request, 'tus-resumable') !== TUS_VERSION) {
      reply.header('Tus-Version', TUS_VERSION);
      throw new SeedcastError('UPLOAD_VERSION');
    }
  });

  const describe = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply
      .code(204)
      .header('Tus-Version', TUS_VERSION)
      .header('Tus-Extension', TUS_EXTENSIONS.join(','))
      .header('Tus-Max-Size', String(limits.uploadBytes))
      .header('Tus-Checksum-Algorithm', CHECKSUM_ALGORITHMS.join(','));
    return reply.send();
  };
  app.options('/api/v1/uploads', { schema: tusSchemas.describe }, describe);
  app.options('/api/v1/uploads/:id', { schema: tusSchemas.describeOne }, describe);

  const body = (request: FastifyRequest): AsyncIterable<Uint8Array> => request.raw;

  app.post('/api/v1/uploads', { schema: tusSchemas.create }, async (request, reply) => {
    const owner = await user(request);
    limitAction(reply, { action: 'resumable-uploads', user: owner });
    const length = count(request, 'upload-length');
    const defer = header(request, 'upload-defer-length');
    if (defer !== undefined && defer.trim() !== '1')
      throw new SeedcastError('UPLOAD_INVALID', 'Upload-Defer-Length: must be 1');
    if ((length === undefined) === (defer === undefined)) {
      throw new SeedcastError('UPLOAD_INVALID', 'send either Upload-Length or Upload-Defer-Length: 1');
    }
    const metadata = parseUploadMetadata(header(request, 'upload-metadata'));
    // A client that says what it sends learns now, not after the bytes, that it is published already.
    if (metadata.sha256 !== undefined && options.items)
      await refuseKnownContent(metadata.sha256, { items: options.items, links: options.links, reply });
    const checksum = parseUploadChecksum(header(request, 'upload-checksum'));
    let upload = await uploads.create(owner.id, {
      length: length ?? null,
      metadata,
      maxBytes: limits.uploadBytes,
      owner,
    });
    const contentLength = count(request, 'content-length');
    if (request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === OCTETS) {
      upload = await uploads.append(owner.id, upload.id, {
        offset: 0,
        contentLength,
        body: body(request),
        checksum,
        maxBytes: limits.uploadBytes,
        owner,
      });
    }
    reply.code(201).header('Location', `${options.links.root}/api/v1/uploads/${upload.id}`);
    setUploadHeaders(reply, upload);
    return reply.send();
  });

  const head = async (request: IdRequest, reply: FastifyReply) => {
    const owner = await user(request);
    const upload = await uploads.status(owner.id, request.params.id);
    reply.code(200).header('Cache-Control', 'no-store');
    setUploadHeaders(reply, upload);
    if (upload.length === null) reply.header('Upload-Defer-Length', '1');
    else reply.header('Upload-Length', String(upload.length));
    if (Object.keys(upload.metadata).length > 0)
      reply.header('Upload-Metadata', encodeMetadata(upload.metadata));
    return reply.send();
  };

  const patch = async (request: IdRequest, reply: FastifyReply) => {
    const owner = await user(request);
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== OCTETS) throw new SeedcastError('HTTP_UNSUPPORTED', `send Content-Type: ${OCTETS}`);
    const offset = count(request, 'upload-offset');
    if (offset === undefined) throw new SeedcastError('UPLOAD_INVALID', 'Upload-Offset: required');
    const upload = await uploads.append(owner.id, request.params.id, {
      offset,
      length: count(request, 'upload-length'),
      contentLength: count(request, 'content-length'),
      body: body(request),
      checksum: parseUploadChecksum(header(request, 'upload-checksum')),
      maxBytes: limits.uploadBytes,
      owner,
    });
    reply.code(204);
    setUploadHeaders(reply, upload);
    return reply.send();
  };

  const terminate = async (request: IdRequest, reply: FastifyReply) => {
    const owner = await user(request);
    await uploads.terminate(owner.id, request.params.id);
    return reply.code(204).send();
  };

  app.head(
    '/api/v1/uploads/:id',
    { schema: tusSchemas.head, config: { swagger: { exposeHeadRoute: true } } },
    head,
  );
  app.patch('/api/v1/uploads/:id', { schema: tusSchemas.patch }, patch);
  app.delete('/api/v1/uploads/:id', { schema: tusSchemas.terminate }, terminate);
  // X-HTTP-Method-Override, for clients that can only send GET and POST
  app.post('/api/v1/uploads/:id', { schema: tusSchemas.override }, async (request: IdRequest, reply) => {
    const method = header(request, 'x-http-method-override')?.trim().toUpperCase();
    if (method === 'PATCH') return patch(request, reply);
    if (method === 'HEAD') return head(request, reply);
    if (method === 'DELETE') return terminate(request, reply);
    throw new SeedcastError(
      'UPLOAD_INVALID',
      'POST to an upload needs X-HTTP-Method-Override: PATCH, HEAD or DELETE',
    );
  });
}
