/**
 * Search over HTTP: `GET /api/v1/search?q=&type=&license=&tag=&creator=&channel=&user=&sort=&page=&per_page=`
 * answers `{ total, totalCapped, facetsEstimated, rankEstimated, page, perPage, sort, items, facets }` with items in the shape of
 * `GET /api/v1/items/:id` (without swarm numbers; a hit inside captions adds `startSeconds` and its
 * `url` ends in `#t=<seconds>`). The query string is checked by the route's schema,
 * then handed to the transport-free `SearchRepository` as plain values.
 */

import type { FastifyInstance } from 'fastify';
import {
  MEDIA_TYPES,
  type MediaType,
  SEARCH_SORTS,
  type SearchRepository,
  type SearchSort,
  type SiteLinks,
} from '../../catalog/index.js';
import type { ProcessingViews } from '../../media/index.js';
import { errors, object, ref } from '../schemas/index.js';
import { itemView } from './items.js';

export interface SearchRoutesOptions {
  search: SearchRepository;
  links: SiteLinks;
  /** Adds each item's `processing` and `derivatives` (issue 18), two queries per page. */
  processing?: ProcessingViews;
}

interface SearchQueryString {
  q?: string;
  type?: MediaType;
  license?: string;
  tag?: string[];
  creator?: string;
  channel?: string;
  user?: string;
  sort?: SearchSort;
  page?: number;
  per_page?: number;
}

export const searchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      maxLength: 500,
      description: 'Free text; every word must match, the last as a prefix.',
    },
    type: { type: 'string', enum: [...MEDIA_TYPES] },
    license: { type: 'string', maxLength: 200, description: 'SPDX id or Creative Commons URL.' },
    tag: {
      type: 'array',
      items: { type: 'string', maxLength: 50 },
      maxItems: 5,
      description: 'Repeat for several (all must match).',
    },
    creator: { type: 'string', maxLength: 300 },
    channel: { type: 'string', maxLength: 64, description: 'Channel slug.' },
    user: { type: 'string', maxLength: 64, description: "Owner's username." },
    sort: {
      type: 'string',
      enum: [...SEARCH_SORTS],
      description: 'Default: relevance with q, newest without.',
    },
    page: { type: 'integer', minimum: 1, default: 1 },
    per_page: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
} as const;

/** One facet: values with their counts (facet values may carry more, e.g. a licence's name). */
const facet = {
  type: 'array',
  items: {
    type: 'object',
    required: ['value', 'count'],
    properties: {
      value: { type: 'string' },
      count: { type: 'integer' },
      label: { type: 'string', description: 'What to show (a licence facet: its name)' },
    },
    additionalProperties: true,
  },
} as const;

const searchAnswer = object(
  {
    total: { type: 'integer', description: 'Matches: exact, or an estimate when totalCapped' },
    totalCapped: {
      type: 'boolean',
      description: 'More than 10,000 items match: total is an estimate (two significant digits), not a count',
    },
    facetsEstimated: {
      type: 'boolean',
      description: 'The facet counts are estimates (over 2,000 matches: the newest 2,000, scaled to total)',
    },
    rankEstimated: {
      type: 'boolean',
      description:
        'Relevance ranked a bounded candidate set, not every match (over 10,000 matches: the title matches, then the newest others)',
    },
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    sort: { type: 'string', enum: [...SEARCH_SORTS] },
    items: {
      type: 'array',
      items: ref('Item'),
      description:
        'Items as GET /api/v1/items/{id}. A hit inside captions adds `startSeconds` and `url` ends in `#t=<seconds>`.',
    },
    facets: {
      type: 'object',
      description: 'Counts over the filtered result',
      properties: { type: facet, license: facet, tag: facet, creator: facet },
      additionalProperties: facet,
    },
  },
  {
    required: [
      'total',
      'totalCapped',
      'facetsEstimated',
      'rankEstimated',
      'page',
      'perPage',
      'sort',
      'items',
      'facets',
    ],
    description: 'Results',
  },
);

export async function searchRoutes(app: FastifyInstance, options: SearchRoutesOptions): Promise<void> {
  app.get<{ Querystring: SearchQueryString }>(
    '/api/v1/search',
    {
      schema: {
        summary: 'Full-text search with filters, sorts, pages and facets',
        tags: ['search'],
        querystring: searchQuerySchema,
        response: { 200: searchAnswer, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const result = await options.search.search({
        q: q.q,
        type: q.type,
        license: q.license,
        tags: q.tag,
        creator: q.creator,
        channel: q.channel,
        user: q.user,
        sort: q.sort,
        page: q.page,
        perPage: q.per_page,
      });
      const media = await options.processing?.viewMany?.(result.items);
      return {
        total: result.total,
        totalCapped: result.totalCapped,
        facetsEstimated: result.facetsEstimated,
        rankEstimated: result.rankEstimated,
        page: result.page,
        perPage: result.perPage,
        sort: result.sort,
        items: result.items.map((item) => {
          const m = media?.get(item.id);
          const view = {
            ...itemView(item, options.links),
            ...(m ? { processing: m.processing, derivatives: m.derivatives } : {}),
          };
          const ms = result.moments.get(item.id);
          // A hit inside a transcript links to the moment: `/items/:id#t=<seconds>`.
          return ms === undefined
            ? view
            : { ...view, url: `${view.url}#t=${ms / 1000}`, startSeconds: ms / 1000 };
        }),
        facets: result.facets,
      };
    },
  );
}
