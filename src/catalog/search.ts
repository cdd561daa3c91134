/**
 * Searching the catalog: free text (SQLite FTS5 ranked by bm25; PostgreSQL `tsvector` ranked by
 * `ts_rank`, title weighted over creator and tags over description over caption words), filters (media type, licence,
 * tags, creator, channel, owner), sorts (relevance, newest, oldest, title), pages, and facets with
 * counts (type, licence, tag, creator) over the filtered result. Only visible items are found
 * (status `ready`: never pending or taken down). Licences are stored as canonical SPDX ids
 * (`src/publishing/licenses.ts`): the filter takes any form of one, and the licence facet's values
 * are ids labelled with the licence's name.
 *
 * User text never reaches a query language: it is cut into words (letters, digits, marks) and each
 * word is quoted, so FTS5 and tsquery operators (`"`, `*`, `NEAR(`, `OR`, `&`, `!`...) are plain
 * words; the last word matches as a prefix when the text does not end in a space. Everything is
 * parameterised through Kysely's `sql` tag.
 *
 * Speed, so that no query reads every match of a common word: matches are taken newest first
 * straight from the index (FTS5 rowid order; `created_at` indexes), and at most `sampleSize` + 1 of
 * them are read to count the total (reported as capped beyond), to count the facets, and, with
 * text, to rank by relevance or title. Below that size everything is exact. The page is one more
 * query; SQLite's FTS index holds only ready items, so text without filters never reads `items`.
 */

import { type RawBuilder, sql } from 'kysely';
import { type Database, databaseKind, MEDIA_TYPES, type MediaType } from '../db/index.js';
import { SeedcastError } from '../errors.js';
import { checkLicense, licenseInfo } from '../publishing/index.js';
import type { Item, ItemRepository } from './items.js';
import { captionMoments } from './search-moments.js';

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

export interface FacetValue {
  value: string;
  count: number;
  /** What people read: the licence's name (`CC0 1.0`) for the licence facet's ids. */
  label?: string;
}

export interface Facets {
  type: FacetValue[];
  license: FacetValue[];
  tag: FacetValue[];
  creator: FacetValue[];
}

export interface SearchResult {
  /** Matches, counted up to `sampleSize`. */
  total: number;
  /** More than `sampleSize` items match (`total` is then `sampleSize`). */
  totalCapped: boolean;
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
  /**
   * Matches counted (default 1,000): the total stops there, facets count the newest this many
   * matches, and with text, relevance and title order rank the newest this many.
   */
  sampleSize?: number;
}

const MAX_WORDS = 16;
const MAX_WORD = 64;

function bad(field: string, why: string): never {
  throw new SeedcastError('SEARCH_INVALID', `${field}: ${why}`);
}

/** The words of user text, lower-cased (at most 16, each at most 64 characters). */
export function searchWords(q: string): { words: string[]; prefix: boolean } {
  const normal = q.normalize('NFKC').toLowerCase();
  const words = (normal.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [])
    .slice(0, MAX_WORDS)
    .map((w) => w.slice(0, MAX_WORD));
  const last = words.at(-1);
  const prefix = last !== undefined && last.length >= 2 && /[\p{L}\p{N}\p{M}]$/u.test(normal);
  return { words, prefix };
}

