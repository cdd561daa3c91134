/**
 * The owner's item pages (issue 19): `GET|POST /items/:id/edit` (every metadata field, the channel,
 * a new thumbnail; multipart from the page, URL-encoded also accepted) and `GET|POST
 * /items/:id/delete` (a confirmation, then the delete). Owner or admin (others 403; visitors are sent
 * to log in); every POST checks the CSRF field. The rules are the API's own (`item-edit-ops.ts`: the
 * same `editableItem`, `metadataPatch` and `removeItem` as `PATCH|DELETE /api/v1/items/:id`); an
 * ITEM_INVALID refusal re-shows the form with the message at its field and what was typed kept. A
 * thumbnail is checked by its first bytes (JPEG, PNG or WebP, at most 5 MiB) and stored beside the
 * item's other blobs under a new key (`items/<id>/thumbnail-<time>.<ext>`; the old one is deleted).
 */

import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { ITEM_FIELD_NAMES, type Item, type User } from '../../catalog/index.js';
import { ERRORS, isSeedcastError, SeedcastError } from '../../errors.js';
import { blobKey } from '../../storage/index.js';
import type { SiteServices } from '../app.js';
import type { FormErrors } from '../pages/components.js';
import { editValues, ItemDeletePage, ItemEditPage, type ItemEditValues } from '../pages/item-edit.js';
import type { PageContext } from '../pages/layout.js';
import { CSRF_FIELD, checkCsrf } from '../session.js';
import { multipartFailure, readFilePart } from '../upload-parts.js';
import { editableItem, metadataPatch, removeItem } from './item-edit-ops.js';
import { imageKind, THUMBNAIL_MAX_BYTES, thumbnailType } from './item-edit-thumbnail.js';
import type { PageKit } from './pages.js';

/** The form's fields: the declared ones (`src/catalog/item-fields.ts`) and the others. */
const FIELDS = [...ITEM_FIELD_NAMES, 'license', 'tags', 'channel'] as const;

interface EditForm {
  fields: Record<string, string>;
  thumbnail?: Buffer;
}

/** The edit form's fields and thumbnail, from a multipart or URL-encoded body. */
async function readEditForm(request: FastifyRequest): Promise<EditForm> {
  if (!request.isMultipart()) return { fields: (request.body as Record<string, string> | undefined) ?? {} };
  const fields: Record<string, string> = {};
  let thumbnail: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await readFilePart(
          part.file,
          THUMBNAIL_MAX_BYTES,
          () => new SeedcastError('ITEM_INVALID', 'thumbnail: at most 5 MiB'),
        );
        if (part.fieldname === 'thumbnail' && bytes.length > 0) thumbnail = bytes;
      } else if (typeof part.value === 'string' && !(part.fieldname in fields)) {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    multipartFailure(err);
  }
  return thumbnail ? { fields, thumbnail } : { fields };
}

/** A refusal as the form's errors: at its field when the message names one of the form's. */
function formErrors(err: unknown): FormErrors | undefined {
  // Another account's channel is a 403 in the API; on the form it is the channel field's message.
  if (isSeedcastError(err, 'FORBIDDEN')) {
    const channel = /(?:^|: )channel: (.*)$/s.exec(err.message);
    return channel ? { channel: channel[1]! } : undefined;
  }
  if (!isSeedcastError(err, 'ITEM_INVALID')) return undefined;
  const detail = err.message.startsWith(`${ERRORS.ITEM_INVALID.message}: `)
    ? err.message.slice(ERRORS.ITEM_INVALID.message.length + 2)
    : err.message;
  const match = /^([a-z]+)(?:\[\d+\])?: (.*)$/s.exec(detail);
  const field = match?.[1];
  if (field && (FIELDS.includes(field as (typeof FIELDS)[number]) || field === 'thumbnail'))
    return { [field]: match[2] };
  return { form: detail };
}

/** Page routes stay out of the OpenAPI document. */
const PAGE = { schema: { hide: true } as FastifySchema };

const itemId = (id: string) => (/^\d{1,12}$/.test(id) ? Number(id) : 0);

