/**
 * An episode's page (`/episodes/<id>`): title, show, date, duration, its state and actions, the
 * player (`audio#player` or `video#player` on `/media/<id>`, starting where the listener stopped,
 * `data-position`), chapters as buttons that seek (`#chapters`), captions as a `<track>` and the
 * transcript's text (`#transcript`). `static/app-player.js` saves the position and follows chapters;
 * without JavaScript the player still plays and the forms still work.
 */

import type { DownloadRecord, FeedState } from '../../aggregator/index.js';
import type { Chapter } from '../../media/captions-chapters.js';
import { Fragment, type Html, h } from '../../web/html/jsx.js';
import type { AppContext } from '../context.js';
import type { Extra, TranscriptExtra } from '../episode-extras.js';
import { AppLayout } from '../layout.js';
import { showUrl } from '../lookup.js';
import { episodeView } from '../routes/episodes-data.js';
import { EpisodeActions, EpisodeStatus } from './episode-list.js';

export interface EpisodePageData {
  record: DownloadRecord;
  show: FeedState | undefined;
  chapters: Extra<Chapter[]>;
  transcript: Extra<TranscriptExtra>;
}

/** `1:02:03` or `2:03`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0
    ? `${h}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`
    : `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/** True when the episode is a video (by the feed's type, or the file's extension). */
export function isVideo(record: DownloadRecord): boolean {
  if (record.mediaType) return record.mediaType.toLowerCase().startsWith('video/');
  return /\.(mp4|m4v|mov|webm|ogv|mkv|avi)$/i.test(record.path ?? record.media ?? '');
}

function Player(props: { record: DownloadRecord; state: string; transcript: Extra<TranscriptExtra> }): Html {
  const { record, state, transcript } = props;
  if (state !== 'complete' && state !== 'seeding')
    return (
      <p class="muted player-missing" id="player-missing">
        {state === 'downloading' || state === 'queued'
          ? 'The episode plays here once it is downloaded.'
          : 'Download the episode to play it here.'}
      </p>
    );
  const captions =
    transcript.state === 'ready' && transcript.value.captions ? (
      <track
        kind="captions"
        src={`/episodes/${record.id}/captions.vtt`}
        srclang={transcript.value.language ?? 'en'}
        label={transcript.value.language ? `Captions (${transcript.value.language})` : 'Captions'}
        default
      />
    ) : null;
  const attrs = {
    id: 'player',
    class: 'episode-player',
    controls: true,
    preload: 'metadata',
    src: `/media/${record.id}`,
    'data-episode-id': record.id,
    'data-position': String(record.position ?? 0),
  };
  return isVideo(record) ? <video {...attrs}>{captions}</video> : <audio {...attrs}>{captions}</audio>;
}

function Chapters(props: { chapters: Extra<Chapter[]> }): Html | null {
  const { chapters } = props;
  if (chapters.state === 'none') return null;
  return (
    <section class="panel" aria-labelledby="chapters-title" id="chapters-panel">
      <h2 id="chapters-title">Chapters</h2>
      {chapters.state === 'unavailable' ? (
        <p class="muted" id="chapters-error">
          Chapters unavailable: {chapters.reason}
        </p>
      ) : (
        <ol class="chapters" id="chapters">
          {chapters.value.map((c) => (
            <li data-start={String(c.startTime)}>
              <button type="button" class="link chapter" data-start={String(c.startTime)}>
                <span class="muted">{clock(c.startTime)}</span> {c.title}
              </button>
              {c.url ? (
                <>
                  {' '}
                  <a href={c.url} rel="nofollow noopener noreferrer" class="muted">
                    {`Open the page for ${c.title}`}
                  </a>
                </>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Transcript(props: { transcript: Extra<TranscriptExtra> }): Html | null {
  const { transcript } = props;
  if (transcript.state === 'none') return null;
  const body =
    transcript.state === 'unavailable' ? (
      <p class="muted" id="transcript-error">
        Transcript unavailable: {transcript.reason}
      </p>
    ) : transcript.value.text.kind === 'cues' ? (
      <div id="transcript" class="transcript" lang={transcript.value.language}>
        {transcript.value.text.cues.map((c) => (
          <p data-start={String(c.start)}>
            <span class="muted cue-time">{clock(c.start)}</span> {c.text}
          </p>
        ))}
      </div>
    ) : (
      <div id="transcript" class="transcript" lang={transcript.value.language}>
        {transcript.value.text.paragraphs.map((p) => (
          <p>{p}</p>
        ))}
      </div>
    );
  return (
    <section class="panel" aria-labelledby="transcript-title" id="transcript-panel">
      <h2 id="transcript-title">Transcript</h2>
      {body}
    </section>
  );
}

export function EpisodePage(props: { ctx: AppContext; data: EpisodePageData }): Html {
  const { ctx, data } = props;
  const { record, show } = data;
  const view = episodeView(ctx, record);
  const state = view.state;
  const published = record.published ? new Date(record.published) : undefined;
  return (
    <AppLayout ctx={ctx} title={record.title}>
      <article
        class="episode-page"
        aria-labelledby="episode-title"
        data-episode-id={record.id}
        data-state={state}
      >
        <h1 id="episode-title">{record.title}</h1>
        <p class="muted" id="episode-meta">
          {show ? <a href={showUrl(show)}>{show.title ?? show.url}</a> : 'Unsubscribed show'}
          {published && !Number.isNaN(published.getTime()) ? (
            <>
              {' · '}
              <time datetime={published.toISOString()}>{published.toISOString().slice(0, 10)}</time>
            </>
          ) : null}
          {record.duration ? ` · ${clock(record.duration)}` : null}
          {record.playedAt ? ' · played' : null}
        </p>
        <EpisodeStatus view={view} stateId="episode-state" />
        <Player record={record} state={state} transcript={data.transcript} />
        <EpisodeActions ctx={ctx} view={view} back={`/episodes/${record.id}`} />
        {record.description ? (
          <section class="description" id="description" aria-label="Description">
            {record.description.split(/\n{2,}/).map((p) => (
              <p>{p}</p>
            ))}
          </section>
        ) : null}
        <Chapters chapters={data.chapters} />
        <Transcript transcript={data.transcript} />
      </article>
    </AppLayout>
  );
}
