/**
 * The upload page's routes: `GET /upload` shows the form (visitors without an account are sent to
 * log in), `POST /upload` is the form's answer without JavaScript: a multipart body (RFC 7578) with
 * the CSRF field first, then one or more media files (or one `.torrent` for torrent-only publishing)
 * and the metadata, published through the same `Publisher` as `POST /api/v1/items`; success is a
 * 303 to the new item's page, refused input re-shows the form with the errors next to their fields
 * and the typed values kept. With JavaScript the page uses tus and the API instead (`upload.js`).
 */

import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ITEM_FIELD_NAMES, type User } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import type { Published, PublishFields, UploadDraft } from '../../publishing/index.js';
import { limitAction } from '../action-limits.js';
import type { FormErrors } from '../pages/components.js';
import type { PageContext } from '../pages/layout.js';
import { UploadPage, type UploadValues } from '../pages/upload.js';
import { CSRF_FIELD, checkCsrf } from '../session.js';
import type { PageKit } from './pages.js';

/** The form's text fields: the declared ones (`src/catalog/item-fields.ts`) and the others. */
const TEXT_FIELDS = ['mode', ...ITEM_FIELD_NAMES, 'license', 'license_other', 'tags', 'channel'] as const;
const MAX_FIELD = 20_000;
const MAX_TORRENT = 10 * 1024 * 1024;
const ERROR_FIELDS = new Set<string>([...TEXT_FIELDS, 'file', 'torrent', 'upload']);

/** The licence the form chose: a listed one, another SPDX id typed in, or none. */
export function chosenLicense(values: UploadValues): string {
  if (values.license === 'other') return (values.license_other ?? '').trim();
  return (values.license ?? '').trim();
}

/** The form's values as the publisher's fields. */
export function publishFieldsOf(values: UploadValues): PublishFields {
  return {
    ...Object.fromEntries(ITEM_FIELD_NAMES.map((name) => [name, values[name]])),
    license: chosenLicense(values),
    tags: values.tags,
    channel: values.channel || undefined,
  };
}

/**
 * A refusal (`ITEM_INVALID` and friends say "field: why") as errors by field; the licence's error
 * shows at the SPDX box when the visitor typed one.
 */
export function formErrorsOf(err: unknown, values: UploadValues): FormErrors | undefined {
  if (!isSeedcastError(err)) return undefined;
  const shown = ['ITEM_INVALID', 'HTTP_BAD_REQUEST', 'HTTP_TOO_LARGE', 'UPLOAD_INVALID'];
  // storage limits (issue 15): over quota, disk full, torrent too large
  shown.push('QUOTA_EXCEEDED', 'DISK_FULL', 'TORRENT_TOO_LARGE');
  if (!shown.includes(err.code)) return undefined;
  // the message is "<code's text>: <field>: <why>"; the first known field name starts the detail
  for (const match of err.message.matchAll(/(?:^|: )([a-z_]+): /g)) {
    if (!ERROR_FIELDS.has(match[1]!)) continue;
    const field = match[1] === 'license' && values.license === 'other' ? 'license_other' : match[1]!;
    return { [field]: err.message.slice(match.index + match[0].length) };
  }
  return { form: err.message };
}

interface FormParts {
  values: UploadValues;
  torrent?: Buffer;
}

