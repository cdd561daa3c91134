/**
 * A show's page (`/shows/<id>`): its picture, title and description, the feed's last error
 * (`#show-error`), its settings (`form#show-settings`: keep the last N episodes, download new ones
 * automatically, HTTP allowed as the fallback or the swarm only), "Check now" (`form#refresh`),
 * "Unsubscribe" (`form#unsubscribe`, confirmed: by a dialog with scripts, by a second page without),
 * and its episodes newest first (`EpisodeList`). Also the unsubscribe confirmation page.
 */

import { type FeedState, feedId } from '../../aggregator/index.js';
import { Fragment, type Html, h } from '../../web/html/jsx.js';
import { Notice } from '../../web/pages/components.js';
import type { AppContext } from '../context.js';
import { AppLayout, CsrfField } from '../layout.js';
import { showUrl } from '../lookup.js';
import { showEpisodes, showTitle } from '../routes/shows-actions.js';
import { EpisodeList } from './episode-list.js';
import { ShowImage, untilText } from './shows.js';

const NOTICES: Record<string, string> = {
  added: 'You follow this show now. New episodes arrive on their own.',
  exists: 'You already follow this show.',
  saved: 'Settings saved.',
  refreshed: 'The feed was checked.',
};

function Settings(props: { ctx: AppContext; feed: FeedState }): Html {
  const { ctx, feed } = props;
  const o = feed.options;
  return (
    <form id="show-settings" class="form" method="post" action={`${showUrl(feed)}/settings`}>
      <CsrfField ctx={ctx} />
      <div class="field">
        <label for="f-keepLast">Keep the last</label>
        <input
          type="number"
          id="f-keepLast"
          name="keepLast"
          min="0"
          max="100000"
          step="1"
          inputmode="numeric"
          value={o.keepLast}
          aria-describedby="f-keepLast-hint"
        />
        <p class="hint" id="f-keepLast-hint">
          Episodes of this show to keep; older downloads are deleted. 0 keeps them all.
        </p>
      </div>
      <div class="field">
        <input
          type="checkbox"
          id="f-autoDownload"
          name="autoDownload"
          value="true"
          checked={o.autoDownload}
        />{' '}
        <label for="f-autoDownload" class="inline-label">
          Download new episodes automatically
        </label>
      </div>
      <fieldset class="field">
        <legend>Where episodes come from</legend>
        <div>
          <input
            type="radio"
            id="f-httpFallback-on"
            name="httpFallback"
            value="true"
            checked={o.httpFallback}
          />{' '}
          <label for="f-httpFallback-on" class="inline-label">
            BitTorrent first, the show's web server when the swarm does not deliver
          </label>
        </div>
        <div>
          <input
            type="radio"
            id="f-httpFallback-off"
            name="httpFallback"
            value="false"
            checked={!o.httpFallback}
          />{' '}
          <label for="f-httpFallback-off" class="inline-label">
            BitTorrent only (episodes without a torrent are not fetched)
          </label>
        </div>
      </fieldset>
      <p class="form-actions">
        <button type="submit">Save settings</button>
      </p>
    </form>
  );
}

export function ShowPage(props: { ctx: AppContext; feed: FeedState; notice?: string }): Html {
  const { ctx, feed } = props;
  const episodes = showEpisodes(ctx, feed);
  const notice = props.notice ? NOTICES[props.notice] : undefined;
  const fresh = episodes.filter((e) => e.status === 'new').length;
  return (
    <AppLayout ctx={ctx} title={showTitle(feed)}>
      <article
        class="show-page"
        id="show"
        data-show-id={feedId(feed.url)}
        data-polled={feed.lastPolledAt ? 'true' : 'false'}
        aria-labelledby="show-title"
      >
        {notice ? (
          <Notice kind="ok" id="notice">
            {notice}
          </Notice>
        ) : null}
        <div class="show-head">
          <ShowImage feed={feed} size={128} id="show-image" />
          <div>
            <h1 id="show-title">{showTitle(feed)}</h1>
            <p class="muted show-meta">
              <a href={feed.url} rel="noreferrer" class="show-feed-url">
                {feed.url}
              </a>
              {feed.htmlUrl && /^https?:\/\//i.test(feed.htmlUrl) ? (
                <>
                  {' · '}
                  <a href={feed.htmlUrl} rel="noreferrer">
                    Website
                  </a>
                </>
              ) : null}
            </p>
            <p class="muted show-meta" id="show-status" role="status">
              {feed.lastPolledAt
                ? `${fresh === 1 ? '1 new episode' : `${fresh} new episodes`} · next check ${untilText(feed.nextPollAt)}`
                : 'Checking the feed…'}
            </p>
          </div>
        </div>
        {feed.lastError ? (
          <div class="notice error" id="show-error" role="alert">
            <strong>The feed could not be read:</strong> {feed.lastError}
            {feed.errors > 1 ? ` (${feed.errors} times in a row)` : ''}. The app tries again{' '}
            {untilText(feed.nextPollAt)}.
          </div>
        ) : null}
        {feed.description ? <p class="description pre-line">{feed.description}</p> : null}
        <section aria-labelledby="episodes-title">
          <h2 id="episodes-title">Episodes</h2>
          <EpisodeList
            ctx={ctx}
            episodes={episodes}
            id="episodes"
            back={showUrl(feed)}
            empty={
              !feed.lastPolledAt
                ? 'Checking the feed…'
                : feed.lastError
                  ? 'No episodes yet: the feed could not be read.'
                  : 'The feed lists no episode to fetch.'
            }
          />
        </section>
        <section class="panel" aria-labelledby="settings-title">
          <h2 id="settings-title">Settings</h2>
          <Settings ctx={ctx} feed={feed} />
        </section>
        <section class="panel show-actions" aria-labelledby="actions-title">
          <h2 id="actions-title">Feed</h2>
          <form id="refresh" class="inline" method="post" action={`${showUrl(feed)}/refresh`}>
            <CsrfField ctx={ctx} />
            <button type="submit" class="secondary">
              Check the feed now
            </button>
          </form>{' '}
          <form
            id="unsubscribe"
            class="inline"
            method="post"
            action={`${showUrl(feed)}/unsubscribe`}
            data-confirm={`Unsubscribe from ${showTitle(feed)}? Episodes you downloaded stay in your library.`}
          >
            <CsrfField ctx={ctx} />
            <button type="submit" class="danger">
              Unsubscribe
            </button>
          </form>
        </section>
      </article>
    </AppLayout>
  );
}

/** "Unsubscribe from X?": the confirmation when the form was sent without scripts. */
export function UnsubscribePage(props: { ctx: AppContext; feed: FeedState }): Html {
  const { ctx, feed } = props;
  return (
    <AppLayout ctx={ctx} title={`Unsubscribe from ${showTitle(feed)}`}>
      <h1>Unsubscribe from {showTitle(feed)}?</h1>
      <p>
        The app stops checking this feed and stops sharing its episodes. Episodes you downloaded stay in your
        library.
      </p>
      <form id="unsubscribe-confirm" class="inline" method="post" action={`${showUrl(feed)}/unsubscribe`}>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">
          Unsubscribe
        </button>
      </form>{' '}
      <a class="button secondary" href={showUrl(feed)}>
        Keep following
      </a>
    </AppLayout>
  );
}
