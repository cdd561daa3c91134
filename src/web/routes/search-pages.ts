/**
 * Listing pages over the catalogue's search: `/search` (words, type, licence, tags, creator, sort,
 * page, with facets) and `/users/:name` (their items, newest first, paged; the channel page is in
 * `channels-pages.ts`).
 * Invalid parameters (SEARCH_INVALID: an unknown type or sort, a page past the end...) re-show the
 * search form with the message and what was typed, status 400.
 */

import type { FastifyInstance } from 'fastify';
import type { MediaType, SearchResult } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import { itemToCard } from '../pages/components.js';
import { type Listing, UserPage } from '../pages/people.js';
import { SearchPage, type SearchParams, type SearchView } from '../pages/search.js';
import type { PageKit } from './pages.js';

export const PER_PAGE = 24;
const MAX_OFFSET = 10_000;
export const MAX_PAGE = Math.floor(MAX_OFFSET / PER_PAGE);

type Query = Record<string, string | string[] | undefined>;

function one(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const t = v?.trim();
  return t ? t.slice(0, 500) : undefined;
}

function all(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .slice(0, 10);
}

/** One page of a search (`PER_PAGE` items) as a listing's cards and page count (one more when capped). */
export function toListing(
  result: Pick<SearchResult, 'items' | 'total' | 'totalCapped'>,
  page: number,
): Listing {
  return {
    items: result.items.map((i) => itemToCard(i)),
    total: result.total,
    totalCapped: result.totalCapped,
    page,
    pages: Math.min(MAX_PAGE, Math.max(1, Math.ceil(result.total / PER_PAGE)) + (result.totalCapped ? 1 : 0)),
  };
}

/** The page number: 1 when absent; undefined when not a whole number from 1 to the deepest page. */
export function pageNumber(value: string | string[] | undefined): number | undefined {
  const v = one(value);
  if (v === undefined) return 1;
  if (!/^[1-9][0-9]{0,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n <= MAX_PAGE ? n : undefined;
}

export async function searchPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;

  app.get<{ Querystring: Query }>('/search', async (request, reply) => {
    const q = request.query;
    const params: SearchParams = {
      q: one(q.q),
      type: one(q.type),
      license: one(q.license),
      tag: all(q.tag),
      creator: one(q.creator),
      sort: one(q.sort),
    };
    const ctx = await kit.context(request, reply, { query: params.q });
    const page = pageNumber(q.page);
    if (page === undefined) {
      const errors = { form: `Page: a whole number from 1 to ${MAX_PAGE}.` };
      return kit.send(reply, SearchPage({ ctx, params, errors }), 400);
    }
    params.page = page;
    try {
      const result = await site.search.search({
        q: params.q,
        type: params.type as MediaType | undefined,
        license: params.license,
        tags: params.tag,
        creator: params.creator,
        sort: params.sort as never,
        page,
        perPage: PER_PAGE,
      });
      const view: SearchView = {
        ...result,
        items: result.items.map((i) => {
          const ms = result.moments.get(i.id);
          // A hit inside a transcript links to the moment it is spoken.
          return ms === undefined ? itemToCard(i) : { ...itemToCard(i), startSeconds: ms / 1000 };
        }),
        maxPage: MAX_PAGE,
      };
      return kit.send(reply, SearchPage({ ctx, params, result: view }));
    } catch (err) {
      if (!isSeedcastError(err, 'SEARCH_INVALID')) throw err;
      const field = /search: invalid query: (\w+):/.exec(err.message)?.[1];
      const errors = field === 'q' ? { q: err.message } : { form: err.message };
      return kit.send(reply, SearchPage({ ctx, params, errors }), 400);
    }
  });

  const listing = async (filter: { user?: string }, page: number): Promise<Listing> =>
    toListing(await site.search.search({ ...filter, sort: 'newest', page, perPage: PER_PAGE }), page);

  app.get<{ Params: { name: string }; Querystring: Query }>('/users/:name', async (request, reply) => {
    const page = pageNumber(request.query.page);
    const user = await site.users.byName(request.params.name);
    if (!user || user.disabled || page === undefined) throw new SeedcastError('NOT_FOUND', 'no such user');
    const ctx = await kit.context(request, reply);
    const [channels, items, favouriteIds] = await Promise.all([
      site.channels.byOwner(user.id),
      listing({ user: user.username }, page),
      site.community?.favouriteItemIds?.(user.id, { limit: 12 }),
    ]);
    const favourites = favouriteIds
      ? (await site.items.many(favouriteIds)).filter((i) => i.status === 'ready').map((i) => itemToCard(i))
      : undefined;
    // After deleting an item (`item-edit-pages.ts`): a notice for the owner (or the admin who did it).
    const viewer = ctx.visitor.user;
    const mayNotice = viewer !== undefined && (viewer.id === user.id || viewer.role === 'admin');
    const deleted = mayNotice ? one(request.query.deleted) : undefined;
    return kit.send(reply, UserPage({ ctx, user, channels, listing: items, favourites, deleted }));
  });
}
