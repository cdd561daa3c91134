/**
 * Browse pages: `/` (newest, most seeded, channels). Handlers fetch what the page shows, then render
 * it; the page modules in `src/web/pages` do no I/O.
 */

import type { FastifyInstance } from 'fastify';
import { itemToCard } from '../pages/components.js';
import { HomePage } from '../pages/home.js';
import type { PageKit } from './pages.js';

export async function browsePageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;

  app.get('/', async (request, reply) => {
    const ctx = await kit.context(request, reply);
    const [newest, top, channels] = await Promise.all([
      site.items.newest({ limit: 12 }),
      kit.ranking.top(12),
      site.channels.list({ limit: 20 }),
    ]);
    const seeded = await Promise.all(top.map(async (r) => ({ r, item: await site.items.get(r.itemId) })));
    const mostSeeded = seeded
      .filter((s) => s.item?.status === 'ready')
      .map((s) => itemToCard(s.item!, s.r.seeders));
    return kit.send(reply, HomePage({ ctx, newest: newest.map((i) => itemToCard(i)), mostSeeded, channels }));
  });
}