/** An FTS5 query matching every word (each quoted; the last as a prefix when `prefix`). */
export function ftsQuery(words: readonly string[], prefix: boolean): string {
  return words.map((w, i) => `"${w}"${prefix && i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** A PostgreSQL tsquery text matching every word (each quoted; the last as a prefix when `prefix`). */
export function tsQuery(words: readonly string[], prefix: boolean): string {
  return words.map((w, i) => `'${w}'${prefix && i === words.length - 1 ? ':*' : ''}`).join(' & ');
}

/** A tag as the catalog stores it (lower case, single spaces). */
function normalTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, ' ');
}

interface Plan {
  kind: 'sqlite' | 'postgres';
  /** FROM for the page and the sample (joins `items i` whenever filters need it). */
  from: RawBuilder<unknown>;
  /** FROM that always has `items i` (the sample reads its columns). */
  fromItems: RawBuilder<unknown>;
  where: RawBuilder<unknown>;
  /** The item id column of `from`. */
  id: RawBuilder<unknown>;
  /** Order by relevance, best first (with text only). */
  rank?: RawBuilder<unknown>;
}

export class SearchRepository {
  private readonly options: Required<SearchOptions>;

  constructor(
    private readonly db: Database,
    private readonly items: ItemRepository,
    options: SearchOptions = {},
  ) {
    this.options = { maxPerPage: 100, maxOffset: 10_000, facetSize: 10, sampleSize: 1_000, ...options };
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

    const plan = this.plan(query);
    const sort: SearchSort = query.sort ?? (plan.rank ? 'relevance' : 'newest');
    const stats = await this.sample(plan);
    const { id } = plan;
    let where = plan.where;
    let order: RawBuilder<unknown>;
    if (plan.rank) {
      // With text, matches are found in id order (newest first) straight from the index; sorting by
      // relevance or title reads every match, so past `sampleSize` matches only the newest are sorted.
      if (stats.capped && (sort === 'relevance' || sort === 'title'))
        where = sql`${where} and ${id} >= ${stats.boundary}`;
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
    const ids = await sql<{
      id: number;
    }>`select ${id} as id from ${from} where ${where} order by ${order} limit ${perPage} offset ${offset}`.execute(
      this.db,
    );
    const items = await this.items.many(ids.rows.map((r) => Number(r.id)));
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
      page,
      perPage,
      sort,
      items,
      facets: stats.facets,
      moments,
    };
  }

  /**
   * Ids of the ready items matching `q`, best first (relevance among the newest `sampleSize`
   * matches), at most `limit`: for callers that filter further themselves (feeds).
   */
  async ids(q: string, limit: number): Promise<number[]> {
    const plan = this.plan({ q });
    if (!plan.rank) return [];
    const { id, from, where } = plan;
    const newest = sql`select ${id} from ${from} where ${where} order by ${id} desc limit 1 offset ${this.options.sampleSize - 1}`;
    const rows = await sql<{ id: number }>`select ${id} as id from ${from}
      where ${where} and ${id} >= coalesce((${newest}), 0)
      order by ${plan.rank}, ${id} desc limit ${Math.max(1, Math.floor(limit))}`.execute(this.db);
    return rows.rows.map((r) => Number(r.id));
  }

  /** The FROM and WHERE of a query (and its rank order when there is text). */
  private plan(query: SearchQuery): Plan {
    const kind = databaseKind(this.db);
    const conditions: RawBuilder<unknown>[] = [];
    let text: { match: RawBuilder<unknown>; rank: RawBuilder<unknown> } | undefined;

    if (query.q !== undefined) {
      if (typeof query.q !== 'string' || query.q.length > 500) bad('q', 'text of at most 500 characters');
      const { words, prefix } = searchWords(query.q);
      if (words.length > 0) {
        if (kind === 'sqlite') {
          text = {
            match: sql`items_fts match ${ftsQuery(words, prefix)}`,
            rank: sql`bm25(items_fts, 10.0, 5.0, 5.0, 1.0, 0.5)`,
          };
        } else {
          const tsq = sql`to_tsquery('simple', ${tsQuery(words, prefix)})`;
          text = { match: sql`i.search_vector @@ ${tsq}`, rank: sql`ts_rank(i.search_vector, ${tsq}) desc` };
        }
      }
    }
    if (query.type !== undefined) {
      if (!MEDIA_TYPES.includes(query.type)) bad('type', MEDIA_TYPES.join(', '));
      conditions.push(sql`i.media_type = ${query.type}`);
    }
    if (query.license !== undefined) {
      // Any form of a licence (SPDX id in any case, a Creative Commons URL) finds its canonical id.
      let license: string = query.license.trim();
      try {
        license = checkLicense(license) ?? license;
      } catch {
        // not a licence the site knows: it matches nothing (or a stored value kept as it was)
      }
      conditions.push(sql`i.license = ${license}`);
    }
    const tags = [...new Set((query.tags ?? []).map(normalTag).filter((t) => t !== ''))];
    if (tags.length > 5) bad('tag', 'at most 5');
    for (const tag of tags) {
      conditions.push(
        sql`i.id in (select it.item_id from item_tags it where it.tag_id = (select t.id from tags t where t.name = ${tag}))`,
      );
    }
    if (query.creator !== undefined) conditions.push(sql`i.creator = ${query.creator.trim()}`);
    if (query.channel !== undefined)
      conditions.push(sql`i.channel_id = (select c.id from channels c where c.slug = ${query.channel})`);
    if (query.user !== undefined)
      conditions.push(
        sql`i.owner_id = (select u.id from users u where lower(u.username) = ${query.user.toLowerCase()})`,
      );

    if (text && kind === 'sqlite') {
      // The FTS index holds only ready items; without filters the items table is not even read.
      const joined = sql`items_fts join items i on i.id = items_fts.rowid`;
      const where = sql.join([text.match, ...conditions], sql` and `);
      return {
        kind,
        from: conditions.length > 0 ? joined : sql`items_fts`,
        fromItems: joined,
        where,
        id: sql`items_fts.rowid`,
        rank: text.rank,
      };
    }
    const where = sql.join(
      [sql`i.status = 'ready'`, ...(text ? [text.match] : []), ...conditions],
      sql` and `,
    );
    return { kind, from: sql`items i`, fromItems: sql`items i`, where, id: sql`i.id`, rank: text?.rank };
  }

  /**
   * Total and facets over the first `sampleSize` matches (newest first), and the id of the oldest
   * of them: one query over a materialised sample of at most `sampleSize + 1` rows. (`cross join`
   * fixes SQLite's join order: sample first, then its tags; PostgreSQL plans it as an inner join.)
   */
  private async sample(
    plan: Plan,
  ): Promise<{ total: number; capped: boolean; boundary: number; facets: Facets }> {
    const n = this.options.facetSize;
    const size = this.options.sampleSize;
    const newest = plan.rank ? sql`${plan.id} desc` : sql`i.created_at desc, i.id desc`;
    const key = plan.rank ? sql`${plan.id}` : sql`i.created_at`;
    const result = await sql<{ facet: string; value: string | null; n: number | string | null }>`
      with m as materialized (
        select i.id, ${key} as k, i.media_type, i.license, i.creator from ${plan.fromItems}
        where ${plan.where} order by ${newest} limit ${size + 1}
      ),
      s as materialized (select * from m order by k desc, id desc limit ${size})
      select * from (select 'total' as facet, '' as value, count(*) as n from m) as a
      union all select * from (select 'boundary' as facet, '' as value, min(id) as n from s) as b
      union all select * from (
        select 'type' as facet, media_type as value, count(*) as n from s group by media_type) as c
      union all select * from (
        select 'license' as facet, license as value, count(*) as n from s where license is not null
        group by license order by n desc, value limit ${n}) as d
      union all select * from (
        select 'creator' as facet, creator as value, count(*) as n from s where creator <> ''
        group by creator order by n desc, value limit ${n}) as e
      union all select * from (
        select 'tag' as facet, t.name as value, count(*) as n
        from s cross join item_tags it cross join tags t where it.item_id = s.id and t.id = it.tag_id
        group by t.name order by n desc, value limit ${n}) as f`.execute(this.db);
    const facets: Facets = { type: [], license: [], tag: [], creator: [] };
    let total = 0;
    let boundary = 0;
    for (const row of result.rows) {
      const count = Number(row.n ?? 0);
      if (row.facet === 'total') total = count;
      else if (row.facet === 'boundary') boundary = count;
      else if (row.facet === 'license') {
        const value = row.value ?? '';
        facets.license.push({ value, count, label: licenseInfo(value)?.name ?? value });
      } else facets[row.facet as keyof Facets].push({ value: row.value ?? '', count });
    }
    facets.type.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    const capped = total > size;
    return { total: Math.min(total, size), capped, boundary, facets };
  }
}
