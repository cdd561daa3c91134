/**
 * The channel pages: `/channels` (every channel, newest first, paged), `GET|POST /channels/new`
 * (create, with avatar and banner: multipart with the CSRF token; limited as the `channels` action),
 * `/channels/:name` (the channel and its items), `GET|POST /channels/:name/edit` and
 * `POST /channels/:name/delete` (owner or admin; deleting needs the confirmation box),
 * `POST /channels/:name/follow|unfollow`, the images `/channels/:name/avatar|banner`, and
 * `/subscriptions` (the followed channels' newest items, older ones with `?before=<item id>`).
 * Bad input re-shows the form with the error beside its field (status 400, 409 for a taken name).
 */

import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Channel, User } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { limitAction } from '../action-limits.js';
import { type ChannelFormValues, EditChannelPage, NewChannelPage } from '../pages/channel-form.js';
import { ChannelPage, ChannelsPage, SubscriptionsPage } from '../pages/channel-page.js';
import { type FormErrors, itemToCard } from '../pages/components.js';
import { CSRF_FIELD, checkCsrf } from '../session.js';
import {
  checkImage,
  IMAGE_LIMIT,
  type ImageKind,
  readImageParts,
  removeChannelImages,
  sendChannelImage,
  storeChannelImage,
} from './channels-images.js';
import type { PageKit } from './pages.js';
import { PER_PAGE, pageNumber, toListing } from './search-pages.js';

const FIELDS = ['name', 'title', 'description', 'category', 'medium', 'avatar', 'banner'];
const CHANNELS_PER_PAGE = 48;

/** A channel error's message as a form error beside its field (`channel: invalid field: title: required`). */
function formErrors(err: unknown): FormErrors | undefined {
  if (!isSeedcastError(err)) return undefined;
  if (!['CHANNEL_INVALID', 'CHANNEL_CONFLICT', 'HTTP_TOO_LARGE'].includes(err.code)) return undefined;
  if (err.code === 'CHANNEL_CONFLICT') return { name: 'That name is taken: choose another.' };
  for (const field of FIELDS) {
    const at = err.message.indexOf(`${field}: `);
    if (at >= 0) {
      const why = err.message.slice(at + field.length + 2);
      return { [field]: `${why.charAt(0).toUpperCase()}${why.slice(1)}.` };
    }
  }
  return { form: err.message };
}

function formValues(fields: Record<string, string>): ChannelFormValues {
  return {
    name: fields.name?.trim(),
    title: fields.title,
    description: fields.description,
    category: fields.category,
    medium: fields.medium,
  };
}

