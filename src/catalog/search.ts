/**
 * Searching the catalog: free text (SQLite FTS5 ranked by bm25; PostgreSQL `tsvector` ranked by
 * `ts_rank_cd`, title weighted over creator and tags over description over caption words), filters (media type, licence,
 * tags, creator, channel, owner), sorts (relevance, newest, oldest, title), pages, and facets with
 * counts (type, licence, tag, creator) over the filtered result. Only visible items are found
 * (status `ready`: never pending or taken down). Licences are stored as canonical SPDX ids
 * (`src/licenses.ts`): the filter takes any form of one, and the licence facet's values
 * are ids labelled with the licence's name.
 *
 * User text never reaches a query language: it is cut into words (letters, digits, marks) and each
 * word is quoted, so FTS5 and tsquery operators (`"`, `*`, `NEAR(`, `OR`, `&`, `!`...) are plain
 * words; the last word matches as a prefix when the text does not end in a space. Everything is
 * parameterised through Kysely's `sql` tag.
 *
 * Every match is ranked (issue 22): relevance orders all matches by bm25 (SQLite FTS5, weighted
 * columns) or `ts_rank_cd` (PostgreSQL, over the stored weighted `tsvector`), best first, so the
 * most relevant item is found however old it is. Counting stays bounded: matches are counted
 * exactly up to `countBound` (newest first by id, straight from the indexes), and past it `total`
 * is an estimate (`totalCapped`) from how much of the id range the first `countBound` matches
 * span. Facets are exact up to `facetBound` matches; past it they are counted over the newest
 * `facetBound` matches and scaled to the estimated total (`facetsEstimated`): `search-stats.ts`.
 * SQLite's FTS index holds only ready items and every filter's terms (`search-terms.ts`), so text
 * with or without filters never reads `items` to find or count its matches.
 */

import { type RawBuilder, sql } from 'kysely';
import { type Database, databaseKind, MEDIA_TYPES, type MediaType } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { checkLicense } from '../licenses.js';
import type { Item, ItemRepository } from './items.js';
import { rankedPage } from './search-bound.js';
import type { FacetRow } from './search-facets.js';
import { captionMoments } from './search-moments.js';
import {
  filterConditions,
  type PgParts,
  type PgRow,
  postgresPlan,
  postgresStats,
  rankedPostgres,
  sampleOf,
} from './search-pg.js';
import { type Facets, type Plan, searchStats } from './search-stats.js';
import { filterTerm, ftsQuery, searchWords } from './search-terms.js';

export { ftsQuery, searchWords, tsQuery } from './search-terms.js';

export const SEARCH_SORTS = ['relevance', 'newest', 'oldest', 'title'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export interface SearchQuery {
  /** Free text, as the user typed it. */
  q?: string;
  type?: MediaType;
  license?: string;
  /** Items carrying every one of these tags. */
  tags?: readonly string[];
  creator?: string;
  /** Channel slug. */
  channel?: string;
  /** Owner's username. */
  user?: string;
  /** Default: relevance with text, newest without. */
  sort?: SearchSort;
  /** From 1. */
  page?: number;
  perPage?: number;
}

export type { Facets, FacetValue } from './search-stats.js';

export interface SearchResult {
  /** Matches: exact up to `countBound`; past it an estimate (two significant digits). */
  total: number;
  /** More than `countBound` items match: `total` is an estimate, not a count. */
  totalCapped: boolean;
  /**
   * The facet counts are estimates: more than `facetBound` items match, so they were counted over
   * the newest `facetBound` matches and scaled to `total`. Otherwise they count every match.
   */
  facetsEstimated: boolean;
  /**
   * Relevance ranked a bounded candidate set, not every match (more than `rankBound` match): the
   * matches with the words in their title, then the newest others (`search-bound.ts`).
   */
  rankEstimated: boolean;
  /** With `rankEstimated`: how many candidates relevance ranked (about `rankBound`). */
  rankedAmong?: number;
  page: number;
  perPage: number;
  sort: SearchSort;
  items: Item[];
  facets: Facets;
  /**
   * With text: where in each found item a caption cue holds every word (item id to milliseconds),
   * so a hit inside a transcript links to that moment (`/items/:id#t=<seconds>`).
   */
  moments: Map<number, number>;
}

export interface SearchOptions {
  /** Largest page (default 100). */
  maxPerPage?: number;
  /** Deepest result reachable by paging (default 10,000). */
  maxOffset?: number;
  /** Values per facet (default 10; every media type is always listed). */
  facetSize?: number;
  /** Matches counted exactly (default 2,000); past it the total is an estimate. */
  countBound?: number;
  /** Matches the facets count exactly (default 2,000); past it they are estimated from the newest this many. */
  facetBound?: number;
  /** Matches ranked exactly (default 2,000); past it relevance ranks a bounded candidate set. */
  rankBound?: number;
}

function bad(field: string, why: string): never {
  throw new SeedcastError('SEARCH_INVALID', `${field}: ${why}`);
}

/** A tag as the catalog stores it (lower case, single spaces). */
function normalTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, ' ');
}

