/**
 * A list of episodes with each one's state (new, queued, downloading, complete, seeding, failed) and
 * its actions. Used by a show's page, the New page and search results. (Issue 23: the episodes
 * feature owns this file and fills in states, progress and actions.)
 */

import type { DownloadRecord } from '../../aggregator/index.js';
import { type Html, h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import { episodeUrl, showOf } from '../lookup.js';

export function EpisodeList(props: {
  ctx: AppContext;
  episodes: readonly DownloadRecord[];
  /** Show each episode's show (lists across shows). */
  withShow?: boolean;
  empty?: string;
  id?: string;
}): Html {
  const { ctx, episodes } = props;
  if (episodes.length === 0) return <p class="empty">{props.empty ?? 'No episodes.'}</p>;
  return (
    <ul class="episode-list" id={props.id}>
      {episodes.map((e) => (
        <li class="episode" data-episode-id={e.id} data-state={e.status}>
          <a href={episodeUrl(e)}>{e.title}</a>
          {props.withShow ? <span class="episode-show">{showOf(ctx, e)?.title ?? ''}</span> : null}
          <span class="episode-state">{e.status}</span>
        </li>
      ))}
    </ul>
  );
}