export async function itemEditPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const site: SiteServices = kit.site;
  await app.register(multipart, {
    limits: { fileSize: THUMBNAIL_MAX_BYTES + 1, files: 1, fields: 20, fieldSize: 100_000, parts: 22 },
  });

  /** The visitor's account and the item they may change; undefined after sending them to log in. */
  const owner = async (
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    path: string,
  ): Promise<{ ctx: PageContext; user: User; item: Item } | undefined> => {
    const ctx = await kit.context(request, reply);
    const user = ctx.visitor.user;
    if (!user) {
      reply.redirect(`/login?next=${encodeURIComponent(`/items/${itemId(request.params.id)}/${path}`)}`, 303);
      return undefined;
    }
    const item = await editableItem(site.items, itemId(request.params.id), user);
    return { ctx, user, item };
  };

  const editPage = async (
    reply: FastifyReply,
    s: { ctx: PageContext; item: Item },
    form: { values?: ItemEditValues; errors?: FormErrors; saved?: boolean } = {},
  ) => {
    const channels = await site.channels.byOwner(s.item.ownerId);
    const page = ItemEditPage({
      ctx: s.ctx,
      data: {
        item: s.item,
        channels,
        values: form.values ?? editValues(s.item, channels),
        captions: site.captions !== undefined,
        ...(form.errors ? { errors: form.errors } : {}),
        ...(form.saved ? { saved: true } : {}),
      },
    });
    return kit.send(reply, page, form.errors ? 400 : 200);
  };

  app.get<{ Params: { id: string } }>('/items/:id/edit', PAGE, async (request, reply) => {
    const s = await owner(request, reply, 'edit');
    if (!s) return reply;
    return editPage(reply, s);
  });

  app.post<{ Params: { id: string } }>('/items/:id/edit', PAGE, async (request, reply) => {
    const s = await owner(request, reply, 'edit');
    if (!s) return reply;
    const { fields, thumbnail } = await readEditForm(request);
    checkCsrf(s.ctx.visitor, fields[CSRF_FIELD]);
    const values = Object.fromEntries(FIELDS.map((f) => [f, fields[f] ?? ''])) as unknown as ItemEditValues;
    let newKey: string | undefined;
    try {
      const body = Object.fromEntries(
        FIELDS.filter((f) => fields[f] !== undefined).map((f) => [f, fields[f]]),
      );
      const patch = await metadataPatch(body, s.item, site);
      if (thumbnail) {
        const kind = imageKind(thumbnail);
        if (!kind) throw new SeedcastError('ITEM_INVALID', 'thumbnail: a JPEG, PNG or WebP image');
        newKey = blobKey('items', s.item.id, `thumbnail-${Date.now()}.${kind}`);
        await site.blobs.put(newKey, thumbnail, {
          size: thumbnail.length,
          contentType: thumbnailType(newKey),
        });
      }
      const updated = await site.items.update(s.item.id, {
        ...patch,
        ...(newKey ? { thumbnailKey: newKey } : {}),
      });
      if (!updated) throw new SeedcastError('NOT_FOUND', `no item ${s.item.id}`);
      const old = s.item.thumbnailKey;
      if (newKey && old && old !== newKey)
        await site.blobs
          .delete(old)
          .catch((err: unknown) => request.log.warn({ err, key: old }, 'cannot delete blob'));
      return reply.redirect(`/items/${s.item.id}`, 303);
    } catch (err) {
      if (newKey) await site.blobs.delete(newKey).catch(() => undefined);
      const errors = formErrors(err);
      if (!errors) throw err;
      return editPage(reply, s, { values, errors });
    }
  });

  app.get<{ Params: { id: string } }>('/items/:id/delete', PAGE, async (request, reply) => {
    const s = await owner(request, reply, 'delete');
    if (!s) return reply;
    const captions = (await site.captions?.captions(s.item.id))?.length ?? 0;
    return kit.send(reply, ItemDeletePage({ ctx: s.ctx, item: s.item, captions }));
  });

  app.post<{ Params: { id: string }; Body: Record<string, string> | undefined }>(
    '/items/:id/delete',
    PAGE,
    async (request, reply) => {
      const s = await owner(request, reply, 'delete');
      if (!s) return reply;
      checkCsrf(s.ctx.visitor, request.body?.[CSRF_FIELD]);
      const itemOwner = s.item.ownerId === s.user.id ? s.user : await site.users.byId(s.item.ownerId);
      await removeItem(s.item, site, {
        warn: (err, key) => request.log.warn({ err, key }, 'cannot delete blob'),
      });
      const to = itemOwner ? `/users/${encodeURIComponent(itemOwner.username)}` : '/';
      return reply.redirect(`${to}?deleted=${encodeURIComponent(s.item.title.slice(0, 200))}`, 303);
    },
  );
}
