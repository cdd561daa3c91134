/**
 * The item page's captions and chapters panel (issue 18): the chapters as links to their moment
 * (`#t=<seconds>`), the caption files by language, and for the item's owner (or an admin) a delete
 * button per language, an upload form (WebVTT or SRT, a language, a label, captions or subtitles)
 * and a chapters editor (one chapter a line: `1:02:03 Title https://link`). Every form carries the
 * CSRF field. The `moments.js` script (seeking to `#t=`) is included for audio and video.
 */

import type { Item } from '../../catalog/index.js';
import { type CaptionRecord, type Chapters, chaptersToText, formatChapterTime } from '../../media/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { CsrfField, type PageContext } from './layout.js';

export interface CaptionsPanelData {
  item: Item;
  captions: CaptionRecord[];
  chapters: Chapters | null;
  /** The viewer may change them (owner or admin). */
  editable: boolean;
}

function ChapterList(props: { chapters: Chapters }): Html {
  return (
    <ol class="chapters" id="chapters">
      {props.chapters.chapters.map((c) => (
        <li>
          <a href={`#t=${c.startTime}`} data-t={String(c.startTime)}>
            <span class="muted">{formatChapterTime(c.startTime)}</span> {c.title}
          </a>
          {c.url ? (
            <>
              {' '}
              <a href={c.url} rel="nofollow noopener" class="muted">
                (link)
              </a>
            </>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function CaptionList(props: { ctx: PageContext; data: CaptionsPanelData }): Html {
  const { ctx, data } = props;
  return (
    <ul class="downloads" id="caption-list">
      {data.captions.map((c) => (
        <li data-language={c.language}>
          <a href={new URL(c.url).pathname} hreflang={c.language} type="text/vtt">
            {c.label}
          </a>{' '}
          <span class="muted">
            ({c.language}, {c.kind}, {c.cues} cues)
          </span>
          {data.editable ? (
            <form
              method="post"
              action={`/items/${data.item.id}/captions/${encodeURIComponent(c.language)}/delete`}
              class="inline"
            >
              <CsrfField ctx={ctx} />
              <button type="submit" class="link" aria-label={`Delete the ${c.label} captions`}>
                Delete
              </button>
            </form>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Editors(props: { ctx: PageContext; data: CaptionsPanelData }): Html {
  const { ctx, data } = props;
  const id = data.item.id;
  return (
    <>
      <form method="post" action={`/items/${id}/captions`} enctype="multipart/form-data" id="caption-upload">
        <CsrfField ctx={ctx} />
        <h3>Add captions</h3>
        <div class="field">
          <label for="caption-file">WebVTT or SRT file (UTF-8, at most 2 MiB)</label>
          <input id="caption-file" name="file" type="file" accept=".vtt,.srt,text/vtt" required />
        </div>
        <div class="field">
          <label for="caption-language">Language</label>
          <input
            id="caption-language"
            name="language"
            required
            maxlength="35"
            placeholder="en, fr, pt-BR"
            aria-describedby="caption-language-hint"
          />
          <p class="hint" id="caption-language-hint">
            A language tag. A new file in a language already here replaces it.
          </p>
        </div>
        <div class="field">
          <label for="caption-label">Label (optional)</label>
          <input id="caption-label" name="label" maxlength="100" />
        </div>
        <div class="field">
          <label for="caption-kind">Kind</label>
          <select id="caption-kind" name="kind">
            <option value="captions">Captions (what is said and heard)</option>
            <option value="subtitles">Subtitles (a translation)</option>
          </select>
        </div>
        <button type="submit">Upload captions</button>
      </form>
      <form method="post" action={`/items/${id}/chapters`} id="chapters-editor">
        <CsrfField ctx={ctx} />
        <h3>
          <label for="chapters-text">Chapters</label>
        </h3>
        <textarea id="chapters-text" name="chapters" rows="6" aria-describedby="chapters-hint">
          {chaptersToText(data.chapters)}
        </textarea>
        <p class="hint" id="chapters-hint">
          One chapter a line: a start time, a title and an optional link, e.g.{' '}
          <code>1:02:03 The interview https://example.org</code>. Leave empty to remove the chapters.
        </p>
        <button type="submit">Save chapters</button>
      </form>
    </>
  );
}

export function ItemCaptions(props: { ctx: PageContext; data: CaptionsPanelData }): Html {
  const { ctx, data } = props;
  const playable = data.item.mediaType === 'video' || data.item.mediaType === 'audio';
  const script = playable ? <script type="module" src={ctx.assets.url('moments.js')}></script> : null;
  if (data.captions.length === 0 && !data.chapters && !data.editable) return <>{script}</>;
  return (
    <section class="panel" aria-labelledby="captions-title" id="captions">
      <h2 id="captions-title">Captions and chapters</h2>
      {data.chapters ? <ChapterList chapters={data.chapters} /> : null}
      {data.captions.length > 0 ? (
        <CaptionList ctx={ctx} data={data} />
      ) : (
        <p class="muted">No captions yet.</p>
      )}
      {data.editable ? <Editors ctx={ctx} data={data} /> : null}
      {script}
    </section>
  );
}
