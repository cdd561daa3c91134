/**
 * The item page's player area: a `<video>`/`<audio>` listing its sources best first
 * (`player-sources.ts`: web derivatives, highest rung first, then the original, each with a
 * codecs-bearing type) with the item's caption `<track>`s, a quality menu and a "cannot play"
 * message with the original's download link (both shown by the player script,
 * `src/web/player/sources.ts`); the web-size image of an image; a PDF in a frame (its document
 * sandboxed by the response's CSP) with its first page as a picture; a text preview; and the processing notice (`role="status"`, polled by
 * `src/web/player/processing.ts` while the site makes a version that plays in browsers). Without
 * JavaScript the browser itself takes the first `<source>` whose type it can play.
 */

import type { Item, ItemFile } from '../../catalog/index.js';
import type { CaptionView, ItemMediaView, Processing } from '../../media/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { formatBytes } from './format.js';
import { formatName, type PlayerPlan, type PlayerSource, playerPlan } from './player-sources.js';

/** The language the site's pages are written in (`<html lang>`): its captions are on by default. */
export const PAGE_LANGUAGE = 'en';

/** Where the page's download links are: the sidebar (beside the content, below it on narrow screens). */
function DownloadBoxLink(): Html {
  return (
    <>
      the <a href="#download">Download box</a> (on the right, or below on a narrow screen)
    </>
  );
}

export interface PlayerAreaData {
  item: Item;
  /** URL of each file, in order. */
  fileUrls: string[];
  /** Index into `item.files` of the file the player shows. */
  mainFile: number;
  textPreview?: string;
  thumbnailUrl?: string;
  /** Derivatives and processing (absent when the site has no processing). */
  media?: ItemMediaView;
  captions?: CaptionView[];
  /** The player script (`/static/player.js`); without it the page works with the browser's own choice. */
  playerScript?: string;
  /** `#player`'s P2P attributes and the elements beside it (from `item.tsx`), for video and audio. */
  hooks?: { attrs: Record<string, string | undefined>; preload: string; extra: Html | null };
}

interface Original {
  url: string;
  file: ItemFile;
}

function originalOf(data: PlayerAreaData): Original | undefined {
  const file = data.item.files[data.mainFile];
  const url = data.fileUrls[data.mainFile];
  return file && url && file.blobKey !== null ? { url, file } : undefined;
}

/** A link to the original with its format and size, `download` so a click saves it. */
function OriginalLink(props: { original: Original; id?: string }): Html {
  const { original } = props;
  const name = original.file.path.split('/').pop() ?? original.file.path;
  return (
    <a href={original.url} download id={props.id} data-download="original">
      download the original ({formatName(original.file.path)}, {name}, {formatBytes(original.file.length)})
    </a>
  );
}

/** Shown by the script when no source plays (or one fails): what to do instead. */
function PlaybackMessage(props: { original: Original | undefined }): Html {
  const { original } = props;
  return (
    <div class="player-message" id="player-message" role="alert" hidden>
      <p>
        <strong>Your browser cannot play this here.</strong>{' '}
        {original ? (
          <>
            You can <OriginalLink original={original} id="player-download" /> and open it in a media player
            such as VLC. Every file of this item is also listed in <DownloadBoxLink />.
          </>
        ) : (
          <>
            The files of this item are listed in <DownloadBoxLink />.
          </>
        )}
      </p>
    </div>
  );
}

/** The quality menu (filled and shown by the script with the sources this browser can play). */
function QualityMenu(props: { sources: PlayerSource[] }): Html | null {
  if (props.sources.length < 2) return null;
  return (
    <div class="player-quality" id="player-quality" hidden>
      <label for="quality-select">Quality</label>{' '}
      <select id="quality-select">
        {props.sources.map((s, i) => (
          <option value={String(i)}>{s.label}</option>
        ))}
      </select>
    </div>
  );
}

/** The text of the processing notice (also written by `src/web/player/processing.ts`). */
export function processingText(p: Processing): string {
  if (p.state === 'failed') return `Processing failed: ${p.error ?? 'unknown error'}.`;
  if (p.state === 'done') return 'Processing done: a version that plays in your browser is ready.';
  return `Processing: making a version that plays in your browser… ${Math.floor((p.progress ?? 0) * 100)}%`;
}

/** While the site makes web versions (queued, running) or when it failed; nothing otherwise. */
export function ProcessingNotice(props: {
  itemId: number;
  processing: Processing | null | undefined;
  original: Original | undefined;
}): Html | null {
  const p = props.processing;
  if (!p || p.state === 'done') return null;
  const failed = p.state === 'failed';
  return (
    <div
      class={`processing-notice${failed ? ' failed' : ''}`}
      id="processing"
      role="status"
      data-state={p.state}
      data-poll-url={`/api/v1/items/${props.itemId}`}
    >
      <p>
        <span data-processing="text">{processingText(p)}</span>
        {failed ? null : (
          <>
            {' '}
            <progress data-processing="progress" max="1" value={String(p.progress ?? 0)}>
              {`${Math.floor((p.progress ?? 0) * 100)}%`}
            </progress>
          </>
        )}
      </p>
      {props.original ? (
        <p class="muted">
          {failed ? 'You can still ' : 'Meanwhile you can '}
          <OriginalLink original={props.original} id="processing-download" />.
        </p>
      ) : null}
    </div>
  );
}

