/**
 * The Shows page (`/`): every show followed, each with its image, its title linking to its page, how
 * many episodes are new (known, not fetched), when the feed is checked next, and its last error when
 * the feed is failing (`.show-error`: a broken feed never hides the others). `app-forms.js` keeps the
 * list current while the page is open.
 */

import type { FeedState } from '../../aggregator/index.js';
import { type Html, h } from '../../web/html/jsx.js';
import { Notice } from '../../web/pages/components.js';
import type { AppContext } from '../context.js';
import { AppLayout } from '../layout.js';
import { newCounts, showIdOf } from '../library-index.js';
import { showUrl } from '../lookup.js';
import { imageUrl, newCount, showTitle } from '../routes/shows-actions.js';

/** "in 12 min", "in 3 h", "now" (for the next check of a feed). */
export function untilText(iso: string | undefined, now = Date.now()): string {
  const at = Date.parse(iso ?? '');
  if (Number.isNaN(at) || at <= now + 30_000) return 'now';
  const minutes = Math.round((at - now) / 60_000);
  if (minutes < 90) return `in ${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  return hours < 36 ? `in ${hours} h` : `in ${Math.round(hours / 24)} days`;
}

/** The show's picture (or its initial on a tile when the feed has none). */
export function ShowImage(props: { feed: FeedState; size: number; id?: string }): Html {
  const src = imageUrl(props.feed);
  if (src)
    return (
      <img
        class="show-image"
        id={props.id}
        src={src}
        alt=""
        width={props.size}
        height={props.size}
        loading="lazy"
        decoding="async"
      />
    );
  return (
    <span class="show-image show-image-empty" id={props.id} aria-hidden="true">
      {showTitle(props.feed).slice(0, 1).toUpperCase()}
    </span>
  );
}

export function ShowSummary(props: { ctx: AppContext; feed: FeedState; counts?: Map<string, number> }): Html {
  const { ctx, feed } = props;
  const fresh = newCount(ctx, feed, props.counts);
  return (
    <li class="show" data-show-id={showIdOf(feed.url)} data-polled={feed.lastPolledAt ? 'true' : 'false'}>
      <ShowImage feed={feed} size={64} />
      <div class="show-body">
        <h2 class="show-title">
          <a href={showUrl(feed)}>{showTitle(feed)}</a>
        </h2>
        <p class="show-meta muted">
          <span class="show-new" data-count={fresh}>
            {fresh === 1 ? '1 new episode' : `${fresh} new episodes`}
          </span>
          {' · '}
          <span class="show-next">
            {feed.lastPolledAt ? `next check ${untilText(feed.nextPollAt)}` : 'checking the feed…'}
          </span>
        </p>
        {feed.lastError ? <p class="show-error">{`Feed error: ${feed.lastError}`}</p> : null}
      </div>
    </li>
  );
}

const NOTICES: Record<string, string> = {
  unsubscribed: 'Unsubscribed. Episodes you downloaded stay in your library.',
};

export function ShowsPage(props: { ctx: AppContext; notice?: string; imported?: number }): Html {
  const { ctx } = props;
  const feeds = ctx.aggregator.state.feeds;
  const notice =
    props.notice === 'imported'
      ? `Imported ${props.imported ?? 0} new ${props.imported === 1 ? 'show' : 'shows'}.`
      : props.notice
        ? NOTICES[props.notice]
        : undefined;
  const counts = newCounts(ctx);
  return (
    <AppLayout ctx={ctx} title="Shows" current="/">
      <h1>Shows</h1>
      {notice ? (
        <Notice kind="ok" id="notice">
          {notice}
        </Notice>
      ) : null}
      {feeds.length === 0 ? (
        <p class="empty" id="no-shows">
          You follow no show yet. <a href="/add">Add a show</a> by its feed or web page address, or import the
          list from your podcast app (OPML).
        </p>
      ) : (
        <ul class="show-list" id="shows">
          {feeds.map((feed) => (
            <ShowSummary ctx={ctx} feed={feed} counts={counts} />
          ))}
        </ul>
      )}
      <p>
        <a class="button secondary" href="/add">
          Add a show
        </a>{' '}
        <a class="button secondary" href="/shows.opml" download="seedcast-shows.opml">
          Export (OPML)
        </a>
      </p>
    </AppLayout>
  );
}
