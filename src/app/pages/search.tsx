/**
 * Search (`/search?q=`): episodes whose title, description or show title contains the words
 * (case-insensitive), newest first, at most `SEARCH_LIMIT` of them.
 */

import { type Html, h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import { AppLayout } from '../layout.js';
import { SEARCH_LIMIT, searchEpisodes } from '../routes/episodes-data.js';
import { EpisodeList } from './episode-list.js';

export function SearchPage(props: { ctx: AppContext; query: string }): Html {
  const { ctx } = props;
  const q = props.query.trim();
  const episodes = q ? searchEpisodes(ctx, q, SEARCH_LIMIT + 1) : [];
  const capped = episodes.length > SEARCH_LIMIT;
  return (
    <AppLayout ctx={ctx} title={q ? `Search: ${q}` : 'Search'} query={q}>
      <h1>{q ? `Episodes matching “${q}”` : 'Search episodes'}</h1>
      <search>
        <form method="get" action="/search" class="search-bar" id="search-form">
          <label for="search-q">Words in a title, description or show</label>
          <input type="search" id="search-q" name="q" value={q} />
          <button type="submit">Search</button>
        </form>
      </search>
      {q ? (
        <p class="muted" id="search-count" role="status">
          {capped
            ? `The first ${SEARCH_LIMIT} matches.`
            : `${episodes.length} ${episodes.length === 1 ? 'match' : 'matches'}.`}
        </p>
      ) : null}
      {q ? (
        <EpisodeList
          ctx={ctx}
          episodes={episodes.slice(0, SEARCH_LIMIT)}
          withShow
          back={`/search?q=${encodeURIComponent(q)}`}
          empty="No episode matches."
        />
      ) : null}
    </AppLayout>
  );
}