function defaultTrack(captions: CaptionView[]): number {
  return captions.findIndex((c) => c.language.toLowerCase().split('-')[0] === PAGE_LANGUAGE);
}

function Tracks(props: { captions: CaptionView[] | undefined }): Html {
  const captions = props.captions ?? [];
  const on = defaultTrack(captions);
  return (
    <>
      {captions.map((c, i) => (
        <track kind={c.kind} src={c.url} srclang={c.language} label={c.label} default={i === on} />
      ))}
    </>
  );
}

function MediaPlayer(props: {
  data: PlayerAreaData;
  plan: PlayerPlan;
  original: Original | undefined;
}): Html {
  const { data, plan, original } = props;
  const { item } = data;
  const p2p = data.hooks ?? { attrs: {}, preload: 'metadata', extra: null };
  const sources = plan.sources.map((s) => (
    <source src={s.url} type={s.type} data-label={s.label} data-origin={s.origin} />
  ));
  const fallback = (
    <p>
      Your browser cannot play media here:{' '}
      {original ? <a href={original.url}>download the file</a> : 'see the Download box'}.
    </p>
  );
  const media =
    item.mediaType === 'video' ? (
      // biome-ignore lint/a11y/useMediaCaption: the tracks are the item's captions, when it has some
      <video controls preload={p2p.preload} poster={plan.poster} aria-label={`Video: ${item.title}`}>
        {sources}
        <Tracks captions={data.captions} />
        {fallback}
      </video>
    ) : (
      // biome-ignore lint/a11y/useMediaCaption: the tracks are the item's captions, when it has some
      <audio controls preload={p2p.preload} aria-label={`Audio: ${item.title}`}>
        {sources}
        <Tracks captions={data.captions} />
        {fallback}
      </audio>
    );
  return (
    <div class={`player ${item.mediaType}`} id="player" {...p2p.attrs}>
      {item.mediaType === 'audio' && (plan.poster ?? plan.waveform) ? (
        <img src={plan.poster ?? plan.waveform} alt="" class={plan.poster ? undefined : 'waveform'} />
      ) : null}
      {media}
      <QualityMenu sources={plan.sources} />
      <PlaybackMessage original={original} />
      {p2p.extra}
    </div>
  );
}

/**
 * A PDF in the browser's own viewer, in a frame on the file's URL (`?view=frame`: served inline).
 * The document is sandboxed by its response (`Content-Security-Policy: sandbox`, as every user
 * file): an opaque origin, no script of its own. The frame itself has no `sandbox` attribute:
 * Chromium refuses to load its PDF viewer in a sandboxed frame (it shows an error page instead).
 */
function PdfPlayer(props: { item: Item; original: Original; page?: string }): Html {
  const { item, original } = props;
  return (
    <div class="player pdf" id="player">
      <iframe
        src={`${original.url}?view=frame`}
        title={`PDF: ${item.title}`}
        class="pdf-frame"
        referrerpolicy="no-referrer"
      ></iframe>
      <p class="pdf-fallback">
        {props.page ? (
          <a href={original.url}>
            <img src={props.page} alt={`First page of ${item.title}`} class="pdf-page" />
          </a>
        ) : null}
        If the document does not show above, <OriginalLink original={original} />.
      </p>
    </div>
  );
}

/** The player area of the item page (see the module comment). */
export function PlayerArea(props: { data: PlayerAreaData }): Html {
  const { data } = props;
  const { item } = data;
  const original = originalOf(data);
  const plan = playerPlan(item, original, { view: data.media, thumbnailUrl: data.thumbnailUrl });
  const processing = data.media?.processing;
  const busy = processing?.state === 'queued' || processing?.state === 'running';
  const notice = <ProcessingNotice itemId={item.id} processing={processing} original={original} />;
  const media = item.mediaType === 'video' || item.mediaType === 'audio';
  // The script runs the media player and the processing notice's polling.
  const script =
    data.playerScript && (media || busy) ? <script type="module" src={data.playerScript}></script> : null;
  let player: Html;
  if (media && plan.sources.length > 0) {
    player = <MediaPlayer data={data} plan={plan} original={original} />;
  } else if (item.mediaType === 'image' && original) {
    player = (
      <div class="player image" id="player">
        <img
          src={plan.image ?? original.url}
          alt={item.title}
          width={item.width ?? undefined}
          height={item.height ?? undefined}
        />
      </div>
    );
  } else if (original && original.file.mimeType === 'application/pdf') {
    player = <PdfPlayer item={item} original={original} page={plan.page} />;
  } else if (data.textPreview !== undefined && original) {
    player = (
      <div class="player text" id="player">
        <pre>{data.textPreview}</pre>
        <p>
          <a href={original.url}>Open the whole file</a>
        </p>
      </div>
    );
  } else {
    player = (
      <div class="player none" id="player">
        <p id="player-message">
          {original ? (
            <>
              No preview for this kind of file ({formatName(original.file.path)}): you can{' '}
              <OriginalLink original={original} id="player-download" />. Every file of this item is listed in{' '}
              <DownloadBoxLink />.
            </>
          ) : (
            <>
              No preview: the files of this item are listed in <DownloadBoxLink />.
            </>
          )}
        </p>
      </div>
    );
  }
  return (
    <>
      {notice}
      {player}
      {script}
    </>
  );
}
