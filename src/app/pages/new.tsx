/**
 * The New page (`/new`): episodes across shows the listener has not dealt with yet (not fetched, on
 * their way, or fetched and not played), newest first, each with its show, state and actions.
 */

import { type Html, h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import { AppLayout } from '../layout.js';
import { newEpisodes } from '../routes/episodes-data.js';
import { EpisodeList } from './episode-list.js';

export function NewPage(props: { ctx: AppContext }): Html {
  const { ctx } = props;
  const episodes = newEpisodes(ctx);
  return (
    <AppLayout ctx={ctx} title="New episodes" current="/new">
      <h1>New episodes</h1>
      <p class="muted">Not downloaded yet, on their way, or downloaded and not played; newest first.</p>
      <EpisodeList
        ctx={ctx}
        episodes={episodes}
        withShow
        back="/new"
        empty="Nothing new. You are up to date."
      />
    </AppLayout>
  );
}
