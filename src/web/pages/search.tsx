/**
 * The search page (`/search?q=&type=&license=&tag=&creator=&sort=&page=`): a form with the words,
 * media type and sort; facets (type, licence, tag, creator, with counts over the matches) that add
 * or remove a filter; the results as cards; pagination. Also the listing under user and channel
 * pages. Every link keeps the other parameters and goes back to page 1 when a filter changes.
 */

import { canonicalLicense } from '../../licenses.js';
import { type Html, h } from '../html/jsx.js';
import { type CardItem, Field, FormError, type FormErrors, ItemGrid, Pagination } from './components.js';
import { Layout, type PageContext } from './layout.js';

export interface SearchParams {
  q?: string;
  type?: string;
  license?: string;
  tag?: string[];
  creator?: string;
  sort?: string;
  page?: number;
}

export interface FacetValue {
  value: string;
  count: number;
  /** What the entry reads (a licence's name); the value when absent. */
  label?: string;
}

export interface SearchView {
  /** Exact unless `totalCapped`: then an estimate ("About 960,000 results"). */
  total: number;
  totalCapped: boolean;
  /** The facet counts are estimates (shown with "≈"). */
  facetsEstimated?: boolean;
  /** Relevance ranked this many candidates, not every match (shown as a note). */
  rankedAmong?: number;
  page: number;
  perPage: number;
  sort: string;
  items: CardItem[];
  facets: { type: FacetValue[]; license: FacetValue[]; tag: FacetValue[]; creator: FacetValue[] };
  /** Deepest page reachable. */
  maxPage: number;
}

const SORTS: [string, string][] = [
  ['relevance', 'Best match'],
  ['newest', 'Newest'],
  ['oldest', 'Oldest'],
  ['title', 'Title'],
];
const TYPES = ['video', 'audio', 'image', 'text', 'software', 'other'];

/** `/search?...` for these parameters (empty ones left out). */
export function searchHref(p: SearchParams, base = '/search'): string {
  const out = new URLSearchParams();
  if (p.q) out.set('q', p.q);
  if (p.type) out.set('type', p.type);
  if (p.license) out.set('license', p.license);
  for (const t of p.tag ?? []) out.append('tag', t);
  if (p.creator) out.set('creator', p.creator);
  if (p.sort) out.set('sort', p.sort);
  if (p.page && p.page > 1) out.set('page', String(p.page));
  const qs = out.toString();
  return qs ? `${base}?${qs}` : base;
}

function FacetList(props: {
  title: string;
  name: 'type' | 'license' | 'tag' | 'creator';
  values: FacetValue[];
  params: SearchParams;
  label?: (value: string) => string;
  estimated?: boolean;
}): Html {
  const { params, name } = props;
  if (props.values.length === 0) return <div />;
  // A licence filter given in any form (a Creative Commons URL) marks its canonical id's entry.
  const current =
    name === 'license' && params.license
      ? (canonicalLicense(params.license) ?? params.license)
      : params[name];
  const active = (value: string) => (name === 'tag' ? (params.tag ?? []).includes(value) : current === value);
  const toggle = (value: string): SearchParams => {
    const next: SearchParams = { ...params, page: undefined };
    if (name === 'tag') {
      const tags = params.tag ?? [];
      next.tag = tags.includes(value) ? tags.filter((t) => t !== value) : [...tags, value];
    } else next[name] = active(value) ? undefined : value;
    return next;
  };
  return (
    <section aria-labelledby={`facet-${name}`}>
      <h2 id={`facet-${name}`}>{props.title}</h2>
      <ul id={`facet-${name}-values`}>
        {props.values.map((v) => (
          <li>
            <a href={searchHref(toggle(v.value))} aria-current={active(v.value) ? 'true' : undefined}>
              {active(v.value) ? '✓ ' : ''}
              {props.label ? props.label(v.value) : (v.label ?? v.value)}
            </a>{' '}
            <span class="muted" title={props.estimated ? 'estimated' : undefined}>
              ({props.estimated ? '≈' : ''}
              {v.count.toLocaleString('en')})
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SearchPage(props: {
  ctx: PageContext;
  params: SearchParams;
  result?: SearchView;
  errors?: FormErrors;
}): Html {
  const { ctx, params, result, errors } = props;
  const heading = params.q ? `Search: ${params.q}` : 'Browse';
  return (
    <Layout ctx={ctx} title={heading}>
      <h1>{params.q ? `Results for “${params.q}”` : 'Browse everything'}</h1>
      <form class="search-bar" method="get" action="/search" id="search-form">
        <Field name="q" label="Words" type="search" value={params.q} errors={errors} idPrefix="s" />
        <div class="field">
          <label for="s-type">Type</label>
          <select id="s-type" name="type">
            <option value="">Any</option>
            {TYPES.map((t) => (
              <option value={t} selected={params.type === t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="s-sort">Sort by</label>
          <select id="s-sort" name="sort">
            {SORTS.map(([value, label]) => (
              <option value={value} selected={(result?.sort ?? params.sort) === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {params.license ? <input type="hidden" name="license" value={params.license} /> : null}
        {(params.tag ?? []).map((t) => (
          <input type="hidden" name="tag" value={t} />
        ))}
        {params.creator ? <input type="hidden" name="creator" value={params.creator} /> : null}
        <div class="field">
          <button type="submit">Search</button>
        </div>
      </form>
      <FormError errors={errors} />
      {result ? <Results params={params} result={result} /> : null}
    </Layout>
  );
}

function Results(props: { params: SearchParams; result: SearchView }): Html {
  const { params, result } = props;
  const pages = Math.min(result.maxPage, Math.max(1, Math.ceil(result.total / result.perPage)));
  return (
    <div class="with-sidebar facets-first">
      <aside class="facets" aria-label="Filters" id="facets">
        {(
          [
            ['Type', 'type'],
            ['Licence', 'license'],
            ['Tags', 'tag'],
            ['Creator', 'creator'],
          ] as const
        ).map(([title, name]) => (
          <FacetList
            title={title}
            name={name}
            values={result.facets[name]}
            params={params}
            estimated={result.facetsEstimated}
          />
        ))}
      </aside>
      <section aria-labelledby="results-title">
        <h2 id="results-title" aria-live="polite">
          {result.total === 0
            ? 'No results'
            : `${result.totalCapped ? 'About ' : ''}${result.total.toLocaleString('en')} result${result.total === 1 ? '' : 's'}`}
        </h2>
        {result.rankedAmong !== undefined && result.sort === 'relevance' ? (
          <p class="muted">
            Ranked among the most relevant {result.rankedAmong.toLocaleString('en')} matches
          </p>
        ) : null}
        <ItemGrid id="results" items={result.items} empty="Nothing matches. Try fewer words or filters." />
        <Pagination
          page={result.page}
          pages={result.totalCapped ? Math.max(pages, result.page + 1) : pages}
          href={(page) => searchHref({ ...params, sort: params.sort, page })}
        />
      </section>
    </div>
  );
}