export async function channelPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  await app.register(multipart, {
    limits: { fileSize: IMAGE_LIMIT + 1024, files: 2, fields: 10, fieldSize: 10_000, parts: 12 },
  });

  const signedIn = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const ctx = await kit.context(request, reply);
    if (!ctx.visitor.user) reply.redirect(`/login?next=${encodeURIComponent(path)}`, 303);
    return { ctx, user: ctx.visitor.user };
  };
  const found = async (name: string): Promise<Channel> => {
    const channel = await site.channels.bySlug(name);
    if (!channel) throw new SeedcastError('NOT_FOUND', 'no such channel');
    return channel;
  };
  const mayEdit = (channel: Channel, user: User | undefined) =>
    user !== undefined && (user.id === channel.ownerId || user.role === 'admin');
  const editable = async (name: string, user: User) => {
    const channel = await found(name);
    if (!mayEdit(channel, user)) throw new SeedcastError('FORBIDDEN', 'not your channel');
    return channel;
  };
  /** The edit page's visitor and the channel they may change; undefined after sending them to log in. */
  const editor = async (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
    const path = `/channels/${encodeURIComponent(request.params.name)}/edit`;
    const { ctx, user } = await signedIn(request, reply, path);
    if (!user) return undefined;
    return { ctx, channel: await editable(request.params.name, user) };
  };
  /** The posted images, checked before anything is stored. */
  const postedImages = (images: Partial<Record<string, Buffer>>) => {
    const out: { kind: ImageKind; bytes: Buffer; field: string }[] = [];
    for (const kind of ['avatar', 'banner'] as const) {
      const bytes = images[kind];
      if (bytes) {
        checkImage(bytes, kind);
        out.push({ kind, bytes, field: kind });
      }
    }
    return out;
  };

  app.get<{ Querystring: { page?: string } }>(
    '/channels',
    { schema: { hide: true } },
    async (request, reply) => {
      const page = pageNumber(request.query.page);
      if (page === undefined) throw new SeedcastError('NOT_FOUND', 'no such page');
      const ctx = await kit.context(request, reply);
      const [channels, total] = await Promise.all([
        site.channels.list({ limit: CHANNELS_PER_PAGE, offset: (page - 1) * CHANNELS_PER_PAGE }),
        site.channels.count(),
      ]);
      const pages = Math.max(1, Math.ceil(total / CHANNELS_PER_PAGE));
      return kit.send(reply, ChannelsPage({ ctx, channels, page, pages }));
    },
  );

  app.get('/channels/new', { schema: { hide: true } }, async (request, reply) => {
    const { ctx, user } = await signedIn(request, reply, '/channels/new');
    if (!user) return reply;
    return kit.send(reply, NewChannelPage({ ctx }));
  });

  app.post('/channels/new', { schema: { hide: true } }, async (request, reply) => {
    const { ctx, user } = await signedIn(request, reply, '/channels/new');
    if (!user) return reply;
    const again = (values: ChannelFormValues, errors: FormErrors, status: number) =>
      kit.send(reply, NewChannelPage({ ctx, values, errors }), status);
    let values: ChannelFormValues = {};
    try {
      const { fields, images } = await readImageParts(request, ['avatar', 'banner']);
      values = formValues(fields);
      checkCsrf(ctx.visitor, fields[CSRF_FIELD]);
      const posted = postedImages(images);
      limitAction(reply, { action: 'channels', user });
      let channel = await site.channels.create({
        ownerId: user.id,
        slug: values.name,
        ...values,
        title: values.title,
      });
      for (const image of posted) channel = await storeChannelImage(site, channel, image);
      return reply.redirect(`/channels/${channel.slug}`, 303);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return again(values, errors, isSeedcastError(err) ? err.status : 400);
    }
  });

  app.get<{ Params: { name: string }; Querystring: { page?: string; saved?: string } }>(
    '/channels/:name',
    { schema: { hide: true } },
    async (request, reply) => {
      const page = pageNumber(request.query.page);
      const channel = await found(request.params.name);
      if (page === undefined) throw new SeedcastError('NOT_FOUND', 'no such page');
      const ctx = await kit.context(request, reply);
      const viewer = ctx.visitor.user;
      const [owner, result, followers, following] = await Promise.all([
        site.users.byId(channel.ownerId),
        site.channels
          .itemPage(channel.id, { offset: (page - 1) * PER_PAGE, limit: PER_PAGE })
          .then(async (p) => ({ total: p.total, totalCapped: false, items: await site.items.many(p.ids) })),
        site.channels.followers(channel.id),
        viewer ? site.channels.isFollowing(viewer.id, channel.id) : false,
      ]);
      const listing = toListing(result, page);
      const notice = request.query.saved !== undefined ? 'Saved.' : undefined;
      return kit.send(
        reply,
        ChannelPage({
          ctx,
          channel,
          owner,
          listing,
          followers,
          following,
          editable: mayEdit(channel, viewer),
          notice,
        }),
      );
    },
  );

  for (const kind of ['avatar', 'banner'] as const) {
    app.route<{ Params: { name: string } }>({
      method: ['GET', 'HEAD'],
      url: `/channels/:name/${kind}`,
      exposeHeadRoute: false,
      schema: { hide: true },
      handler: async (request, reply) =>
        sendChannelImage(request, reply, {
          blobs: site.blobs,
          channel: await site.channels.bySlug(request.params.name),
          kind,
        }),
    });
  }

  app.get<{ Params: { name: string } }>(
    '/channels/:name/edit',
    { schema: { hide: true } },
    async (request, reply) => {
      const editing = await editor(request, reply);
      if (!editing) return reply;
      return kit.send(reply, EditChannelPage({ ctx: editing.ctx, channel: editing.channel }));
    },
  );

  app.post<{ Params: { name: string } }>(
    '/channels/:name/edit',
    { schema: { hide: true } },
    async (request, reply) => {
      const editing = await editor(request, reply);
      if (!editing) return reply;
      const { ctx } = editing;
      let { channel } = editing;
      let values: ChannelFormValues = {};
      try {
        const { fields, images } = await readImageParts(request, ['avatar', 'banner']);
        values = formValues(fields);
        checkCsrf(ctx.visitor, fields[CSRF_FIELD]);
        const posted = postedImages(images);
        const { name: _name, ...changes } = values;
        const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
        channel = (await site.channels.update(channel.id, defined)) ?? channel;
        for (const image of posted) channel = await storeChannelImage(site, channel, image);
        return reply.redirect(`/channels/${channel.slug}?saved`, 303);
      } catch (err) {
        const errors = formErrors(err);
        if (!errors) throw err;
        return kit.send(
          reply,
          EditChannelPage({ ctx, channel, values, errors }),
          isSeedcastError(err) ? err.status : 400,
        );
      }
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, string | undefined> }>(
    '/channels/:name/delete',
    { schema: { hide: true } },
    async (request, reply) => {
      const { ctx, user } = await signedIn(
        request,
        reply,
        `/channels/${encodeURIComponent(request.params.name)}`,
      );
      if (!user) return reply;
      checkCsrf(ctx.visitor, request.body?._csrf);
      const channel = await editable(request.params.name, user);
      if (request.body?.confirm !== 'yes')
        return kit.send(
          reply,
          EditChannelPage({ ctx, channel, errors: { confirm: 'Tick the box to confirm.' } }),
          400,
        );
      await site.channels.delete(channel.id);
      await removeChannelImages(site.blobs, channel);
      return reply.redirect('/channels?deleted', 303);
    },
  );

  for (const action of ['follow', 'unfollow'] as const) {
    app.post<{ Params: { name: string }; Body: Record<string, string | undefined> }>(
      `/channels/:name/${action}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const path = `/channels/${encodeURIComponent(request.params.name)}`;
        const { ctx, user } = await signedIn(request, reply, path);
        if (!user) return reply;
        checkCsrf(ctx.visitor, request.body?._csrf);
        const channel = await found(request.params.name);
        if (action === 'follow') await site.channels.follow(user.id, channel.id);
        else await site.channels.unfollow(user.id, channel.id);
        return reply.redirect(`/channels/${channel.slug}`, 303);
      },
    );
  }

  app.get<{ Querystring: { before?: string } }>(
    '/subscriptions',
    { schema: { hide: true } },
    async (request, reply) => {
      const { ctx, user } = await signedIn(request, reply, '/subscriptions');
      if (!user) return reply;
      const raw = request.query.before;
      const before = raw !== undefined && /^[1-9][0-9]{0,11}$/.test(raw) ? Number(raw) : undefined;
      const [ids, channels] = await Promise.all([
        site.channels.newItemsForFollower(user.id, { limit: PER_PAGE, before }),
        site.channels.followedBy(user.id),
      ]);
      const items = (await site.items.many(ids)).map((i) => itemToCard(i));
      const older = ids.length === PER_PAGE ? ids.at(-1) : undefined;
      return kit.send(reply, SubscriptionsPage({ ctx, items, channels, older, paged: before !== undefined }));
    },
  );
}
