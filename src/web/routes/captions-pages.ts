/**
 * The item page's caption and chapter forms (issue 18), without JavaScript: `POST /items/:id/captions`
 * (multipart: the CSRF field, the file, language, label, kind), `POST /items/:id/captions/:language/delete`
 * and `POST /items/:id/chapters` (the editor's text, one chapter a line). Owner or admin; the same
 * `captions` action limit as the API; success is a 303 back to the item page's panel, a refusal the
 * error page with the registry's message. `captionsPanel` renders the panel for the item page.
 */

import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Item } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import { CAPTION_LIMITS, Captions, chaptersFromText } from '../../media/index.js';
import { limitAction } from '../action-limits.js';
import type { SiteServices } from '../app.js';
import type { Child } from '../html/jsx.js';
import { ItemCaptions } from '../pages/item-captions.js';
import type { PageContext } from '../pages/layout.js';
import { CSRF_FIELD, checkCsrf } from '../session.js';
import { captionEditable, readCaptionParts } from './captions.js';
import type { PageKit } from './pages.js';

/** The item page's captions and chapters panel (null when the site keeps no captions). */
export async function captionsPanel(site: SiteServices, ctx: PageContext, item: Item): Promise<Child> {
  if (!(site.captions instanceof Captions)) return null;
  const [captions, chapters] = await Promise.all([
    site.captions.list(item.id),
    site.captions.chapters(item.id),
  ]);
  const viewer = ctx.visitor.user;
  const editable = viewer !== undefined && (viewer.id === item.ownerId || viewer.role === 'admin');
  return ItemCaptions({ ctx, data: { item, captions, chapters, editable } });
}

const itemId = (id: string) => (/^\d{1,12}$/.test(id) ? Number(id) : 0);

export async function captionPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const captions = site.captions;
  if (!(captions instanceof Captions)) return;
  await app.register(multipart, {
    limits: { fileSize: CAPTION_LIMITS.bytes + 1, files: 1, fields: 10, fieldSize: 2000, parts: 12 },
  });
  const back = (reply: FastifyReply, id: number) => reply.redirect(`/items/${id}#captions`, 303);
  const signedIn = async (request: Parameters<PageKit['context']>[0], reply: FastifyReply) => {
    const ctx = await kit.context(request, reply);
    if (!ctx.visitor.user) throw new SeedcastError('AUTH_REQUIRED', 'log in first');
    return { ctx, user: ctx.visitor.user };
  };

  app.post<{ Params: { id: string } }>('/items/:id/captions', async (request, reply) => {
    const { ctx, user } = await signedIn(request, reply);
    const { fields, file } = await readCaptionParts(request);
    checkCsrf(ctx.visitor, fields[CSRF_FIELD]);
    limitAction(reply, { action: 'captions', user });
    const item = await captionEditable(site.items, itemId(request.params.id), user);
    if (!file || file.bytes.length === 0)
      throw new SeedcastError('CAPTION_INVALID', 'file: choose a WebVTT or SRT file');
    await captions.put(item.id, {
      language: fields.language ?? '',
      ...(fields.label !== undefined ? { label: fields.label } : {}),
      ...(fields.kind !== undefined ? { kind: fields.kind } : {}),
      bytes: file.bytes,
      filename: file.filename,
    });
    return back(reply, item.id);
  });

  app.post<{ Params: { id: string; language: string }; Body: Record<string, string> | undefined }>(
    '/items/:id/captions/:language/delete',
    async (request, reply) => {
      const { ctx, user } = await signedIn(request, reply);
      checkCsrf(ctx.visitor, request.body?.[CSRF_FIELD]);
      limitAction(reply, { action: 'captions', user });
      const item = await captionEditable(site.items, itemId(request.params.id), user);
      if (!(await captions.delete(item.id, request.params.language)))
        throw new SeedcastError('NOT_FOUND', `no captions in "${request.params.language.slice(0, 40)}"`);
      return back(reply, item.id);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, string> | undefined }>(
    '/items/:id/chapters',
    async (request, reply) => {
      const { ctx, user } = await signedIn(request, reply);
      checkCsrf(ctx.visitor, request.body?.[CSRF_FIELD]);
      limitAction(reply, { action: 'captions', user });
      const item = await captionEditable(site.items, itemId(request.params.id), user);
      await captions.putChapters(item.id, chaptersFromText(request.body?.chapters ?? ''));
      return back(reply, item.id);
    },
  );
}
