/**
 * A list of episodes with each one's state (new, queued, downloading, complete, seeding, failed) and
 * its actions. Used by a show's page, the New page and search results. Each row carries every part
 * the live script (`static/app-progress.js`) may need, the ones that do not apply `hidden`: the
 * progress bar with where the bytes come from and the rate, the seeding figures, the failure and the
 * buttons (download, retry, delete, played/unplayed) in one POST form to `/episodes/<id>/action`.
 */

import type { DownloadRecord } from '../../aggregator/index.js';
import { type Html, h } from '../../web/html/jsx.js';
import { formatBytes, formatDuration } from '../../web/pages/format.js';
import type { AppContext } from '../context.js';
import type { EpisodeState } from '../episode-state.js';
import { CsrfField } from '../layout.js';
import { episodeUrl } from '../lookup.js';
import { type EpisodeView, episodeView, type LiveFigures, liveFigures } from '../routes/episodes-data.js';

export const STATE_LABELS: Record<EpisodeState, string> = {
  new: 'New',
  queued: 'Queued',
  downloading: 'Downloading',
  complete: 'Downloaded',
  seeding: 'Downloaded, sharing',
  failed: 'Failed',
};

export function viaText(v: EpisodeView): string {
  if (v.via === 'swarm') return `swarm (${v.peers ?? 0} ${v.peers === 1 ? 'peer' : 'peers'})`;
  return v.via === 'http' ? 'HTTP' : '';
}

/** Bytes a second as `1.2 MB/s` (also the Sharing page's; `app-format.js` mirrors it). */
export function rateText(rate: number | null): string {
  return `${formatBytes(Math.round(rate ?? 0))}/s`;
}

export function seedingText(v: EpisodeView): string {
  return `ratio ${(v.ratio ?? 0).toFixed(2)}, ${formatBytes(v.uploaded ?? 0)} uploaded`;
}

/** Which actions an episode offers in its state. */
export function actionsFor(v: EpisodeView): Set<string> {
  const out = new Set<string>();
  if (v.state === 'new') out.add('download');
  if (v.state === 'failed') out.add('retry');
  if (v.state !== 'new') out.add('delete');
  out.add(v.playedAt ? 'unplayed' : 'played');
  return out;
}

const BUTTONS: [value: string, label: string][] = [
  ['download', 'Download'],
  ['retry', 'Retry'],
  ['played', 'Mark played'],
  ['unplayed', 'Mark unplayed'],
  ['delete', 'Delete'],
];

const BUTTON_CLASS: Record<string, string> = {
  delete: 'button danger',
  played: 'button secondary',
  unplayed: 'button secondary',
};

/** The action form (also on the episode's own page). `back`: where to return (a path of the app). */
export function EpisodeActions(props: { ctx: AppContext; view: EpisodeView; back?: string }): Html {
  const { view } = props;
  const allowed = actionsFor(view);
  return (
    <form class="episode-actions" method="post" action={`/episodes/${view.id}/action`}>
      <CsrfField ctx={props.ctx} />
      {props.back ? <input type="hidden" name="back" value={props.back} /> : null}
      {BUTTONS.map(([value, label]) => (
        <button
          type="submit"
          name="action"
          value={value}
          class={BUTTON_CLASS[value] ?? 'button'}
          hidden={!allowed.has(value)}
          aria-label={`${label}: ${view.title}`}
        >
          {label}
        </button>
      ))}
    </form>
  );
}

/** The live part of a row: state, progress, via, rate, seeding figures, failure. */
export function EpisodeStatus(props: {
  view: EpisodeView;
  /** An id for the state (on the episode's page: `episode-state`, live and with its `data-state`). */
  stateId?: string;
}): Html {
  const v = props.view;
  const stateHook = props.stateId ? { id: props.stateId, 'data-state': v.state, 'aria-live': 'polite' } : {};
  const downloading = v.state === 'downloading';
  const max = v.total && v.total > 0 ? v.total : undefined;
  return (
    <p class="episode-status">
      <span class="episode-state pill" {...stateHook}>
        {STATE_LABELS[v.state]}
      </span>{' '}
      <progress
        class="episode-progress"
        hidden={!downloading}
        max={max ?? 1}
        value={max ? Math.min(v.done ?? 0, max) : undefined}
        aria-label={`Download of ${v.title}`}
      >
        {max ? `${Math.floor(((v.done ?? 0) / max) * 100)}%` : ''}
      </progress>{' '}
      <span class="episode-via" hidden={!downloading}>
        {downloading ? viaText(v) : ''}
      </span>{' '}
      <span class="episode-rate" hidden={!downloading}>
        {downloading ? rateText(v.downloadRate) : ''}
      </span>
      <span class="episode-seeding" hidden={v.state !== 'seeding'}>
        {v.state === 'seeding' ? seedingText(v) : ''}
      </span>
      <span class="episode-error" role="status" hidden={v.state !== 'failed'}>
        {v.error ?? ''}
      </span>
      {v.state === 'queued' && v.waiting ? <span class="episode-waiting">{v.waiting}</span> : null}
    </p>
  );
}

export function EpisodeRow(props: {
  ctx: AppContext;
  record: DownloadRecord;
  live: LiveFigures;
  withShow?: boolean;
  back?: string;
}): Html {
  const v = episodeView(props.ctx, props.record, props.live);
  const date = v.published && !Number.isNaN(Date.parse(v.published)) ? new Date(v.published) : undefined;
  return (
    <li
      id={`episode-${v.id}`}
      class="episode"
      data-episode-id={v.id}
      data-state={v.state}
      data-played={v.playedAt ? 'true' : 'false'}
    >
      <h2 class="episode-title">
        <a href={episodeUrl(props.record)}>{v.title}</a>
      </h2>
      <p class="episode-meta muted">
        {props.withShow && v.showTitle ? (
          <a class="episode-show" href={`/shows/${v.show}`}>
            {v.showTitle}
          </a>
        ) : null}
        {date ? <time datetime={date.toISOString()}>{date.toISOString().slice(0, 10)}</time> : null}
        {v.duration ? <span class="episode-duration">{formatDuration(v.duration * 1000)}</span> : null}
        <span class="episode-played" data-played={v.playedAt ? 'true' : 'false'}>
          {v.playedAt ? 'Played' : 'Unplayed'}
        </span>
      </p>
      <EpisodeStatus view={v} />
      <EpisodeActions ctx={props.ctx} view={v} back={props.back} />
    </li>
  );
}

export function EpisodeList(props: {
  ctx: AppContext;
  episodes: readonly DownloadRecord[];
  /** Show each episode's show (lists across shows). */
  withShow?: boolean;
  empty?: string;
  /** The list's id (`episodes` unless told). */
  id?: string;
  /** The page's path, where the action buttons return to. */
  back?: string;
}): Html {
  const { ctx, episodes } = props;
  if (episodes.length === 0) return <p class="empty">{props.empty ?? 'No episodes.'}</p>;
  const live = liveFigures(ctx);
  return (
    <ul class="episode-list" id={props.id ?? 'episodes'}>
      {episodes.map((record) => (
        <EpisodeRow ctx={ctx} record={record} live={live} withShow={props.withShow} back={props.back} />
      ))}
    </ul>
  );
}
