/**
 * Captions and chapters over HTTP (issue 18):
 * - `GET /api/v1/items/:id/captions` lists an item's captions; `POST` (owner or admin; multipart
 *   `file` (WebVTT or SRT, UTF-8), `language` (BCP 47), optional `label` and `kind`) stores one,
 *   replacing the same language; `DELETE /api/v1/items/:id/captions/:language` removes one.
 * - `GET|PUT /api/v1/items/:id/chapters`: the podcast JSON chapters (`PUT` by owner or admin; an
 *   empty list removes them).
 * - `GET /items/:id/captions/:lang.vtt` (`text/vtt`) and `GET /items/:id/chapters.json`
 *   (`application/json+chapters`): the files players and podcast apps read, cacheable, with
 *   `Access-Control-Allow-Origin: *` so players on other sites may load them.
 * Changes count against the `captions` action limit; taken-down items answer as elsewhere.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Item, ItemRepository, TokenRepository, User } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { CAPTION_LIMITS, type CaptionRecord, type Captions } from '../../media/index.js';
import { limitAction } from '../action-limits.js';
import { authenticate, type UserResolver } from '../auth.js';
import { captionForm, chaptersSchema } from '../schemas/captions.js';
import { fileSchemas } from '../schemas/files.js';
import { empty, errors, ref, signedIn } from '../schemas/index.js';
import { multipartFailure, readFilePart } from '../upload-parts.js';

export interface CaptionRoutesOptions {
  items: ItemRepository;
  tokens: TokenRepository;
  resolveUser?: UserResolver;
  captions: Captions;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

const chaptersAnswer = {
  type: 'object',
  description: 'The chapters, and the URL of their JSON file (null when there are none)',
  required: ['version', 'chapters', 'url'],
  properties: { ...chaptersSchema.properties, url: { type: ['string', 'null'] } },
} as const;

const languageParams = {
  type: 'object',
  required: ['id', 'language'],
  properties: { id: { type: 'integer', minimum: 1 }, language: { type: 'string', maxLength: 40 } },
} as const;

/** The item when `user` may change its captions: its owner or an admin (403; 404 when none). */
export async function captionEditable(items: ItemRepository, id: number, user: User): Promise<Item> {
  const item = await items.get(id);
  if (!item || (item.status !== 'ready' && user.role !== 'admin'))
    throw new SeedcastError('NOT_FOUND', `no item ${id}`);
  if (item.ownerId !== user.id && user.role !== 'admin')
    throw new SeedcastError('FORBIDDEN', 'not your item');
  return item;
}

export function captionJson(c: CaptionRecord) {
  return { language: c.language, label: c.label, kind: c.kind, url: c.url, cues: c.cues, bytes: c.bytes };
}

/** The fields and file of a caption upload (the file read into memory, at most 2 MiB). */
export async function readCaptionParts(
  request: FastifyRequest,
): Promise<{ fields: Record<string, string>; file?: { bytes: Buffer; filename: string } }> {
  if (!request.isMultipart()) throw new SeedcastError('HTTP_UNSUPPORTED', 'send multipart/form-data');
  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; filename: string } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          throw new SeedcastError('HTTP_BAD_REQUEST', 'send one file part named "file"');
        }
        const bytes = await readFilePart(
          part.file,
          CAPTION_LIMITS.bytes,
          () => new SeedcastError('CAPTION_TOO_LARGE', `at most ${CAPTION_LIMITS.bytes} bytes (2 MiB)`),
        );
        file = { bytes, filename: part.filename ?? '' };
      } else if (typeof part.value === 'string' && part.value.length <= 2000 && !(part.fieldname in fields)) {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    multipartFailure(err);
  }
  return file ? { fields, file } : { fields };
}

