/**
 * The collection pages (HTML forms, CSRF-checked, 303 after every change so a reload does not post
 * again): `GET|POST /collections/new` (create; rate-limited as the `collections` action, like the
 * API; `item=ID` starts it with that item), `GET /collections/:id`, `GET|POST /collections/:id/edit`,
 * `POST /collections/:id/delete` (`confirm=yes`), `POST /collections/:id/items` (`item`: add, back
 * to the item page), `POST /collections/add` (`collection` and `item`: the item page's form, whose
 * select chooses the collection), `POST /collections/:id/items/:item/remove` and `.../move`
 * (`direction=up|down`), `GET /users/:name/collections`. `collectionAddPanel()` renders the item
 * page's "Add to collection" form. Without `SiteServices.collections` nothing is registered.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Collection, CollectionRepository, Item, User } from '../../catalog/index.js';
import { ERRORS, isSeedcastError, SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import type { SiteServices } from '../app.js';
import type { Child } from '../html/jsx.js';
import { CollectionPage, UserCollectionsPage } from '../pages/collection.js';
import { CollectionAddForm } from '../pages/collection-add.js';
import {
  type CollectionFormValues,
  EditCollectionPage,
  NewCollectionPage,
} from '../pages/collection-form.js';
import type { FormErrors } from '../pages/components.js';
import { itemToCard } from '../pages/components.js';
import type { PageContext } from '../pages/layout.js';
import { checkCsrf } from '../session.js';
import type { PageKit } from './pages.js';

type Form = Record<string, string | undefined>;
type IdRequest = FastifyRequest<{
  Params: { id: string };
  Body: Form;
  Querystring: Record<string, string | undefined>;
}>;

const ID = /^[1-9][0-9]{0,15}$/;

/** The item page's "Add to collection" panel (nothing for visitors without an account). */
export async function collectionAddPanel(
  site: Pick<SiteServices, 'collections'>,
  ctx: PageContext,
  options: { item: Item; query?: unknown },
): Promise<Child> {
  const user = ctx.visitor.user;
  if (!site.collections || !user) return null;
  const mine = await site.collections.byOwner(user.id, { includeUnlisted: true });
  const collected = (options.query as { collected?: string } | undefined)?.collected;
  const added = mine.find((c) => String(c.id) === collected);
  return CollectionAddForm({ ctx, itemId: options.item.id, collections: mine, ...(added ? { added } : {}) });
}

/** A COLLECTION_INVALID refusal as form errors (by the field it names), else undefined. */
function fieldErrors(err: unknown): FormErrors | undefined {
  if (!isSeedcastError(err, 'COLLECTION_INVALID')) return undefined;
  const detail = err.message.slice(ERRORS.COLLECTION_INVALID.message.length + 2);
  const colon = detail.indexOf(':');
  const field = colon > 0 ? detail.slice(0, colon) : 'form';
  return { [['title', 'description', 'visibility'].includes(field) ? field : 'form']: detail };
}

const formValues = (body: Form | undefined): CollectionFormValues => ({
  title: body?.title ?? '',
  description: (body?.description ?? '').replace(/\r\n/g, '\n'),
  visibility: body?.visibility ?? 'public',
});

