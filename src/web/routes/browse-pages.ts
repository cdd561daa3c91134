/**
 * Browse pages: `/` (newest, most seeded, channels) and `/items/:id` (player, metadata, downloads,
 * live swarm, embed code). Handlers fetch what the page shows, then render it; the page modules in
 * `src/web/pages` do no I/O.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Item, resolveP2p, type User } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { SiteServices } from '../app.js';
import { itemToCard } from '../pages/components.js';
import { HomePage } from '../pages/home.js';
import { ItemPage, type ItemSwarm } from '../pages/item.js';
import type { P2pView } from '../pages/p2p-notice.js';
import { captionsPanel } from './captions-pages.js';
import { collectionAddPanel } from './collections-pages.js';
import { communitySection } from './interaction-pages.js';
import { itemTraffic } from './item-traffic.js';
import type { PageKit } from './pages.js';

const TEXT_PREVIEW = 16 * 1024;
const ID = /^[1-9][0-9]{0,15}$/;

/** The file the player shows: the first whose MIME type matches the item's media type. */
export function mainFileIndex(item: Item): number {
  const prefix = item.mediaType === 'text' ? 'text/' : `${item.mediaType}/`;
  const i = item.files.findIndex((f) => f.blobKey !== null && (f.mimeType ?? '').startsWith(prefix));
  return i >= 0 ? i : 0;
}

/** How a viewer plays items (`?p2p=0`, the account's choice, the site's default); none without settings. */
export async function viewerP2p(
  site: Pick<SiteServices, 'settings'>,
  user: User | undefined,
  query: unknown,
): Promise<P2pView | undefined> {
  if (!site.settings) return undefined;
  const [account, siteDefault] = await Promise.all([
    user ? site.settings.p2pOf(user.id) : undefined,
    site.settings.p2pDefault(),
  ]);
  return resolveP2p({ query: typeof query === 'string' ? query : undefined, account, site: siteDefault });
}

export async function browsePageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const { links } = site;

  app.get('/', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const [newest, top, channels] = await Promise.all([
      site.items.newest({ limit: 12 }),
      kit.ranking.top(12),
      site.channels.list({ limit: 20 }),
    ]);
    const seeders = new Map(top.map((r) => [r.itemId, r.seeders]));
    const mostSeeded = (await site.items.many(top.map((r) => r.itemId)))
      .filter((item) => item.status === 'ready')
      .map((item) => itemToCard(item, seeders.get(item.id)));
    return kit.send(reply, HomePage({ ctx, newest: newest.map((i) => itemToCard(i)), mostSeeded, channels }));
  });

  const swarmOf = async (item: Item): Promise<ItemSwarm> => {
    const counts =
      kit.tracker && item.infoHash
        ? await kit.tracker.stats(item.infoHash)
        : { seeders: 0, leechers: 0, completed: 0 };
    return {
      ...counts,
      traffic: await itemTraffic(
        { tracker: kit.tracker, traffic: site.traffic, seeding: site.seeding },
        item,
      ),
    };
  };

  const textPreview = async (
    request: FastifyRequest,
    item: Item,
    index: number,
  ): Promise<string | undefined> => {
    const file = item.files[index];
    if (item.mediaType !== 'text' || !file?.blobKey || !(file.mimeType ?? '').startsWith('text/'))
      return undefined;
    const chunks: Buffer[] = [];
    try {
      const length = Math.min(TEXT_PREVIEW, file.length);
      const stream = await site.blobs.get(file.blobKey, { offset: 0, length });
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (err) {
      request.log.warn({ err }, `item ${item.id}: no text preview`);
      return undefined; // the page works without the preview
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
    return file.length > TEXT_PREVIEW ? `${text}\n…` : text;
  };

  app.get<{ Params: { id: string }; Querystring: { p2p?: string } }>('/items/:id', async (request, reply) => {
    const { id } = request.params;
    const item = ID.test(id) ? await site.items.get(Number(id)) : undefined;
    if (item?.status !== 'ready') throw new SeedcastError('NOT_FOUND', `no item ${id}`);
    const ctx = await kit.context(request, reply);
    const mainFile = mainFileIndex(item);
    const [owner, channel, swarm, preview, p2p, media, captions] = await Promise.all([
      site.users.byId(item.ownerId),
      item.channelId === null ? undefined : site.channels.byId(item.channelId),
      swarmOf(item),
      textPreview(request, item, mainFile),
      viewerP2p(site, ctx.visitor.user, request.query.p2p),
      site.processing?.view(item),
      site.captions?.captions(item.id),
    ]);
    const magnet = links.magnet(item) ?? '';
    const page = ItemPage({
      ctx,
      data: {
        item,
        owner,
        channel,
        swarm,
        torrentUrl: `/items/${item.id}.torrent`,
        magnet,
        fileUrls: item.files.map((f) => links.file(item.id, f.path).slice(links.root.length)),
        embedUrl: `${links.itemPage(item.id)}/embed`,
        mainFile,
        playerScript: kit.player.url(),
        textPreview: preview,
        thumbnailUrl: item.thumbnailKey ? `/items/${item.id}/thumbnail.jpg` : undefined,
        comments: site.community ? await communitySection(site.community, ctx, item.id, request) : undefined,
        archive: site.archiver?.status(item),
        captionsPanel: await captionsPanel(site, ctx, item),
        collectionAdd: await collectionAddPanel(site, ctx, { item, query: request.query }),
        ...(p2p ? { p2p } : {}),
        ...(media ? { media } : {}),
        ...(captions ? { captions } : {}),
      },
    });
    return kit.send(reply, page);
  });
}