/** A ready item for the public files, else NOT_FOUND (or ITEM_TAKEN_DOWN). */
async function publicItem(items: ItemRepository, id: string): Promise<Item> {
  const item = /^\d{1,12}$/.test(id) ? await items.get(Number(id)) : undefined;
  if (item?.status === 'taken_down') throw new SeedcastError('ITEM_TAKEN_DOWN', `item ${item.id}`);
  if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${id.slice(0, 20)}`);
  return item;
}

function publicFile(reply: FastifyReply, request: FastifyRequest, type: string, etag: string): boolean {
  reply
    .type(type)
    .header('etag', etag)
    .header('cache-control', 'public, max-age=300')
    .header('access-control-allow-origin', '*')
    .header('x-content-type-options', 'nosniff');
  const inm = request.headers['if-none-match'];
  return inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag) ?? false;
}

export async function captionRoutes(app: FastifyInstance, options: CaptionRoutesOptions): Promise<void> {
  const { items, captions } = options;
  const user = (request: FastifyRequest) => authenticate(request, options.tokens, options.resolveUser);

  app.get<{ Params: { id: number } }>(
    '/api/v1/items/:id/captions',
    {
      schema: {
        summary: "An item's captions",
        tags: ['captions'],
        params: idParams,
        response: {
          200: {
            type: 'object',
            description: 'The caption tracks',
            required: ['captions'],
            properties: { captions: { type: 'array', items: ref('Caption') } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const item = await publicItem(items, String(request.params.id));
      return { captions: (await captions.list(item.id)).map(captionJson) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/v1/items/:id/captions',
    {
      schema: {
        summary: 'Add captions in one language (owner or admin; replaces that language)',
        tags: ['captions'],
        security: signedIn,
        params: idParams,
        multipartBody: captionForm,
        response: { 201: ref('Caption', 'The stored captions'), ...errors },
      },
    },
    async (request, reply) => {
      const u = await user(request);
      limitAction(reply, { action: 'captions', user: u });
      const item = await captionEditable(items, request.params.id, u);
      const { fields, file } = await readCaptionParts(request);
      if (!file) throw new SeedcastError('CAPTION_INVALID', 'file: send the WebVTT or SRT file as "file"');
      if (!fields.language) throw new SeedcastError('CAPTION_INVALID', 'language: required (e.g. en)');
      const stored = await captions.put(item.id, {
        language: fields.language,
        ...(fields.label !== undefined ? { label: fields.label } : {}),
        ...(fields.kind !== undefined ? { kind: fields.kind } : {}),
        bytes: file.bytes,
        filename: file.filename,
      });
      reply.code(201);
      return captionJson(stored);
    },
  );

  app.delete<{ Params: { id: number; language: string } }>(
    '/api/v1/items/:id/captions/:language',
    {
      schema: {
        summary: 'Remove the captions in one language (owner or admin)',
        tags: ['captions'],
        security: signedIn,
        params: languageParams,
        response: { 204: empty('Removed'), ...errors },
      },
    },
    async (request, reply) => {
      const u = await user(request);
      limitAction(reply, { action: 'captions', user: u });
      const item = await captionEditable(items, request.params.id, u);
      if (!(await captions.delete(item.id, request.params.language)))
        throw new SeedcastError('NOT_FOUND', `no captions in "${request.params.language.slice(0, 40)}"`);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/items/:id/chapters',
    {
      schema: {
        summary: "An item's chapters (an empty list when it has none)",
        tags: ['captions'],
        params: idParams,
        response: { 200: chaptersAnswer, ...errors },
      },
    },
    async (request) => {
      const item = await publicItem(items, String(request.params.id));
      const chapters = await captions.chapters(item.id);
      return {
        ...(chapters ?? { version: '1.2.0', chapters: [] }),
        url: await captions.chaptersUrl(item.id),
      };
    },
  );

  app.put<{ Params: { id: number }; Body: unknown }>(
    '/api/v1/items/:id/chapters',
    {
      schema: {
        summary: 'Set the chapters (owner or admin; an empty list removes them)',
        tags: ['captions'],
        security: signedIn,
        params: idParams,
        // Checked by the captions service, which names the field at fault: described, not validated here.
        bodyContent: { 'application/json': ref('Chapters') },
        response: { 200: chaptersAnswer, ...errors },
      },
      bodyLimit: 512 * 1024,
    },
    async (request, reply) => {
      const u = await user(request);
      limitAction(reply, { action: 'captions', user: u });
      const item = await captionEditable(items, request.params.id, u);
      const stored = await captions.putChapters(item.id, request.body);
      return { ...(stored ?? { version: '1.2.0', chapters: [] }), url: await captions.chaptersUrl(item.id) };
    },
  );

  app.get<{ Params: { id: string; lang: string } }>(
    '/items/:id/captions/:lang.vtt',
    { schema: fileSchemas.captionsFile },
    async (request, reply) => {
      const item = await publicItem(items, request.params.id);
      const file = await captions.file(item.id, request.params.lang);
      if (!file) throw new SeedcastError('NOT_FOUND', `no captions in "${request.params.lang.slice(0, 40)}"`);
      if (publicFile(reply, request, 'text/vtt; charset=utf-8', file.etag)) return reply.code(304).send();
      return reply.send(file.body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/items/:id/chapters.json',
    { schema: fileSchemas.chaptersFile },
    async (request, reply) => {
      const item = await publicItem(items, request.params.id);
      const chapters = await captions.chapters(item.id);
      if (!chapters) throw new SeedcastError('NOT_FOUND', `item ${item.id} has no chapters`);
      const body = `${JSON.stringify(chapters)}\n`;
      const etag = `"${Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)))
        .toString('base64url')
        .slice(0, 32)}"`;
      if (publicFile(reply, request, 'application/json+chapters; charset=utf-8', etag))
        return reply.code(304).send();
      return reply.send(body);
    },
  );
}