export async function collectionPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const collections: CollectionRepository | undefined = kit.site.collections;
  if (!collections) return;
  const { site } = kit;

  /** The signed-in visitor (else a redirect to log in, and undefined), after the CSRF check for posts. */
  const signedIn = async (request: FastifyRequest, reply: FastifyReply, back: string) => {
    const ctx = await kit.context(request, reply);
    if (!ctx.visitor.user) {
      reply.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
      return undefined;
    }
    if (request.method === 'POST') checkCsrf(ctx.visitor, (request.body as Form | undefined)?._csrf);
    return { ctx, user: ctx.visitor.user };
  };
  const collectionOf = async (id: string): Promise<Collection> => {
    const c = ID.test(id) ? await collections.get(Number(id)) : undefined;
    if (!c) throw new SeedcastError('NOT_FOUND', `no collection ${id}`);
    return c;
  };
  const readyItem = async (id: string | undefined): Promise<Item | undefined> => {
    const item = id && ID.test(id) ? await site.items.get(Number(id)) : undefined;
    return item?.status === 'ready' ? item : undefined;
  };

  app.get('/collections/new', { schema: { hide: true } }, async (request: IdRequest, reply) => {
    const s = await signedIn(request, reply, request.url);
    if (!s) return reply;
    const item = await readyItem(request.query.item);
    return kit.send(reply, NewCollectionPage({ ctx: s.ctx, ...(item ? { item } : {}) }));
  });

  app.post('/collections/new', { schema: { hide: true } }, async (request: IdRequest, reply) => {
    const s = await signedIn(request, reply, '/collections/new');
    if (!s) return reply;
    limitAction(reply, { action: 'collections', user: s.user });
    const values = formValues(request.body);
    const item = await readyItem(request.body?.item);
    let created: Collection;
    try {
      created = await collections.create({ ownerId: s.user.id, ...values, title: values.title });
    } catch (err) {
      const errors = fieldErrors(err);
      if (!errors) throw err;
      return kit.send(
        reply,
        NewCollectionPage({ ctx: s.ctx, values, errors, ...(item ? { item } : {}) }),
        400,
      );
    }
    if (item) await collections.addItem(created.id, { actor: s.user, itemId: item.id });
    return reply.redirect(`/collections/${created.id}`, 303);
  });

  app.get('/collections/:id', { schema: { hide: true } }, async (request: IdRequest, reply) => {
    const c = await collectionOf(request.params.id);
    const ctx = await kit.context(request, reply);
    const owner = ctx.visitor.user?.id === c.ownerId;
    const ids = await collections.itemIds(c.id, { includePending: owner });
    const items = (await site.items.many(ids)).map((i) => itemToCard(i));
    if (c.visibility === 'unlisted') reply.header('X-Robots-Tag', 'noindex');
    return kit.send(reply, CollectionPage({ ctx, collection: c, items, owner, root: site.links.root }));
  });

  app.get('/collections/:id/edit', { schema: { hide: true } }, async (request: IdRequest, reply) => {
    const s = await signedIn(request, reply, request.url);
    if (!s) return reply;
    const c = await collections.owned(Number((await collectionOf(request.params.id)).id), s.user);
    const values = { title: c.title, description: c.description, visibility: c.visibility };
    return kit.send(reply, EditCollectionPage({ ctx: s.ctx, id: c.id, values }));
  });

  app.post('/collections/:id/edit', { schema: { hide: true } }, async (request: IdRequest, reply) => {
    const c = await collectionOf(request.params.id);
    const s = await signedIn(request, reply, `/collections/${c.id}/edit`);
    if (!s) return reply;
    const values = formValues(request.body);
    try {
      await collections.update(c.id, { actor: s.user, ...values });
    } catch (err) {
      const errors = fieldErrors(err);
      if (!errors) throw err;
      return kit.send(reply, EditCollectionPage({ ctx: s.ctx, id: c.id, values, errors }), 400);
    }
    return reply.redirect(`/collections/${c.id}`, 303);
  });

  app.post('/collections/:id/delete', { schema: { hide: true } }, async (request: IdRequest, reply) => {
    const c = await collectionOf(request.params.id);
    const s = await signedIn(request, reply, `/collections/${c.id}/edit`);
    if (!s) return reply;
    await collections.owned(c.id, s.user);
    if (request.body?.confirm !== 'yes') {
      const values = { title: c.title, description: c.description, visibility: c.visibility };
      const errors = { confirm: 'Tick the box to confirm.' };
      return kit.send(reply, EditCollectionPage({ ctx: s.ctx, id: c.id, values, errors }), 400);
    }
    await collections.remove(c.id, s.user);
    return reply.redirect(`/users/${encodeURIComponent(s.user.username)}/collections`, 303);
  });

  /** Adds the form's item and goes back to the item page. */
  const add = async (request: IdRequest, reply: FastifyReply, collectionId: string | undefined) => {
    const back = `/items/${ID.test(request.body?.item ?? '') ? request.body!.item : ''}`;
    const s = await signedIn(request, reply, back);
    if (!s) return reply;
    const c = await collectionOf(collectionId ?? '');
    const itemId = Number(request.body?.item);
    if (!ID.test(request.body?.item ?? '')) throw new SeedcastError('COLLECTION_INVALID', 'item: an item id');
    await collections.addItem(c.id, { actor: s.user, itemId });
    return reply.redirect(`/items/${itemId}?collected=${c.id}#collection-add`, 303);
  };
  app.post('/collections/:id/items', { schema: { hide: true } }, (request: IdRequest, reply) =>
    add(request, reply, request.params.id),
  );
  app.post('/collections/add', { schema: { hide: true } }, (request: IdRequest, reply) =>
    add(request, reply, request.body?.collection),
  );

  type ItemRequest = FastifyRequest<{ Params: { id: string; item: string }; Body: Form }>;
  /** The owner's change to one item of the collection, then back to the collection's arrange table. */
  const change =
    (what: (c: Collection, user: User, itemId: number, body: Form | undefined) => Promise<void>) =>
    async (request: ItemRequest, reply: FastifyReply) => {
      const c = await collectionOf(request.params.id);
      const s = await signedIn(request, reply, `/collections/${c.id}`);
      if (!s) return reply;
      const itemId = ID.test(request.params.item) ? Number(request.params.item) : 0;
      await what(c, s.user, itemId, request.body);
      return reply.redirect(`/collections/${c.id}#arrange`, 303);
    };
  app.post(
    '/collections/:id/items/:item/remove',
    { schema: { hide: true } },
    change((c, actor, itemId) => collections.removeItem(c.id, { actor, itemId })),
  );
  app.post(
    '/collections/:id/items/:item/move',
    { schema: { hide: true } },
    change(async (c, actor, itemId, body) => {
      await collections.owned(c.id, actor);
      const order = await collections.itemIds(c.id, { includePending: true });
      const at = order.indexOf(itemId);
      if (at < 0) throw new SeedcastError('NOT_FOUND', `item ${itemId} is not in collection ${c.id}`);
      const to = body?.direction === 'up' ? at - 1 : body?.direction === 'down' ? at + 1 : -2;
      if (to === -2) throw new SeedcastError('COLLECTION_INVALID', 'direction: up or down');
      if (to < 0 || to >= order.length) return;
      [order[at], order[to]] = [order[to]!, order[at]!];
      await collections.reorder(c.id, { actor, itemIds: order });
    }),
  );

  app.get<{ Params: { name: string } }>(
    '/users/:name/collections',
    { schema: { hide: true } },
    async (request, reply) => {
      const user = await site.users.byName(request.params.name);
      if (!user || user.disabled)
        throw new SeedcastError('NOT_FOUND', `no user "${request.params.name.slice(0, 40)}"`);
      const ctx = await kit.context(request, reply);
      const own = ctx.visitor.user?.id === user.id;
      const list = await collections.byOwner(user.id, { includeUnlisted: own });
      return kit.send(reply, UserCollectionsPage({ ctx, username: user.username, collections: list, own }));
    },
  );
}