export class SearchRepository {
  private readonly options: Required<SearchOptions>;
  /** Document counts of common words (estimates), kept a minute: `search-score.ts`. */
  private readonly documentCounts = new Map<string, { n: number; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly items: ItemRepository,
    options: SearchOptions = {},
  ) {
    this.options = {
      maxPerPage: 100,
      maxOffset: 10_000,
      facetSize: 10,
      countBound: 2_000,
      facetBound: 2_000,
      rankBound: 2_000,
      ...options,
    };
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const perPage = query.perPage ?? 20;
    if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > this.options.maxPerPage)
      bad('per_page', `1 to ${this.options.maxPerPage}`);
    const page = query.page ?? 1;
    if (!Number.isSafeInteger(page) || page < 1) bad('page', 'a whole number from 1');
    const offset = (page - 1) * perPage;
    if (offset >= this.options.maxOffset)
      bad('page', `results beyond the first ${this.options.maxOffset} cannot be paged to; narrow the search`);
    if (query.sort !== undefined && !SEARCH_SORTS.includes(query.sort)) bad('sort', SEARCH_SORTS.join(', '));

    const plan = await this.plan(query);
    const sort: SearchSort = query.sort ?? (plan.rank ? 'relevance' : 'newest');
    const { id } = plan;
    let order: RawBuilder<unknown>;
    if (plan.rank) {
      // Relevance ranks every match (bm25 / ts_rank_cd); ties go to the newest.
      order =
        sort === 'relevance'
          ? sql`${plan.rank}, ${id} desc`
          : sort === 'title'
            ? sql`lower(i.title), ${id}`
            : sort === 'oldest'
              ? sql`${id}`
              : sql`${id} desc`;
    } else {
      order =
        sort === 'oldest'
          ? sql`i.created_at, i.id`
          : sort === 'title'
            ? sql`lower(i.title), i.id`
            : sql`i.created_at desc, i.id desc`;
    }
    const from = sort === 'title' ? plan.fromItems : plan.from;
    let rankEstimated = false;
    let pageIds: number[];
    let newest: number[] | undefined;
    let rows: Map<number, FacetRow> | undefined;
    let pgSample: PgRow[] | undefined;
    const window = Math.max(this.options.countBound, this.options.facetBound) + 1;
    if (plan.pg && plan.rank && sort === 'relevance') {
      const ranked = await rankedPostgres(this.db, plan.pg, this.options.rankBound, perPage, offset, window);
      ({ ids: pageIds, estimated: rankEstimated, sample: pgSample } = ranked);
    } else if (plan.rank && sort === 'relevance') {
      // The counts and facets reuse the newest matches the ranking reads (SQLite).
      const ranked = await rankedPage(
        this.db,
        plan,
        this.options.rankBound,
        perPage,
        offset,
        this.scoring(),
        window,
      );
      pageIds = ranked.ids;
      rankEstimated = ranked.estimated;
      newest = ranked.newest;
      rows = ranked.rows;
    } else {
      const ids = await sql<{
        id: number;
      }>`select ${id} as id from ${from} where ${plan.where} order by ${order} limit ${perPage} offset ${offset}`.execute(
        this.db,
      );
      pageIds = ids.rows.map((r) => Number(r.id));
    }
    if (!newest && plan.walk) {
      const walk = plan.walk;
      const window = Math.max(this.options.countBound, this.options.facetBound) + 1;
      const found = await sql<{ id: number }>`select ${walk.id} as id from ${walk.from} where ${walk.where}
        order by ${walk.id} desc limit ${window}`.execute(this.db);
      newest = found.rows.map((r) => Number(r.id));
    }
    const [items, stats] = await Promise.all([
      this.items.many(pageIds),
      plan.pg
        ? postgresStats(this.db, pgSample ?? (await sampleOf(this.db, plan.pg, this.options)), this.options)
        : searchStats(this.db, plan, this.options, newest, rows),
    ]);
    const moments =
      plan.rank && query.q !== undefined
        ? await captionMoments(
            this.db,
            items.map((i) => i.id),
            searchWords(query.q),
          )
        : new Map<number, number>();
    return {
      total: stats.total,
      totalCapped: stats.capped,
      facetsEstimated: stats.facetsEstimated,
      rankEstimated,
      ...(rankEstimated ? { rankedAmong: this.options.rankBound } : {}),
      page,
      perPage,
      sort,
      items,
      facets: stats.facets,
      moments,
    };
  }

  /**
   * Ids of the ready items matching `q`, best first (relevance over every match), at most `limit`:
   * for callers that filter further themselves (feeds).
   */
  async ids(q: string, limit: number): Promise<number[]> {
    const plan = await this.plan({ q });
    if (!plan.rank) return [];
    if (plan.pg)
      return (
        await rankedPostgres(this.db, plan.pg, this.options.rankBound, Math.max(1, Math.floor(limit)), 0)
      ).ids;
    const ranked = await rankedPage(
      this.db,
      plan,
      this.options.rankBound,
      Math.max(1, Math.floor(limit)),
      0,
      this.scoring(),
    );
    return ranked.ids;
  }

  private scoring() {
    return { dfBound: this.options.countBound, cache: this.documentCounts };
  }

  /**
   * SQLite, words with filters: the filters' FTS5 terms (`search-terms.ts`), the channel, owner
   * and tags looked up by their ids first (a value no item has matches nothing).
   */
  private async filterTerms(query: SearchQuery, license: string | undefined, tags: string[]) {
    const terms: string[] = [];
    if (query.type !== undefined) terms.push(filterTerm('type', query.type));
    if (license !== undefined) terms.push(filterTerm('license', license));
    if (query.creator !== undefined) terms.push(filterTerm('creator', query.creator.trim()));
    if (query.channel !== undefined) {
      const c = await sql<{ id: number }>`select id from channels where slug = ${query.channel}`.execute(
        this.db,
      );
      terms.push(filterTerm('channel', c.rows[0]?.id));
    }
    if (query.user !== undefined) {
      const u = await sql<{
        id: number;
      }>`select id from users where lower(username) = ${query.user.toLowerCase()}`.execute(this.db);
      terms.push(filterTerm('owner', u.rows[0]?.id));
    }
    if (tags.length > 0) {
      const found = await sql<{ id: number; name: string }>`select id, name from tags
        where name in (${sql.join(tags.map((t) => sql`${t}`))})`.execute(this.db);
      const ids = new Map(found.rows.map((r) => [r.name, r.id]));
      for (const tag of tags) terms.push(filterTerm('tag', ids.get(tag)));
    }
    return terms;
  }

  /** The FROM and WHERE of a query (and its rank order when there is text). */
  private async plan(query: SearchQuery): Promise<Plan & { pg?: PgParts }> {
    const kind = databaseKind(this.db);
    if (query.q !== undefined && (typeof query.q !== 'string' || query.q.length > 500))
      bad('q', 'text of at most 500 characters');
    const { words, prefix } = searchWords(query.q ?? '');
    if (query.type !== undefined && !MEDIA_TYPES.includes(query.type)) bad('type', MEDIA_TYPES.join(', '));
    let license: string | undefined;
    if (query.license !== undefined) {
      // Any form of a licence (SPDX id in any case, a Creative Commons URL) finds its canonical id.
      license = query.license.trim();
      try {
        license = checkLicense(license) ?? license;
      } catch {
        // not a licence the site knows: it matches nothing (or a stored value kept as it was)
      }
    }
    const tags = [...new Set((query.tags ?? []).map(normalTag).filter((t) => t !== ''))];
    if (tags.length > 5) bad('tag', 'at most 5');
    if (kind === 'postgres') return postgresPlan(words, prefix, { ...query, license, tags });

    if (words.length > 0 && kind === 'sqlite') {
      // Words and filters are one FTS5 query: FTS5 intersects the posting lists (the filters are
      // terms of the index, `search-terms.ts`), and the FTS index holds only ready items, so
      // `items` is not read to find, count or rank the matches.
      const filters = await this.filterTerms(query, license, tags);
      const text = ftsQuery(words, prefix);
      const bm25 = sql`bm25(items_fts, 10.0, 5.0, 5.0, 1.0, 0.5, 0.0)`;
      return {
        kind,
        from: sql`items_fts`,
        fromItems: sql`items_fts join items i on i.id = items_fts.rowid`,
        where: sql`items_fts match ${[text, ...filters].join(' AND ')}`,
        id: sql`items_fts.rowid`,
        rank: bm25,
        score: bm25,
        text: { words, prefix, filters },
        // Every word in the title (a subset of the matches), scored by the same bm25.
        title: {
          where: sql`items_fts match ${[`{title} : (${text})`, ...filters].join(' AND ')}`,
          score: bm25,
        },
      };
    }

    // SQLite listings with filters count and facet the matches their filter terms find newest
    // first in the full-text index, which holds only ready items (`items` is not read for them).
    const filtered =
      query.type !== undefined ||
      license !== undefined ||
      tags.length > 0 ||
      query.creator !== undefined ||
      query.channel !== undefined ||
      query.user !== undefined;
    const walk =
      kind === 'sqlite' && filtered
        ? {
            from: sql`items_fts`,
            id: sql`items_fts.rowid`,
            where: sql`items_fts match ${(await this.filterTerms(query, license, tags)).join(' AND ')}`,
          }
        : undefined;
    const where = sql.join(filterConditions({ ...query, license, tags }), sql` and `);
    return { kind, from: sql`items i`, fromItems: sql`items i`, where, id: sql`i.id`, walk };
  }
}