async function readCapped(stream: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > max) throw new SeedcastError('ITEM_INVALID', `torrent: larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads the form: the CSRF field must come before any file (the page puts it first). */
async function readForm(request: FastifyRequest, ctx: PageContext, draft: UploadDraft): Promise<FormParts> {
  const values: UploadValues = {};
  let torrent: Buffer | undefined;
  let csrfChecked = false;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!csrfChecked) {
        part.file.resume();
        checkCsrf(ctx.visitor, undefined);
      }
      if (part.filename === '') {
        // an empty file input still sends a part: nothing was chosen
        part.file.resume();
        continue;
      }
      if (part.fieldname === 'torrent') {
        if (torrent) throw new SeedcastError('ITEM_INVALID', 'torrent: send one .torrent');
        torrent = await readCapped(part.file as AsyncIterable<Buffer>, MAX_TORRENT);
      } else if (part.fieldname === 'file') {
        await draft.add(part.filename, part.file);
      } else {
        part.file.resume();
      }
      continue;
    }
    if (part.fieldname === CSRF_FIELD) {
      checkCsrf(ctx.visitor, part.value);
      csrfChecked = true;
    } else if (
      (TEXT_FIELDS as readonly string[]).includes(part.fieldname) &&
      typeof part.value === 'string'
    ) {
      if (part.valueTruncated || part.value.length > MAX_FIELD)
        throw new SeedcastError('ITEM_INVALID', `${part.fieldname}: too long`);
      values[part.fieldname as keyof UploadValues] = part.value;
    }
  }
  if (!csrfChecked) checkCsrf(ctx.visitor, undefined);
  return torrent ? { values, torrent } : { values };
}

export async function uploadPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site, limits } = kit;
  await app.register(multipart, {
    limits: {
      fileSize: limits.uploadBytes,
      files: limits.uploadFiles + 1,
      fields: 30,
      fieldSize: MAX_FIELD,
      parts: limits.uploadFiles + 31,
      headerPairs: 100,
    },
  });

  const loginFirst = (reply: FastifyReply) => reply.redirect('/login?next=%2Fupload', 303);

  const show = async (
    reply: FastifyReply,
    ctx: PageContext,
    user: User,
    values?: UploadValues,
    errors?: FormErrors,
    status = 400,
  ) => {
    const channels = await site.channels.byOwner(user.id);
    return kit.send(
      reply,
      UploadPage({ ctx, channels, values, errors, maxBytes: limits.uploadBytes }),
      errors ? status : 200,
    );
  };

  app.get('/upload', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    if (!ctx.visitor.user) return loginFirst(reply);
    return show(reply, ctx, ctx.visitor.user);
  });

  app.post('/upload', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const user = ctx.visitor.user;
    if (!user) return loginFirst(reply);
    limitAction(reply, { action: 'uploads', user });
    if (!request.isMultipart()) throw new SeedcastError('HTTP_UNSUPPORTED', 'send multipart/form-data');
    const length = Number(request.headers['content-length']);
    // files stream straight into the blob store while their torrent is hashed
    let draft: UploadDraft | undefined;
    let values: UploadValues = {};
    try {
      draft = await site.publisher.draftFor(user, {
        maxBytes: limits.uploadBytes,
        maxFiles: limits.uploadFiles,
        expectedBytes: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
      });
      const form = await readForm(request, ctx, draft);
      values = form.values;
      const fields = publishFieldsOf(values);
      let published: Published;
      if (values.mode === 'torrent' || form.torrent) {
        if (!form.torrent) throw new SeedcastError('ITEM_INVALID', 'torrent: choose a .torrent file');
        if (draft.files.length > 0)
          throw new SeedcastError('ITEM_INVALID', 'file: send a media file or a .torrent, not both');
        published = await site.publisher.publishTorrent(user, form.torrent, fields);
      } else {
        if (draft.files.length === 0)
          throw new SeedcastError('ITEM_INVALID', 'file: choose a file to publish');
        if (!fields.title?.trim()) throw new SeedcastError('ITEM_INVALID', 'title: required');
        published = await site.publisher.publish(user, draft, fields);
      }
      // media facts, thumbnail and derivatives, in the background (the job queue when there is one)
      if (site.processing?.enqueue) await site.processing.enqueue(published.item.id);
      else site.media?.add(published.item.id);
      return reply.redirect(`/items/${published.item.id}`, 303);
    } catch (err) {
      await draft?.discard(); // a refused or failed upload leaves no blob
      if (!request.raw.complete) reply.header('connection', 'close'); // the rest of the body is not read
      const errors = formErrorsOf(err, values);
      if (!errors || isSeedcastError(err, 'FORBIDDEN')) throw err;
      // limits answer with their own status (413 over quota or too large, 507 disk full)
      const limited = ['QUOTA_EXCEEDED', 'DISK_FULL', 'TORRENT_TOO_LARGE'].includes(
        (err as { code?: string }).code ?? '',
      );
      return show(reply, ctx, user, values, errors, limited ? (err as { status: number }).status : 400);
    }
  });

  // "Try again" on the item page of a torrent-only item whose archiving failed or gave up.
  app.post<{ Params: { id: string }; Body: Record<string, string> | undefined }>(
    '/items/:id/archive',
    async (request, reply) => {
      const ctx = await kit.context(request, reply);
      const user = ctx.visitor.user;
      if (!user) return loginFirst(reply);
      checkCsrf(ctx.visitor, request.body?.[CSRF_FIELD]);
      const id = /^\d{1,12}$/.test(request.params.id) ? Number(request.params.id) : 0;
      const item = await site.items.get(id);
      if (item?.status !== 'ready' || !item.torrentOnly || !site.archiver)
        throw new SeedcastError('NOT_FOUND', `no item ${request.params.id.slice(0, 20)} to archive`);
      if (item.ownerId !== user.id && user.role !== 'admin')
        throw new SeedcastError('FORBIDDEN', 'not your item');
      await site.archiver.retry(item);
      return reply.redirect(`/items/${item.id}`, 303);
    },
  );
}
